#include "loader/jsonl_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "loader/field_parse.h"

namespace zload {
namespace {

using Json = nlohmann::json;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// Skips the JSON value starting at s[i] (which the parser has already accepted).
size_t SkipValue(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r')) {
      return i;
    }
  }
  return i;
}

// Byte offsets of the key and value of the `ordinal`-th member of the object on `line`, which is
// valid JSON at least up to that member.
std::pair<size_t, size_t> FindMember(std::string_view line, size_t ordinal) {
  size_t i = SkipSpace(line, 0) + 1;  // past '{'
  for (size_t member = 0;; ++member) {
    i = SkipSpace(line, i);
    const size_t key = i;
    i = SkipSpace(line, SkipValue(line, i)) + 1;  // past ':'
    const size_t value = SkipSpace(line, i);
    if (member == ordinal || value >= line.size()) return {key, value};
    i = SkipSpace(line, SkipValue(line, value)) + 1;  // past ','
  }
}

// The parser's explanation without its own "[json.exception...] parse error at ...:" prefix.
std::string ParserMessage(const std::string& what) {
  std::string_view m = what;
  if (!m.empty() && m.front() == '[') {
    const size_t close = m.find("] ");
    if (close != std::string_view::npos) m.remove_prefix(close + 2);
  }
  if (m.substr(0, 11) == "parse error") {
    const size_t colon = m.find(": ");
    if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
  }
  return EscapeForMessage(m, 200);
}

const char* Article(Type type) {
  return type == Type::kInteger   ? "an INTEGER"
         : type == Type::kReal    ? "a REAL"
         : type == Type::kText    ? "a TEXT"
         : type == Type::kBoolean ? "a BOOLEAN"
                                  : "a TIMESTAMP";
}

}  // namespace

// Turns the parser's events for one line into the row's values, stopping at the first problem.
class JsonlReader::Handler final : public nlohmann::json_sax<Json> {
 public:
  // Where a problem is reported within the line.
  enum class Where { kLineStart, kKey, kValue, kParser };
  static constexpr int kOpTarget = -1;
  static constexpr int kUnknownTarget = -2;

  Handler(const Schema& schema, const std::optional<std::string>& op_column)
      : schema_(schema), op_column_(op_column), seen_(schema.size()) {}

  // Prepares for one line.
  void Reset(InputRow& row) {
    row_ = &row;
    row.row.resize(schema_.size());
    row.weight = 1;
    std::fill(seen_.begin(), seen_.end(), false);
    op_seen_ = false;
    depth_ = 0;
    ordinal_ = 0;
    target_ = kUnknownTarget;
    failed_ = false;
  }

  // After a successful parse: NULL for missing keys, or false for a missing NOT NULL column.
  bool Finish() {
    for (size_t c = 0; c < schema_.size(); ++c) {
      if (seen_[c]) continue;
      if (!schema_[c].nullable) {
        return Fail(ErrorCode::kConstraint, Where::kLineStart,
                    "missing key for NOT NULL column '" + schema_[c].name + "'");
      }
      row_->row[c] = Value();
    }
    return true;
  }

  bool failed() const { return failed_; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  Where where() const { return where_; }
  size_t ordinal() const { return ordinal_ - 1; }
  size_t parser_position() const { return parser_position_; }

  bool null() override {
    if (!InMember()) return NotObject();
    if (target_ == kOpTarget) return true;
    const Column& column = schema_[static_cast<size_t>(target_)];
    if (!column.nullable) {
      return Fail(ErrorCode::kConstraint, Where::kValue,
                  "null in NOT NULL column '" + column.name + "'");
    }
    row_->row[static_cast<size_t>(target_)] = Value();
    return true;
  }

  bool boolean(bool v) override {
    if (!InMember()) return NotObject();
    if (Expects(Type::kBoolean)) {
      row_->row[static_cast<size_t>(target_)] = Value::Boolean(v);
      return true;
    }
    return WrongType(v ? "true" : "false");
  }

  bool number_integer(number_integer_t v) override {
    if (!InMember()) return NotObject();
    if (Expects(Type::kInteger)) {
      row_->row[static_cast<size_t>(target_)] = Value::Integer(v);
      return true;
    }
    if (Expects(Type::kReal)) {
      row_->row[static_cast<size_t>(target_)] = Value::Real(static_cast<double>(v));
      return true;
    }
    return WrongType("number " + std::to_string(v));
  }

  bool number_unsigned(number_unsigned_t v) override {
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return number_integer(static_cast<int64_t>(v));
    }
    if (!InMember()) return NotObject();
    if (Expects(Type::kReal)) {
      row_->row[static_cast<size_t>(target_)] = Value::Real(static_cast<double>(v));
      return true;
    }
    if (Expects(Type::kInteger)) {
      return Fail(ErrorCode::kParse, Where::kValue,
                  ColumnPrefix() + "INTEGER out of range: '" + std::to_string(v) + "'");
    }
    return WrongType("number " + std::to_string(v));
  }

  bool number_float(number_float_t v, const string_t& text) override {
    if (!InMember()) return NotObject();
    if (Expects(Type::kReal)) {
      row_->row[static_cast<size_t>(target_)] = Value::Real(v);
      return true;
    }
    return WrongType("number " + EscapeForMessage(text, 60));
  }

  bool string(string_t& v) override {
    if (!InMember()) return NotObject();
    if (target_ == kOpTarget) {
      if (v.empty() || v == "+" || EqualsIgnoreCase(v, "insert")) {
        row_->weight = 1;
        return true;
      }
      if (v == "-" || EqualsIgnoreCase(v, "delete")) {
        row_->weight = -1;
        return true;
      }
      return Fail(
          ErrorCode::kParse, Where::kValue,
          "unknown op " + QuoteForMessage(v) + " (expected '+', '-', 'insert', 'delete' or empty)");
    }
    if (Expects(Type::kText)) {
      row_->row[static_cast<size_t>(target_)] = Value::Text(std::move(v));
      return true;
    }
    if (Expects(Type::kTimestamp)) {
      int64_t micros;
      if (!ParseTimestamp(v, micros)) {
        return Fail(ErrorCode::kParse, Where::kValue,
                    ColumnPrefix() + "not a TIMESTAMP: " + QuoteForMessage(v));
      }
      row_->row[static_cast<size_t>(target_)] = Value::Time(micros);
      return true;
    }
    return WrongType("string " + QuoteForMessage(v));
  }

  bool binary(binary_t&) override { return WrongType("binary data"); }

  bool start_object(std::size_t) override {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return WrongType("an object");
  }

  bool key(string_t& k) override {
    ++ordinal_;
    if (op_column_ && EqualsIgnoreCase(k, *op_column_)) {
      if (op_seen_) return RepeatedKey(k);
      op_seen_ = true;
      target_ = kOpTarget;
      return true;
    }
    const std::optional<size_t> index = schema_.IndexOf(k);
    if (!index) {
      std::string known;
      for (const Column& column : schema_.columns()) {
        known += (known.empty() ? "" : ", ") + column.name;
      }
      target_ = kUnknownTarget;
      return Fail(ErrorCode::kParse, Where::kKey,
                  "unknown key " + QuoteForMessage(k) + " (the schema has: " + known + ")");
    }
    if (seen_[*index]) return RepeatedKey(k);
    seen_[*index] = true;
    target_ = static_cast<int>(*index);
    return true;
  }

  bool end_object() override {
    depth_ = 0;
    return true;
  }

  bool start_array(std::size_t) override {
    if (depth_ == 0) return NotObject();
    return WrongType("an array");
  }

  bool end_array() override { return true; }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    parser_position_ = position;
    return Fail(ErrorCode::kParse, Where::kParser, "malformed JSON: " + ParserMessage(ex.what()));
  }

 private:
  bool InMember() const { return depth_ == 1; }
  bool Expects(Type type) const {
    return target_ >= 0 && schema_[static_cast<size_t>(target_)].type == type;
  }
  std::string ColumnPrefix() const {
    return "column '" + schema_[static_cast<size_t>(target_)].name + "': ";
  }
  bool NotObject() {
    return Fail(ErrorCode::kParse, Where::kLineStart, "expected a JSON object on each line");
  }
  bool RepeatedKey(const std::string& k) {
    return Fail(ErrorCode::kParse, Where::kKey, "key " + QuoteForMessage(k) + " appears twice");
  }
  bool WrongType(const std::string& found) {
    if (target_ == kOpTarget) {
      return Fail(ErrorCode::kParse, Where::kValue, "op column: expected a string, found " + found);
    }
    const Column& column = schema_[static_cast<size_t>(target_)];
    return Fail(ErrorCode::kParse, Where::kValue,
                ColumnPrefix() + "expected " + Article(column.type) + ", found " + found);
  }
  bool Fail(ErrorCode code, Where where, std::string message) {
    failed_ = true;
    code_ = code;
    where_ = where;
    message_ = std::move(message);
    return false;
  }

  const Schema& schema_;
  const std::optional<std::string>& op_column_;
  InputRow* row_ = nullptr;
  std::vector<bool> seen_;
  bool op_seen_ = false;
  int depth_ = 0;
  size_t ordinal_ = 0;
  int target_ = kUnknownTarget;
  bool failed_ = false;
  ErrorCode code_ = ErrorCode::kParse;
  Where where_ = Where::kLineStart;
  std::string message_;
  size_t parser_position_ = 0;
};

JsonlReader::JsonlReader(std::unique_ptr<InputSource> source, Schema schema,
                         JsonlReaderOptions options)
    : source_(std::move(source)), schema_(std::move(schema)), options_(std::move(options)) {
  file_name_ = options_.file_name.empty() ? source_->name() : options_.file_name;
  if (options_.start_offset > 0) source_->SkipTo(options_.start_offset);
  window_ = std::make_unique<InputWindow>(*source_, options_.chunk_size);
  cursor_ = window_->begin();
  line_ = options_.first_line;
  handler_ = std::make_unique<Handler>(schema_, options_.op_column);
}

JsonlReader::~JsonlReader() = default;

uint64_t JsonlReader::bytes_read() const {
  return window_->base_offset() + static_cast<uint64_t>(cursor_ - window_->begin());
}

ReadStatus JsonlReader::Next(InputRow& row, std::optional<Error>& error) {
  for (;;) {
    if (options_.end_offset && bytes_read() >= *options_.end_offset) return ReadStatus::kEnd;
    const char* end = window_->end();
    const char* newline =
        static_cast<const char*>(std::memchr(cursor_, '\n', static_cast<size_t>(end - cursor_)));
    if (newline == nullptr && !window_->at_eof()) {
      window_->Refill(cursor_);
      cursor_ = window_->begin();
      continue;
    }
    if (newline == nullptr && cursor_ == end) return ReadStatus::kEnd;
    const char* line_end = newline != nullptr ? newline : end;
    const char* text_end = (line_end > cursor_ && line_end[-1] == '\r') ? line_end - 1 : line_end;
    const std::string_view text(cursor_, static_cast<size_t>(text_end - cursor_));
    const uint64_t offset = bytes_read();
    const int64_t line = line_++;
    cursor_ = newline != nullptr ? newline + 1 : end;
    if (IsBlank(text)) continue;

    row.line = line;
    row.offset = offset;
    row.raw.assign(text);
    handler_->Reset(row);
    if (Json::sax_parse(text.data(), text.data() + text.size(), handler_.get()) &&
        handler_->Finish()) {
      return ReadStatus::kRow;
    }
    size_t pos = 0;
    switch (handler_->where()) {
      case Handler::Where::kLineStart:
        pos = 0;
        break;
      case Handler::Where::kKey:
        pos = FindMember(text, handler_->ordinal()).first;
        break;
      case Handler::Where::kValue:
        pos = FindMember(text, handler_->ordinal()).second;
        break;
      case Handler::Where::kParser:
        pos =
            std::min(text.size(),
                     handler_->parser_position() > 0 ? handler_->parser_position() - 1 : size_t{0});
        break;
    }
    int64_t column = 1;
    for (size_t i = 0; i < pos && i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
    }
    ErrorContext context;
    context.file = file_name_;
    context.line = line;
    context.column = column;
    error = Error(handler_->code(), handler_->message(), std::move(context));
    return ReadStatus::kBadRow;
  }
}

}  // namespace zload
