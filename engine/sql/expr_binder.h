#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/expr.h"
#include "engine/ops/aggregate.h"
#include "engine/sql/ast.h"

namespace zload::sql {

// An expression tree bound to row positions, with what is statically known of its nulls.
struct Bound {
  ExprPtr expr;
  bool nullable = true;  // false only when the value can provably never be NULL
};

// What a binding context decides: how column references and aggregate calls bind, and which
// whole subexpressions stand for something already computed (a GROUP BY expression).
class BindContext {
 public:
  virtual ~BindContext() = default;
  // A replacement for the whole of `e`, or nullopt to bind `e` by its parts.
  virtual std::optional<Bound> Intercept(const AstExpr& /*e*/) { return std::nullopt; }
  // Binds a kColumn node; throws Error(kSchema) when it names nothing.
  virtual Bound Column(const AstExpr& e) = 0;
  // Binds an aggregate call (IsAggregateCall(e)); throws when aggregates are not allowed here.
  virtual Bound Aggregate(const AstExpr& e) = 0;
};

// The aggregate a kCall node calls, or nullopt for a scalar function. COUNT(*), COUNT(x),
// SUM(x), MIN(x), MAX(x) and AVG(x) are aggregates (MIN and MAX with one argument only).
std::optional<AggregateKind> AggregateCallKind(const AstExpr& e);

// Binds AST expressions to Expr trees through a BindContext. Errors carry `file` and the
// position of the offending node: Error(kUnsupported) for an unknown function, Error(kSchema)
// for a wrong number of arguments.
class ExprBinder {
 public:
  explicit ExprBinder(std::string file) : file_(std::move(file)) {}

  Bound Bind(const AstExpr& e, BindContext& context) const;
  const std::string& file() const { return file_; }

 private:
  Bound BindCall(const AstExpr& e, BindContext& context) const;
  std::vector<Bound> BindAll(const AstExpr& e, size_t from, BindContext& context) const;
  std::string file_;
};

// A text that is equal for two expressions exactly when they are written alike up to case,
// spacing, parentheses and how columns are named: column references are rendered by
// `column_key` (e.g. as their resolved row position).
std::string ExprKey(const AstExpr& e, const std::function<std::string(const AstExpr&)>& column_key);

// Visits every aggregate call of `e` that is not inside another aggregate call, in order.
void ForEachAggregate(const AstExpr& e, const std::function<void(const AstExpr&)>& visit);

}  // namespace zload::sql
