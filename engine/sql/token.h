#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

// The tokens of the SQL subset, as the lexer produces them. Private to engine/sql.

namespace zload::sql {

// A position in SQL text: 1-based line and column, and the 0-based byte offset.
struct SourcePos {
  int64_t line = 1;
  int64_t column = 1;
  size_t offset = 0;
};

enum class TokenKind {
  kIdentifier,  // a bare word (keywords included) or a "quoted" / [bracketed] name
  kInteger,     // 123
  kReal,        // 1.5, .5, 1e3
  kString,      // 'text' with '' unescaped
  kBlob,        // X'ab' (recognized only to be rejected)
  kParameter,   // ?, ?1, :name, @name, $name (recognized only to be rejected)
  kOperator,    // punctuation and operators: ( ) , . ; * + - / % || = == != <> < ...
  kEnd,         // end of input
};

// One token: its kind, its text (unquoted for identifiers and strings) and where it starts
// and ends in the SQL text.
struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  bool quoted = false;  // an identifier written in quotes: never a keyword
  SourcePos pos;
  size_t end = 0;  // byte offset one past the token's last character

  // True for an unquoted identifier equal to `keyword` (ASCII case-insensitive; `keyword` is
  // upper case).
  bool IsKeyword(const char* keyword) const;
  // True for the operator `op`.
  bool IsOp(const char* op) const { return kind == TokenKind::kOperator && text == op; }
};

}  // namespace zload::sql
