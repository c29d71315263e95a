#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/expr.h"
#include "engine/sql/token.h"
#include "engine/value.h"

// The syntax tree of one SELECT, as parsed: names are unresolved, every node knows where it was
// written. Private to engine/sql.

namespace zload::sql {

enum class AstKind {
  kColumn,   // [table.]name
  kLiteral,  // a constant: literal
  kUnary,    // unary_op args[0]
  kBinary,   // args[0] binary_op args[1]
  kIsNull,   // args[0] IS [NOT] NULL (negated: IS NOT NULL)
  kInList,   // args[0] [NOT] IN (args[1..])
  kBetween,  // args[0] [NOT] BETWEEN args[1] AND args[2]
  kLike,     // args[0] [NOT] LIKE args[1]
  kCase,     // CASE [operand] WHEN args.. THEN args.. [ELSE e] END; see has_operand, has_else
  kCall,     // name(args...), name(*) (star), name(DISTINCT arg) (distinct)
  kCast,     // CAST(args[0] AS cast_type)
};

enum class UnaryOp { kNegate, kPlus, kNot };

struct AstExpr;
using AstPtr = std::unique_ptr<AstExpr>;

// One expression node. Fields beyond kind, pos, end and args are meaningful only for the kinds
// named beside them.
struct AstExpr {
  AstKind kind = AstKind::kLiteral;
  SourcePos pos;   // where the node's text starts
  size_t end = 0;  // byte offset one past the node's text
  std::vector<AstPtr> args;

  std::string table;                    // kColumn: the qualifier, empty when none
  std::string name;                     // kColumn: the column; kCall: the function as written
  SourcePos name_pos;                   // kColumn: where the column name starts (after "table.")
  SourcePos table_pos;                  // kColumn: where the qualifier starts
  Value literal;                        // kLiteral
  UnaryOp unary_op = UnaryOp::kNegate;  // kUnary
  BinaryOp binary_op = BinaryOp::kAdd;  // kBinary
  bool negated = false;                 // kIsNull, kInList, kBetween, kLike
  bool star = false;                    // kCall: name(*)
  bool distinct = false;                // kCall: name(DISTINCT ...)
  bool has_operand = false;             // kCase: args[0] is the operand
  bool has_else = false;                // kCase: the last arg is the ELSE value
  Type cast_type = Type::kNull;         // kCast
  std::string cast_type_name;           // kCast: as written
};

// One item of the select list.
struct SelectItem {
  enum class Kind { kExpr, kStar, kTableStar };
  Kind kind = Kind::kExpr;
  AstPtr expr;        // kExpr
  std::string alias;  // kExpr: AS name, empty when none
  std::string table;  // kTableStar: the qualifier
  std::string text;   // kExpr: the expression's text as written
  SourcePos pos;
};

enum class JoinKind { kFirst, kInner, kLeft };

// One relation of FROM, and how it joins the ones before it.
struct FromItem {
  JoinKind join = JoinKind::kFirst;
  SourcePos join_pos;  // where the join operator starts (the first item: the relation)
  std::string relation;
  std::string alias;  // empty when none
  SourcePos pos;      // where the relation name starts
  AstPtr on;          // null when there is no ON
};

// A whole SELECT statement.
struct SelectStmt {
  SourcePos pos;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::vector<FromItem> from;
  AstPtr where;
  std::vector<AstPtr> group_by;
  AstPtr having;
  SourcePos having_pos;
};

}  // namespace zload::sql
