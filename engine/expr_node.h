#pragma once

#include <string>

#include "engine/expr.h"

// Pieces shared by the expression node files. Internal to the expression evaluator.
namespace zload::expr_internal {

// A column reference: passes row[index] through unchanged.
class ColumnExpr final : public Expr {
 public:
  ColumnExpr(size_t index, Type type, std::string name);
  Value Eval(const Row& row) const override { return row[index_]; }
  std::string ToString() const override;
  size_t index() const { return index_; }
  std::optional<size_t> PassedColumn() const override { return index_; }

 private:
  size_t index_;
  std::string name_;
};

// A constant: passes its value through unchanged.
class LiteralExpr final : public Expr {
 public:
  explicit LiteralExpr(Value value) : Expr(value.type()), value_(std::move(value)) {}
  Value Eval(const Row&) const override { return value_; }
  std::string ToString() const override;
  const Value& value() const { return value_; }

 private:
  Value value_;
};

// A child expression read without copying when it is a column reference or a literal.
class Operand {
 public:
  explicit Operand(ExprPtr expr);

  // The child's value for `row`; `scratch` holds it when it had to be computed.
  const Value& Get(const Row& row, Value& scratch) const {
    if (column_ != kNoColumn) return row[column_];
    if (literal_ != nullptr) return *literal_;
    scratch = expr_->Eval(row);
    return scratch;
  }
  const Expr& expr() const { return *expr_; }
  Affinity affinity() const { return expr_->affinity(); }
  Type type() const { return expr_->type(); }
  std::string ToString() const { return expr_->ToString(); }

 private:
  static constexpr size_t kNoColumn = static_cast<size_t>(-1);
  ExprPtr expr_;
  size_t column_ = kNoColumn;
  const Value* literal_ = nullptr;
};

// True when `e` is the literal NULL.
bool IsNullLiteral(const Expr& e);

// The SQL spelling of a constant, e.g. 12, (-1.5), 'it''s', NULL, TRUE.
std::string LiteralSql(const Value& v);

// Factories MakeBinary dispatches to, by operator family.
ExprPtr MakeArithmetic(BinaryOp op, ExprPtr lhs, ExprPtr rhs);
ExprPtr MakeConcat(ExprPtr lhs, ExprPtr rhs);
ExprPtr MakeComparison(BinaryOp op, ExprPtr lhs, ExprPtr rhs);
ExprPtr MakeLogic(BinaryOp op, ExprPtr lhs, ExprPtr rhs);

// REQUIRES: e is non-null; throws Error(kInternal) naming `what` otherwise.
void RequireExpr(const ExprPtr& e, const char* what);

}  // namespace zload::expr_internal
