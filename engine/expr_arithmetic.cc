// + - * / % and unary minus with SQLite's rules (OP_Add ... OP_Remainder in vdbe.c): integers
// stay integers until they overflow, then the operation is redone in floating point.
#include <cmath>
#include <limits>

#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

template <BinaryOp kOp>
Value RealMath(const Value& a, const Value& b) {
  double r;
  if constexpr (kOp == BinaryOp::kMod) {
    int64_t x = IntOf(a), y = IntOf(b);
    if (y == 0) return Value();
    if (y == -1) y = 1;
    r = static_cast<double>(x % y);
  } else {
    double x = RealOf(a), y = RealOf(b);
    if constexpr (kOp == BinaryOp::kAdd) r = x + y;
    if constexpr (kOp == BinaryOp::kSub) r = x - y;
    if constexpr (kOp == BinaryOp::kMul) r = x * y;
    if constexpr (kOp == BinaryOp::kDiv) {
      if (y == 0.0) return Value();
      r = x / y;
    }
  }
  if (std::isnan(r)) return Value();
  return Value::Real(r);
}

template <BinaryOp kOp>
Value IntMath(const Value& a, const Value& b, int64_t x, int64_t y) {
  int64_t r;
  if constexpr (kOp == BinaryOp::kAdd) {
    if (__builtin_add_overflow(x, y, &r)) return RealMath<kOp>(a, b);
  } else if constexpr (kOp == BinaryOp::kSub) {
    if (__builtin_sub_overflow(x, y, &r)) return RealMath<kOp>(a, b);
  } else if constexpr (kOp == BinaryOp::kMul) {
    if (__builtin_mul_overflow(x, y, &r)) return RealMath<kOp>(a, b);
  } else if constexpr (kOp == BinaryOp::kDiv) {
    if (y == 0) return Value();
    if (y == -1 && x == std::numeric_limits<int64_t>::min()) return RealMath<kOp>(a, b);
    r = x / y;
  } else {
    if (y == 0) return Value();
    if (y == -1) y = 1;
    r = x % y;
  }
  return Value::Integer(r);
}

template <BinaryOp kOp>
Value Arithmetic(const Value& a, const Value& b) {
  if (IsIntegral(a) && IsIntegral(b)) return IntMath<kOp>(a, b, a.integral(), b.integral());
  if (a.is_null() || b.is_null()) return Value();
  Number x = ArithmeticNumber(a), y = ArithmeticNumber(b);
  if (x.is_int && y.is_int) return IntMath<kOp>(a, b, x.i, y.i);
  return RealMath<kOp>(a, b);
}

bool IsIntegralType(Type t) {
  return t == Type::kInteger || t == Type::kBoolean || t == Type::kTimestamp;
}

Type ArithmeticType(Type a, Type b) {
  if (IsIntegralType(a) && IsIntegralType(b)) return Type::kInteger;
  if (a == Type::kReal || b == Type::kReal) return Type::kReal;
  return Type::kNull;
}

template <BinaryOp kOp>
class ArithmeticExpr final : public Expr {
 public:
  ArithmeticExpr(ExprPtr lhs, ExprPtr rhs)
      : Expr(ArithmeticType(lhs->type(), rhs->type())),
        lhs_(std::move(lhs)),
        rhs_(std::move(rhs)) {}

  Value Eval(const Row& row) const override {
    Value sa, sb;
    return Arithmetic<kOp>(lhs_.Get(row, sa), rhs_.Get(row, sb));
  }

  std::string ToString() const override {
    return "(" + lhs_.ToString() + " " + BinaryOpSql(kOp) + " " + rhs_.ToString() + ")";
  }

 private:
  Operand lhs_, rhs_;
};

// -x is 0 - x, as SQLite codes it.
class NegateExpr final : public Expr {
 public:
  explicit NegateExpr(ExprPtr arg)
      : Expr(ArithmeticType(Type::kInteger, arg->type())), arg_(std::move(arg)) {}

  Value Eval(const Row& row) const override {
    static const Value kZero = Value::Integer(0);
    Value s;
    return Arithmetic<BinaryOp::kSub>(kZero, arg_.Get(row, s));
  }

  std::string ToString() const override { return "(-" + arg_.ToString() + ")"; }

 private:
  Operand arg_;
};

// a || b: both sides rendered as text; NULL when either is NULL.
class ConcatExpr final : public Expr {
 public:
  ConcatExpr(ExprPtr lhs, ExprPtr rhs)
      : Expr(Type::kText), lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}

  Value Eval(const Row& row) const override {
    Value sa, sb;
    const Value& a = lhs_.Get(row, sa);
    if (a.is_null()) return Value();
    const Value& b = rhs_.Get(row, sb);
    if (b.is_null()) return Value();
    if (a.type() == Type::kText && b.type() == Type::kText)
      return Value::Text(a.as_text() + b.as_text());
    return Value::Text(TextOf(a) + TextOf(b));
  }

  std::string ToString() const override {
    return "(" + lhs_.ToString() + " || " + rhs_.ToString() + ")";
  }

 private:
  Operand lhs_, rhs_;
};

}  // namespace

ExprPtr MakeArithmetic(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  switch (op) {
    case BinaryOp::kAdd:
      return std::make_shared<ArithmeticExpr<BinaryOp::kAdd>>(std::move(lhs), std::move(rhs));
    case BinaryOp::kSub:
      return std::make_shared<ArithmeticExpr<BinaryOp::kSub>>(std::move(lhs), std::move(rhs));
    case BinaryOp::kMul:
      return std::make_shared<ArithmeticExpr<BinaryOp::kMul>>(std::move(lhs), std::move(rhs));
    case BinaryOp::kDiv:
      return std::make_shared<ArithmeticExpr<BinaryOp::kDiv>>(std::move(lhs), std::move(rhs));
    default:
      return std::make_shared<ArithmeticExpr<BinaryOp::kMod>>(std::move(lhs), std::move(rhs));
  }
}

ExprPtr MakeConcat(ExprPtr lhs, ExprPtr rhs) {
  return std::make_shared<ConcatExpr>(std::move(lhs), std::move(rhs));
}

}  // namespace expr_internal

ExprPtr MakeNegate(ExprPtr arg) {
  expr_internal::RequireExpr(arg, "unary minus");
  // Like SQLite's parser, -<number literal> is itself a literal (so -0.0 keeps its sign).
  if (auto* literal = dynamic_cast<const expr_internal::LiteralExpr*>(arg.get())) {
    const Value& v = literal->value();
    if (v.type() == Type::kReal) return MakeLiteral(Value::Real(-v.as_real()));
    if (v.type() == Type::kInteger && v.as_integer() != std::numeric_limits<int64_t>::min()) {
      return MakeLiteral(Value::Integer(-v.as_integer()));
    }
  }
  return std::make_shared<expr_internal::NegateExpr>(std::move(arg));
}

}  // namespace zload
