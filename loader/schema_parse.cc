#include "loader/schema_parse.h"

#include <string>
#include <utility>

namespace zload {
namespace {

bool IsIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// A recursive-descent reader over the schema text.
class SchemaParser {
 public:
  SchemaParser(std::string_view text, const ErrorContext& origin) : text_(text), origin_(origin) {}

  Schema Parse() {
    Schema schema;
    SkipSpace();
    if (pos_ == text_.size()) throw Fail(pos_, "empty schema: expected at least one column");
    for (;;) {
      const size_t name_pos = pos_;
      Column column;
      column.name = ReadName();
      if (schema.IndexOf(column.name)) {
        throw Fail(name_pos, "column '" + column.name + "' appears twice in the schema");
      }
      column.type = ReadType();
      column.nullable = ReadNullability();
      schema.Add(std::move(column));
      SkipSpace();
      if (pos_ == text_.size()) return schema;
      if (text_[pos_] != ',') throw Fail(pos_, "expected ',' or the end of the schema");
      ++pos_;
      SkipSpace();
    }
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // The next bare word, or empty when none starts here.
  std::string_view ReadWord() {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ < text_.size() && IsIdentifierStart(text_[pos_])) {
      while (pos_ < text_.size() && IsIdentifierChar(text_[pos_])) ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  std::string ReadName() {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      std::string name;
      for (++pos_;; ++pos_) {
        if (pos_ == text_.size()) throw Fail(start, "unterminated quoted column name");
        if (text_[pos_] == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            name += '"';
            ++pos_;
            continue;
          }
          ++pos_;
          break;
        }
        name += text_[pos_];
      }
      if (name.empty()) throw Fail(start, "empty column name");
      return name;
    }
    std::string_view word = ReadWord();
    if (word.empty()) throw Fail(start, "expected a column name");
    return std::string(word);
  }

  Type ReadType() {
    SkipSpace();
    const size_t start = pos_;
    const std::string word = Upper(ReadWord());
    if (word.empty()) throw Fail(start, "expected a type after the column name");
    if (word == "INTEGER" || word == "INT" || word == "BIGINT") return Type::kInteger;
    if (word == "REAL" || word == "DOUBLE" || word == "FLOAT") return Type::kReal;
    if (word == "TEXT" || word == "VARCHAR") return Type::kText;
    if (word == "BOOLEAN" || word == "BOOL") return Type::kBoolean;
    if (word == "TIMESTAMP") return Type::kTimestamp;
    throw Fail(start, "unknown type '" + std::string(text_.substr(start, pos_ - start)) +
                          "' (expected INTEGER, REAL, TEXT, BOOLEAN or TIMESTAMP)");
  }

  // True for nullable: nothing or NULL; false for NOT NULL.
  bool ReadNullability() {
    const size_t before = pos_;
    SkipSpace();
    const size_t start = pos_;
    const std::string word = Upper(ReadWord());
    if (word.empty()) {
      pos_ = before;
      return true;
    }
    if (word == "NULL") return true;
    if (word == "NOT") {
      SkipSpace();
      const size_t null_pos = pos_;
      if (Upper(ReadWord()) != "NULL") throw Fail(null_pos, "expected NULL after NOT");
      return false;
    }
    throw Fail(start, "unexpected '" + std::string(text_.substr(start, pos_ - start)) +
                          "' (expected NOT NULL, NULL, ',' or the end of the schema)");
  }

  Error Fail(size_t pos, const std::string& message) const {
    int64_t line = 0;
    size_t line_start = 0;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    int64_t column = 1;
    for (size_t i = line_start; i < pos && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    ErrorContext context = origin_;
    if (origin_.line) {
      context.line = *origin_.line + line;
      if (line == 0 && origin_.column) column += *origin_.column - 1;
    } else if (line > 0) {
      context.line = line + 1;
    }
    context.column = column;
    return Error(ErrorCode::kConfig, "schema: " + message, std::move(context));
  }

  std::string_view text_;
  const ErrorContext& origin_;
  size_t pos_ = 0;
};

}  // namespace

Schema ParseSchema(std::string_view text, const ErrorContext& origin) {
  return SchemaParser(text, origin).Parse();
}

}  // namespace zload
