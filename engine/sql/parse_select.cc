// The SELECT statement: select list, FROM with joins, WHERE, GROUP BY, HAVING.
#include "engine/sql/lexer.h"
#include "engine/sql/parser.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

SelectStmt Parser::Select() {
  SelectStmt stmt;
  if (Peek().IsKeyword("WITH")) Unsupported("WITH", Peek());
  if (Peek().IsKeyword("VALUES")) Unsupported("VALUES", Peek());
  stmt.pos = Peek().pos;
  ExpectKeyword("SELECT");
  if (AcceptKeyword("DISTINCT")) {
    stmt.distinct = true;
  } else {
    AcceptKeyword("ALL");
  }
  SelectList(stmt);
  if (AcceptKeyword("FROM")) From(stmt);
  if (AcceptKeyword("WHERE")) stmt.where = Expression();
  if (Peek().IsKeyword("GROUP")) {
    Next();
    ExpectKeyword("BY");
    do {
      stmt.group_by.push_back(Expression());
    } while (AcceptOp(","));
  }
  if (Peek().IsKeyword("HAVING")) {
    stmt.having_pos = Next().pos;
    stmt.having = Expression();
  }
  RejectTrailingClauses();
  return stmt;
}

void Parser::RejectTrailingClauses() {
  const Token& token = Peek();
  if (token.IsKeyword("WINDOW")) Unsupported("WINDOW", token);
  if (token.IsKeyword("ORDER")) Unsupported("ORDER BY", token);
  if (token.IsKeyword("LIMIT")) Unsupported("LIMIT", token);
  if (token.IsKeyword("UNION") || token.IsKeyword("INTERSECT") || token.IsKeyword("EXCEPT")) {
    Unsupported("a compound SELECT (" + ToUpperAscii(token.text) + ")", token);
  }
}

void Parser::SelectList(SelectStmt& stmt) {
  do {
    SelectItem item;
    item.pos = Peek().pos;
    if (AcceptOp("*")) {
      item.kind = SelectItem::Kind::kStar;
    } else if (Peek().kind == TokenKind::kIdentifier && !IsReserved(Peek()) && Peek(1).IsOp(".") &&
               Peek(2).IsOp("*")) {
      item.kind = SelectItem::Kind::kTableStar;
      item.table = Next().text;
      Next();
      Next();
    } else {
      item.expr = Expression();
      item.text = sql_.substr(item.expr->pos.offset, item.expr->end - item.expr->pos.offset);
      if (AcceptKeyword("AS")) {
        const Token& alias = Peek();
        if (alias.kind == TokenKind::kString) {
          item.alias = Next().text;
        } else {
          item.alias = ExpectIdentifier("alias");
        }
      } else if ((Peek().kind == TokenKind::kIdentifier && !IsReserved(Peek())) ||
                 Peek().kind == TokenKind::kString) {
        item.alias = Next().text;
      }
    }
    stmt.items.push_back(std::move(item));
  } while (AcceptOp(","));
}

void Parser::FromRelation(FromItem& item) {
  const Token& token = Peek();
  if (token.IsOp("(")) {
    if (Peek(1).IsKeyword("SELECT") || Peek(1).IsKeyword("WITH")) {
      Unsupported("a subquery in FROM", Peek(1));
    }
    Unsupported("a parenthesized join", token);
  }
  item.pos = token.pos;
  item.relation = ExpectIdentifier("table name");
  if (Peek().IsOp(".")) Unsupported("a schema-qualified table", token);
  if (Peek().IsOp("(")) Unsupported("a table-valued function", token);
  if (AcceptKeyword("AS")) {
    item.alias = ExpectIdentifier("alias");
  } else if (Peek().kind == TokenKind::kIdentifier && !IsReserved(Peek())) {
    item.alias = Next().text;
  }
  if (Peek().IsKeyword("INDEXED") || (Peek().IsKeyword("NOT") && Peek(1).IsKeyword("INDEXED"))) {
    Unsupported("INDEXED BY", Peek());
  }
}

void Parser::From(SelectStmt& stmt) {
  FromItem first;
  first.join_pos = Peek().pos;
  FromRelation(first);
  stmt.from.push_back(std::move(first));
  while (true) {
    FromItem item;
    const Token& start = Peek();
    item.join_pos = start.pos;
    if (AcceptOp(",")) {
      item.join = JoinKind::kInner;
    } else {
      if (start.IsKeyword("NATURAL")) Unsupported("NATURAL JOIN", start);
      if (start.IsKeyword("RIGHT")) Unsupported("RIGHT JOIN", start);
      if (start.IsKeyword("FULL")) Unsupported("FULL JOIN", start);
      if (AcceptKeyword("LEFT")) {
        item.join = JoinKind::kLeft;
        AcceptKeyword("OUTER");
      } else if (AcceptKeyword("INNER") || AcceptKeyword("CROSS") || Peek().IsKeyword("JOIN")) {
        item.join = JoinKind::kInner;
      } else {
        return;
      }
      ExpectKeyword("JOIN");
    }
    FromRelation(item);
    if (Peek().IsKeyword("USING")) Unsupported("USING", Peek());
    if (AcceptKeyword("ON")) item.on = Expression();
    stmt.from.push_back(std::move(item));
  }
}

}  // namespace zload::sql
