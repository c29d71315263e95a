#include "tests/support/regression_file.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <sstream>

#include "engine/error.h"

namespace zload::test {
namespace {

// Renders a value so that ParseValue reads it back exactly: reals in shortest round-trip form.
std::string RenderValue(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return "NULL";
    case Type::kReal:
      return fmt::format("{}", v.as_real());
    case Type::kText: {
      std::string out = "'";
      for (char c : v.as_text()) out += c == '\'' ? std::string("''") : std::string(1, c);
      return out + "'";
    }
    default:
      return std::to_string(v.integral());
  }
}

// Reads the values of one "(v, v, ...)" row literal, starting at `pos`.
class RowParser {
 public:
  RowParser(const std::string& line, size_t pos, const std::string& file, int64_t line_no)
      : line_(line), pos_(pos), file_(file), line_no_(line_no) {}

  Row Parse(const Schema& schema) {
    Expect('(');
    Row row;
    for (size_t i = 0; i < schema.size(); ++i) {
      if (i > 0) Expect(',');
      row.push_back(ParseValue(schema[i].type));
    }
    Expect(')');
    return row;
  }

  size_t pos() const { return pos_; }

  [[noreturn]] void Fail(const std::string& what) const {
    throw Error(ErrorCode::kParse, what,
                {.file = file_, .line = line_no_, .column = static_cast<int64_t>(pos_ + 1)});
  }

 private:
  void SkipSpace() {
    while (pos_ < line_.size() && std::isspace(static_cast<unsigned char>(line_[pos_]))) ++pos_;
  }

  void Expect(char c) {
    SkipSpace();
    if (pos_ >= line_.size() || line_[pos_] != c) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  Value ParseValue(Type type) {
    SkipSpace();
    if (line_.compare(pos_, 4, "NULL") == 0) {
      pos_ += 4;
      return Value::Null();
    }
    if (pos_ < line_.size() && line_[pos_] == '\'') {
      std::string text;
      for (++pos_;; ++pos_) {
        if (pos_ >= line_.size()) Fail("unterminated text");
        if (line_[pos_] == '\'') {
          if (pos_ + 1 < line_.size() && line_[pos_ + 1] == '\'') {
            text += '\'';
            ++pos_;
            continue;
          }
          ++pos_;
          break;
        }
        text += line_[pos_];
      }
      if (type != Type::kText && type != Type::kNull) Fail("text in a numeric column");
      return Value::Text(std::move(text));
    }
    size_t end = pos_;
    while (end < line_.size() &&
           std::string_view("+-0123456789.eEinfa").find(line_[end]) != std::string_view::npos) {
      ++end;
    }
    std::string token = line_.substr(pos_, end - pos_);
    if (token.empty()) Fail("expected a value");
    pos_ = end;
    const bool real_literal = token.find_first_of(".eEn") != std::string::npos;
    if (type == Type::kReal || (real_literal && type == Type::kNull)) {
      return Value::Real(std::strtod(token.c_str(), nullptr));
    }
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), n);
    if (ec != std::errc() || ptr != token.data() + token.size()) Fail("bad integer " + token);
    switch (type) {
      case Type::kBoolean:
        return Value::Boolean(n != 0);
      case Type::kTimestamp:
        return Value::Time(n);
      case Type::kText:
        Fail("number in a TEXT column");
      default:
        return Value::Integer(n);
    }
  }

  const std::string& line_;
  size_t pos_;
  const std::string& file_;
  int64_t line_no_;
};

}  // namespace

std::string RenderRegression(const ViewShape& shape, const std::vector<Batch>& batches) {
  std::string out = "shape " + shape.name + "\n";
  for (const Batch& batch : batches) {
    out += "batch\n";
    for (size_t s = 0; s < batch.size(); ++s) {
      for (const auto& [row, w] : batch[s].Sorted()) {
        std::string values;
        for (size_t i = 0; i < row.size(); ++i) {
          values += (i ? ", " : "") + RenderValue(row[i]);
        }
        out += fmt::format("{} ({}) x {}\n", shape.sources[s].name, values, w);
      }
    }
  }
  return out;
}

Regression ParseRegression(const std::string& text, const std::string& file_name,
                           const std::vector<ViewShape>& shapes) {
  Regression out;
  const ViewShape* shape = nullptr;
  std::istringstream in(text);
  std::string line;
  for (int64_t line_no = 1; std::getline(in, line); ++line_no) {
    RowParser fail(line, 0, file_name, line_no);
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(line);
    std::string word;
    words >> word;
    if (word == "shape") {
      if (shape) fail.Fail("a second shape line");
      words >> out.shape;
      for (const ViewShape& s : shapes) {
        if (s.name == out.shape) shape = &s;
      }
      if (!shape) fail.Fail("unknown shape '" + out.shape + "'");
      continue;
    }
    if (!shape) fail.Fail("expected 'shape <name>' first");
    if (word == "batch") {
      out.batches.emplace_back(shape->sources.size());
      continue;
    }
    if (out.batches.empty()) fail.Fail("a row before the first 'batch' line");
    size_t source = shape->sources.size();
    for (size_t s = 0; s < shape->sources.size(); ++s) {
      if (shape->sources[s].name == word) source = s;
    }
    if (source == shape->sources.size()) fail.Fail("unknown source '" + word + "'");
    RowParser parser(line, line.find(word) + word.size(), file_name, line_no);
    Row row = parser.Parse(shape->sources[source].schema);
    std::istringstream rest(line.substr(parser.pos()));
    std::string x;
    int64_t weight = 0;
    if (!(rest >> x >> weight) || x != "x" || weight == 0) {
      fail.Fail("expected 'x <non-zero weight>' after the row");
    }
    out.batches.back()[source].Add(std::move(row), weight);
  }
  if (!shape) throw Error(ErrorCode::kParse, "no shape line", {.file = file_name});
  return out;
}

}  // namespace zload::test
