// Expressions, by SQLite's precedence (lowest first): OR; AND; NOT; = == != <> IS IN LIKE
// BETWEEN; < <= > >=; & | << >> (rejected); + -; * / %; ||; unary - +.
#include <cerrno>
#include <cstdlib>

#include "engine/sql/lexer.h"
#include "engine/sql/parser.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

AstPtr Parser::Expression() { return Or(); }

AstPtr Parser::MakeNode(AstKind kind, const SourcePos& pos) {
  auto node = std::make_unique<AstExpr>();
  node->kind = kind;
  node->pos = pos;
  return node;
}

AstPtr Parser::MakeBinaryNode(BinaryOp op, AstPtr lhs, AstPtr rhs) {
  AstPtr node = MakeNode(AstKind::kBinary, lhs->pos);
  node->binary_op = op;
  node->end = rhs->end;
  node->args.push_back(std::move(lhs));
  node->args.push_back(std::move(rhs));
  return node;
}

AstPtr Parser::Or() {
  AstPtr lhs = And();
  while (AcceptKeyword("OR")) lhs = MakeBinaryNode(BinaryOp::kOr, std::move(lhs), And());
  return lhs;
}

AstPtr Parser::And() {
  AstPtr lhs = Not();
  while (AcceptKeyword("AND")) lhs = MakeBinaryNode(BinaryOp::kAnd, std::move(lhs), Not());
  return lhs;
}

AstPtr Parser::Not() {
  if (Peek().IsKeyword("NOT")) {
    SourcePos pos = Next().pos;
    AstPtr node = MakeNode(AstKind::kUnary, pos);
    node->unary_op = UnaryOp::kNot;
    node->args.push_back(Not());
    node->end = node->args[0]->end;
    return node;
  }
  return Equality();
}

AstPtr Parser::Equality() {
  AstPtr lhs = Comparison();
  while (true) {
    const Token& token = Peek();
    if (token.IsOp("=") || token.IsOp("==") || token.IsOp("!=") || token.IsOp("<>")) {
      BinaryOp op = (token.IsOp("=") || token.IsOp("==")) ? BinaryOp::kEq : BinaryOp::kNe;
      Next();
      lhs = MakeBinaryNode(op, std::move(lhs), Comparison());
      continue;
    }
    if (token.IsKeyword("ISNULL") || token.IsKeyword("NOTNULL") ||
        (token.IsKeyword("NOT") && Peek(1).IsKeyword("NULL"))) {
      bool negated = !token.IsKeyword("ISNULL");
      if (token.IsKeyword("NOT")) Next();
      Next();
      AstPtr node = MakeNode(AstKind::kIsNull, lhs->pos);
      node->negated = negated;
      node->args.push_back(std::move(lhs));
      node->end = PrevEnd();
      lhs = std::move(node);
      continue;
    }
    if (token.IsKeyword("IS")) {
      const Token& is = Next();
      bool negated = AcceptKeyword("NOT");
      if (AcceptKeyword("DISTINCT")) Unsupported("IS [NOT] DISTINCT FROM", is);
      if (!Peek().IsKeyword("NULL")) Unsupported("IS with an operand other than NULL", is);
      Next();
      AstPtr node = MakeNode(AstKind::kIsNull, lhs->pos);
      node->negated = negated;
      node->args.push_back(std::move(lhs));
      node->end = PrevEnd();
      lhs = std::move(node);
      continue;
    }
    bool negated = false;
    size_t ahead = 0;
    if (token.IsKeyword("NOT")) {
      negated = true;
      ahead = 1;
    }
    const Token& op = Peek(ahead);
    if (op.IsKeyword("GLOB") || op.IsKeyword("REGEXP") || op.IsKeyword("MATCH")) {
      Unsupported(ToUpperAscii(op.text), op);
    }
    if (op.IsKeyword("IN")) {
      at_ += ahead + 1;
      lhs = InList(std::move(lhs), negated);
    } else if (op.IsKeyword("LIKE")) {
      at_ += ahead + 1;
      AstPtr node = MakeNode(AstKind::kLike, lhs->pos);
      node->negated = negated;
      node->args.push_back(std::move(lhs));
      node->args.push_back(Comparison());
      if (Peek().IsKeyword("ESCAPE")) Unsupported("LIKE ... ESCAPE", Peek());
      node->end = PrevEnd();
      lhs = std::move(node);
    } else if (op.IsKeyword("BETWEEN")) {
      at_ += ahead + 1;
      AstPtr node = MakeNode(AstKind::kBetween, lhs->pos);
      node->negated = negated;
      node->args.push_back(std::move(lhs));
      node->args.push_back(Comparison());
      ExpectKeyword("AND");
      node->args.push_back(Comparison());
      node->end = PrevEnd();
      lhs = std::move(node);
    } else {
      return lhs;
    }
  }
}

AstPtr Parser::InList(AstPtr arg, bool negated) {
  AstPtr node = MakeNode(AstKind::kInList, arg->pos);
  node->negated = negated;
  node->args.push_back(std::move(arg));
  if (!Peek().IsOp("(")) Unsupported("IN over a table", Peek());
  Next();
  if (Peek().IsKeyword("SELECT") || Peek().IsKeyword("WITH")) Unsupported("a subquery", Peek());
  if (!AcceptOp(")")) {
    do {
      node->args.push_back(Expression());
    } while (AcceptOp(","));
    ExpectOp(")");
  }
  node->end = PrevEnd();
  return node;
}

AstPtr Parser::Comparison() {
  AstPtr lhs = Bitwise();
  while (true) {
    const Token& token = Peek();
    BinaryOp op;
    if (token.IsOp("<")) {
      op = BinaryOp::kLt;
    } else if (token.IsOp("<=")) {
      op = BinaryOp::kLe;
    } else if (token.IsOp(">")) {
      op = BinaryOp::kGt;
    } else if (token.IsOp(">=")) {
      op = BinaryOp::kGe;
    } else {
      return lhs;
    }
    Next();
    lhs = MakeBinaryNode(op, std::move(lhs), Bitwise());
  }
}

AstPtr Parser::Bitwise() {
  AstPtr lhs = Additive();
  const Token& token = Peek();
  if (token.IsOp("&") || token.IsOp("|") || token.IsOp("<<") || token.IsOp(">>")) {
    Unsupported("the bitwise operator " + token.text, token);
  }
  return lhs;
}

AstPtr Parser::Additive() {
  AstPtr lhs = Multiplicative();
  while (Peek().IsOp("+") || Peek().IsOp("-")) {
    BinaryOp op = Next().text == "+" ? BinaryOp::kAdd : BinaryOp::kSub;
    lhs = MakeBinaryNode(op, std::move(lhs), Multiplicative());
  }
  return lhs;
}

AstPtr Parser::Multiplicative() {
  AstPtr lhs = Concat();
  while (Peek().IsOp("*") || Peek().IsOp("/") || Peek().IsOp("%")) {
    const std::string& text = Next().text;
    BinaryOp op = text == "*" ? BinaryOp::kMul : text == "/" ? BinaryOp::kDiv : BinaryOp::kMod;
    lhs = MakeBinaryNode(op, std::move(lhs), Concat());
  }
  return lhs;
}

AstPtr Parser::Concat() {
  AstPtr lhs = Unary();
  while (true) {
    if (Peek().IsOp("->") || Peek().IsOp("->>")) Unsupported("the JSON operator", Peek());
    if (!AcceptOp("||")) return lhs;
    lhs = MakeBinaryNode(BinaryOp::kConcat, std::move(lhs), Unary());
  }
}

AstPtr Parser::Unary() {
  const Token& token = Peek();
  if (token.IsOp("-") || token.IsOp("+")) {
    Next();
    AstPtr node = MakeNode(AstKind::kUnary, token.pos);
    node->unary_op = token.text == "-" ? UnaryOp::kNegate : UnaryOp::kPlus;
    node->args.push_back(Unary());
    node->end = node->args[0]->end;
    return node;
  }
  if (token.IsOp("~")) Unsupported("the bitwise operator ~", token);
  return Postfix();
}

AstPtr Parser::Postfix() {
  AstPtr expr = Primary();
  if (Peek().IsKeyword("COLLATE")) Unsupported("COLLATE", Peek());
  return expr;
}

AstPtr Parser::Primary() {
  const Token& token = Peek();
  switch (token.kind) {
    case TokenKind::kInteger: {
      Next();
      AstPtr node = MakeNode(AstKind::kLiteral, token.pos);
      errno = 0;
      char* end = nullptr;
      long long v = std::strtoll(token.text.c_str(), &end, 10);
      // SQLite reads an integer literal too large for 64 bits as REAL.
      node->literal = errno == ERANGE ? Value::Real(std::strtod(token.text.c_str(), nullptr))
                                      : Value::Integer(v);
      node->end = token.end;
      return node;
    }
    case TokenKind::kReal: {
      Next();
      AstPtr node = MakeNode(AstKind::kLiteral, token.pos);
      node->literal = Value::Real(std::strtod(token.text.c_str(), nullptr));
      node->end = token.end;
      return node;
    }
    case TokenKind::kString: {
      Next();
      AstPtr node = MakeNode(AstKind::kLiteral, token.pos);
      node->literal = Value::Text(token.text);
      node->end = token.end;
      return node;
    }
    case TokenKind::kBlob:
      Unsupported("a blob literal", token);
    case TokenKind::kParameter:
      Unsupported("a parameter", token);
    case TokenKind::kEnd:
      SyntaxError(token);
    case TokenKind::kOperator:
      if (token.IsOp("(")) {
        Next();
        if (Peek().IsKeyword("SELECT") || Peek().IsKeyword("WITH")) {
          Unsupported("a subquery", Peek());
        }
        AstPtr inner = Expression();
        if (Peek().IsOp(",")) Unsupported("a row value", Peek());
        ExpectOp(")");
        // The parentheses are part of the text SQLite names the column by.
        inner->pos = token.pos;
        inner->end = PrevEnd();
        return inner;
      }
      SyntaxError(token);
    case TokenKind::kIdentifier:
      break;
  }
  if (token.IsKeyword("NULL") || token.IsKeyword("TRUE") || token.IsKeyword("FALSE")) {
    Next();
    AstPtr node = MakeNode(AstKind::kLiteral, token.pos);
    if (!token.IsKeyword("NULL")) node->literal = Value::Integer(token.IsKeyword("TRUE") ? 1 : 0);
    node->end = token.end;
    return node;
  }
  if (token.IsKeyword("CASE")) return Case(Next());
  if (token.IsKeyword("CAST")) return Cast(Next());
  if (token.IsKeyword("EXISTS")) Unsupported("EXISTS", token);
  if (token.IsKeyword("SELECT")) Unsupported("a subquery", token);
  if (IsReserved(token)) SyntaxError(token);
  Next();
  if (Peek().IsOp("(")) return Call(token);
  AstPtr node = MakeNode(AstKind::kColumn, token.pos);
  node->name_pos = token.pos;
  node->table_pos = token.pos;
  if (AcceptOp(".")) {
    node->table = token.text;
    node->name_pos = Peek().pos;
    if (Peek().IsOp("*")) SyntaxError(Peek());
    node->name = ExpectIdentifier("column name");
    if (Peek().IsOp(".")) Unsupported("a schema-qualified column", token);
  } else {
    node->name = token.text;
  }
  node->end = PrevEnd();
  return node;
}

AstPtr Parser::Call(const Token& name) {
  AstPtr node = MakeNode(AstKind::kCall, name.pos);
  node->name = name.text;
  ExpectOp("(");
  if (AcceptOp("*")) {
    node->star = true;
  } else if (!Peek().IsOp(")")) {
    if (AcceptKeyword("DISTINCT")) node->distinct = true;
    AcceptKeyword("ALL");
    do {
      node->args.push_back(Expression());
    } while (AcceptOp(","));
    if (Peek().IsKeyword("ORDER")) Unsupported("ORDER BY in a function call", Peek());
  }
  ExpectOp(")");
  if (Peek().IsKeyword("FILTER")) Unsupported("FILTER", Peek());
  if (Peek().IsKeyword("OVER")) Unsupported("a window function", Peek());
  node->end = PrevEnd();
  return node;
}

AstPtr Parser::Case(const Token& start) {
  AstPtr node = MakeNode(AstKind::kCase, start.pos);
  if (!Peek().IsKeyword("WHEN")) {
    node->has_operand = true;
    node->args.push_back(Expression());
  }
  if (!Peek().IsKeyword("WHEN")) SyntaxError(Peek());
  while (AcceptKeyword("WHEN")) {
    node->args.push_back(Expression());
    ExpectKeyword("THEN");
    node->args.push_back(Expression());
  }
  if (AcceptKeyword("ELSE")) {
    node->has_else = true;
    node->args.push_back(Expression());
  }
  ExpectKeyword("END");
  node->end = PrevEnd();
  return node;
}

AstPtr Parser::Cast(const Token& start) {
  AstPtr node = MakeNode(AstKind::kCast, start.pos);
  ExpectOp("(");
  node->args.push_back(Expression());
  ExpectKeyword("AS");
  const Token& type = Peek();
  if (type.kind != TokenKind::kIdentifier) SyntaxError(type);
  Next();
  std::string upper = ToUpperAscii(type.text);
  if (upper == "INTEGER" || upper == "INT") {
    node->cast_type = Type::kInteger;
  } else if (upper == "REAL") {
    node->cast_type = Type::kReal;
  } else if (upper == "TEXT") {
    node->cast_type = Type::kText;
  } else if (upper == "BOOLEAN") {
    node->cast_type = Type::kBoolean;
  } else if (upper == "TIMESTAMP") {
    node->cast_type = Type::kTimestamp;
  } else {
    Unsupported("CAST to type " + type.text, type);
  }
  node->cast_type_name = upper;
  if (Peek().IsOp("(")) Unsupported("a type with a size", Peek());
  ExpectOp(")");
  node->end = PrevEnd();
  return node;
}

}  // namespace zload::sql
