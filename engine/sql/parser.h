#pragma once

#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/token.h"

namespace zload::sql {

// Parses the whole of `sql` as one SELECT (an optional trailing ';' allowed). Throws
// Error(kParse) with line and column on a syntax error and Error(kUnsupported) naming the
// construct and its position for SQL outside the subset (ORDER BY, LIMIT, compound selects,
// subqueries, window functions, RIGHT/FULL/NATURAL joins, USING, COLLATE, ...). `file` is the
// errors' context file.
SelectStmt ParseSelect(const std::string& sql, const std::string& file);

// Parses the whole of `sql` as one expression; errors as ParseSelect.
AstPtr ParseExpression(const std::string& sql, const std::string& file);

// True when `word` (any case) is a reserved word of the subset, which a bare name cannot be.
bool IsReservedWord(const std::string& word);

// A recursive-descent parser over a token list. Use ParseSelect / ParseExpression.
class Parser {
 public:
  Parser(const std::string& sql, const std::string& file);

  SelectStmt Select();  // parse_select.cc
  AstPtr Expression();  // parse_expr.cc
  // Throws Error(kParse) unless every token has been consumed (after an optional ';').
  void ExpectEnd();

 private:
  // Token access.
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool AcceptKeyword(const char* keyword);
  bool AcceptOp(const char* op);
  void ExpectKeyword(const char* keyword);
  void ExpectOp(const char* op);
  std::string ExpectIdentifier(const char* what);
  size_t PrevEnd() const;
  // True for an unquoted identifier that is a reserved word of the subset (never a name).
  static bool IsReserved(const Token& token);
  [[noreturn]] void SyntaxError(const Token& at) const;
  [[noreturn]] void Unsupported(const std::string& what, const Token& at) const;

  // Expressions, lowest precedence first (parse_expr.cc).
  AstPtr Or();
  AstPtr And();
  AstPtr Not();
  AstPtr Equality();
  AstPtr Comparison();
  AstPtr Bitwise();
  AstPtr Additive();
  AstPtr Multiplicative();
  AstPtr Concat();
  AstPtr Unary();
  AstPtr Postfix();
  AstPtr Primary();
  AstPtr Call(const Token& name);
  AstPtr Case(const Token& start);
  AstPtr Cast(const Token& start);
  AstPtr InList(AstPtr arg, bool negated);
  AstPtr MakeNode(AstKind kind, const SourcePos& pos);
  AstPtr MakeBinaryNode(BinaryOp op, AstPtr lhs, AstPtr rhs);

  // Statement parts (parse_select.cc).
  void SelectList(SelectStmt& stmt);
  void From(SelectStmt& stmt);
  void FromRelation(FromItem& item);
  void RejectTrailingClauses();

  const std::string& sql_;
  const std::string& file_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
};

}  // namespace zload::sql
