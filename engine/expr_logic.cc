// AND, OR, NOT, IS [NOT] NULL and the MakeBinary dispatch. AND and OR follow SQL's three-valued
// logic over SQLite truthiness (OP_And and OP_Or in vdbe.c).
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

// 0 false, 1 true, 2 NULL.
int Truth(const Value& v) { return v.is_null() ? 2 : (IsTrue(v) ? 1 : 0); }

class LogicExpr final : public Expr {
 public:
  LogicExpr(bool is_and, ExprPtr lhs, ExprPtr rhs)
      : Expr(Type::kInteger), is_and_(is_and), lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}

  Value Eval(const Row& row) const override {
    Value sa, sb;
    int a = Truth(lhs_.Get(row, sa));
    // The deciding value of the left side settles the result without the right side.
    if (a == (is_and_ ? 0 : 1)) return Value::Integer(a);
    int b = Truth(rhs_.Get(row, sb));
    if (b == (is_and_ ? 0 : 1)) return Value::Integer(b);
    if (a == 2 || b == 2) return Value();
    return Value::Integer(a);
  }

  std::string ToString() const override {
    return "(" + lhs_.ToString() + (is_and_ ? " AND " : " OR ") + rhs_.ToString() + ")";
  }

 private:
  bool is_and_;
  Operand lhs_, rhs_;
};

class NotExpr final : public Expr {
 public:
  explicit NotExpr(ExprPtr arg) : Expr(Type::kInteger), arg_(std::move(arg)) {}

  Value Eval(const Row& row) const override {
    Value s;
    const Value& v = arg_.Get(row, s);
    if (v.is_null()) return Value();
    return Value::Integer(IsTrue(v) ? 0 : 1);
  }

  std::string ToString() const override { return "(NOT " + arg_.ToString() + ")"; }

 private:
  Operand arg_;
};

class IsNullExpr final : public Expr {
 public:
  IsNullExpr(ExprPtr arg, bool negated)
      : Expr(Type::kInteger), negated_(negated), arg_(std::move(arg)) {}

  Value Eval(const Row& row) const override {
    Value s;
    return Value::Integer(arg_.Get(row, s).is_null() != negated_ ? 1 : 0);
  }

  std::string ToString() const override {
    return "(" + arg_.ToString() + (negated_ ? " IS NOT NULL)" : " IS NULL)");
  }

 private:
  bool negated_;
  Operand arg_;
};

}  // namespace

ExprPtr MakeLogic(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  return std::make_shared<LogicExpr>(op == BinaryOp::kAnd, std::move(lhs), std::move(rhs));
}

}  // namespace expr_internal

const char* BinaryOpSql(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kConcat:
      return "||";
    case BinaryOp::kEq:
      return "=";
    case BinaryOp::kNe:
      return "<>";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kAnd:
      return "AND";
    case BinaryOp::kOr:
      return "OR";
  }
  return "?";
}

ExprPtr MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  using namespace expr_internal;
  RequireExpr(lhs, BinaryOpSql(op));
  RequireExpr(rhs, BinaryOpSql(op));
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return MakeArithmetic(op, std::move(lhs), std::move(rhs));
    case BinaryOp::kConcat:
      return MakeConcat(std::move(lhs), std::move(rhs));
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
      return MakeLogic(op, std::move(lhs), std::move(rhs));
    default:
      return MakeComparison(op, std::move(lhs), std::move(rhs));
  }
}

ExprPtr MakeNot(ExprPtr arg) {
  expr_internal::RequireExpr(arg, "NOT");
  return std::make_shared<expr_internal::NotExpr>(std::move(arg));
}

ExprPtr MakeIsNull(ExprPtr arg, bool negated) {
  expr_internal::RequireExpr(arg, "IS NULL");
  return std::make_shared<expr_internal::IsNullExpr>(std::move(arg), negated);
}

}  // namespace zload
