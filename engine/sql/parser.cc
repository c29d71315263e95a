#include "engine/sql/parser.h"

#include <array>
#include <string_view>

#include "engine/sql/lexer.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

SelectStmt ParseSelect(const std::string& sql, const std::string& file) {
  Parser parser(sql, file);
  SelectStmt stmt = parser.Select();
  parser.ExpectEnd();
  return stmt;
}

AstPtr ParseExpression(const std::string& sql, const std::string& file) {
  Parser parser(sql, file);
  AstPtr expr = parser.Expression();
  parser.ExpectEnd();
  return expr;
}

Parser::Parser(const std::string& sql, const std::string& file)
    : sql_(sql), file_(file), tokens_(Tokenize(sql, file)) {}

const Token& Parser::Peek(size_t ahead) const {
  size_t i = at_ + ahead;
  return i < tokens_.size() ? tokens_[i] : tokens_.back();
}

const Token& Parser::Next() {
  const Token& token = Peek();
  if (at_ + 1 < tokens_.size()) ++at_;
  return token;
}

bool Parser::AcceptKeyword(const char* keyword) {
  if (!Peek().IsKeyword(keyword)) return false;
  Next();
  return true;
}

bool Parser::AcceptOp(const char* op) {
  if (!Peek().IsOp(op)) return false;
  Next();
  return true;
}

void Parser::ExpectKeyword(const char* keyword) {
  if (!AcceptKeyword(keyword)) SyntaxError(Peek());
}

void Parser::ExpectOp(const char* op) {
  if (!AcceptOp(op)) SyntaxError(Peek());
}

std::string Parser::ExpectIdentifier(const char* /*what*/) {
  const Token& token = Peek();
  if (token.kind != TokenKind::kIdentifier || IsReserved(token)) SyntaxError(token);
  return Next().text;
}

bool Parser::IsReserved(const Token& token) {
  return token.kind == TokenKind::kIdentifier && !token.quoted && IsReservedWord(token.text);
}

size_t Parser::PrevEnd() const { return at_ == 0 ? 0 : tokens_[at_ - 1].end; }

bool IsReservedWord(const std::string& word) {
  static constexpr std::array<std::string_view, 52> kReserved = {
      "ALL",      "AND",  "AS",    "BETWEEN", "BY",     "CASE",    "CAST",      "COLLATE", "CROSS",
      "DISTINCT", "ELSE", "END",   "ESCAPE",  "EXCEPT", "EXISTS",  "FALSE",     "FILTER",  "FROM",
      "FULL",     "GLOB", "GROUP", "HAVING",  "IN",     "INNER",   "INTERSECT", "IS",      "ISNULL",
      "JOIN",     "LEFT", "LIKE",  "LIMIT",   "MATCH",  "NATURAL", "NOT",       "NOTNULL", "NULL",
      "OFFSET",   "ON",   "OR",    "ORDER",   "OUTER",  "OVER",    "REGEXP",    "RIGHT",   "SELECT",
      "THEN",     "TRUE", "UNION", "USING",   "WHEN",   "WHERE",   "WINDOW"};
  std::string upper = ToUpperAscii(word);
  for (std::string_view word : kReserved) {
    if (upper == word) return true;
  }
  return false;
}

void Parser::SyntaxError(const Token& at) const {
  std::string near = at.kind == TokenKind::kEnd
                         ? "end of input"
                         : "\"" + sql_.substr(at.pos.offset, at.end - at.pos.offset) + "\"";
  ThrowAt(ErrorCode::kParse, "syntax error near " + near, file_, at.pos);
}

void Parser::Unsupported(const std::string& what, const Token& at) const {
  ThrowAt(ErrorCode::kUnsupported, what + " is not supported", file_, at.pos);
}

void Parser::ExpectEnd() {
  AcceptOp(";");
  if (Peek().kind != TokenKind::kEnd) SyntaxError(Peek());
}

}  // namespace zload::sql
