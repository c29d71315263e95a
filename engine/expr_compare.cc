// = <> < <= > >= and BETWEEN, with SQLite's affinity conversions (OP_Eq ... OP_Ge in vdbe.c).
#include "engine/expr_compare.h"

#include <cmath>

#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

// An exact comparison of an int64 with a double, as sqlite3IntFloatCompare (which uses long
// double) gives; comparing both as doubles would call 2^63 - 2 equal to 2^63.
int CompareIntReal(int64_t i, double r) {
  if (std::isnan(r)) return 1;
  if (r < -9223372036854775808.0) return 1;
  if (r >= 9223372036854775808.0) return -1;
  auto t = static_cast<int64_t>(r);
  if (i != t) return i < t ? -1 : 1;
  double fraction = r - static_cast<double>(t);
  return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0);
}

// SQLite's order of two non-NULL values: numbers by value, then text by bytes (BINARY).
int CompareNonNull(const Value& a, const Value& b) {
  bool a_text = a.type() == Type::kText, b_text = b.type() == Type::kText;
  if (a_text || b_text) {
    if (!a_text) return -1;
    if (!b_text) return 1;
    int c = a.as_text().compare(b.as_text());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  bool a_real = a.type() == Type::kReal, b_real = b.type() == Type::kReal;
  if (!a_real && !b_real) {
    int64_t x = a.integral(), y = b.integral();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (!a_real) return CompareIntReal(a.integral(), b.as_real());
  if (!b_real) return -CompareIntReal(b.integral(), a.as_real());
  double x = a.as_real(), y = b.as_real();
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

std::optional<int> CompareUnder(const Value& a, const Value& b, Affinity affinity) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  if (affinity != Affinity::kText && IsIntegral(a) && IsIntegral(b)) {
    int64_t x = a.integral(), y = b.integral();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (IsNumericAffinity(affinity)) {
    Value na, nb;
    const Value* pa = &a;
    const Value* pb = &b;
    if (a.type() == Type::kText && ComparisonNumber(a.as_text(), &na)) pa = &na;
    if (b.type() == Type::kText && ComparisonNumber(b.as_text(), &nb)) pb = &nb;
    return CompareNonNull(*pa, *pb);
  }
  if (affinity == Affinity::kText && (a.type() != Type::kText || b.type() != Type::kText)) {
    Value ta = a.type() == Type::kText ? Value() : Value::Text(TextOf(a));
    Value tb = b.type() == Type::kText ? Value() : Value::Text(TextOf(b));
    return CompareNonNull(ta.is_null() ? a : ta, tb.is_null() ? b : tb);
  }
  return CompareNonNull(a, b);
}

namespace {

class ComparisonExpr final : public Expr {
 public:
  ComparisonExpr(BinaryOp op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Type::kInteger),
        op_(op),
        affinity_(ComparisonAffinity(lhs->affinity(), rhs->affinity())),
        lhs_(std::move(lhs)),
        rhs_(std::move(rhs)) {}

  Value Eval(const Row& row) const override {
    Value sa, sb;
    return CompareValue(op_, lhs_.Get(row, sa), rhs_.Get(row, sb), affinity_);
  }

  std::string ToString() const override {
    return "(" + lhs_.ToString() + " " + BinaryOpSql(op_) + " " + rhs_.ToString() + ")";
  }

 private:
  BinaryOp op_;
  Affinity affinity_;
  Operand lhs_, rhs_;
};

// x BETWEEN lo AND hi is x >= lo AND x <= hi, each comparison with its own affinity.
class BetweenExpr final : public Expr {
 public:
  BetweenExpr(ExprPtr arg, ExprPtr lo, ExprPtr hi, bool negated)
      : Expr(Type::kInteger),
        lo_affinity_(ComparisonAffinity(arg->affinity(), lo->affinity())),
        hi_affinity_(ComparisonAffinity(arg->affinity(), hi->affinity())),
        negated_(negated),
        arg_(std::move(arg)),
        lo_(std::move(lo)),
        hi_(std::move(hi)) {}

  Value Eval(const Row& row) const override {
    Value sx, sl, sh;
    const Value& x = arg_.Get(row, sx);
    std::optional<int> lo = CompareUnder(x, lo_.Get(row, sl), lo_affinity_);
    if (lo && *lo < 0) return Value::Integer(negated_ ? 1 : 0);
    std::optional<int> hi = CompareUnder(x, hi_.Get(row, sh), hi_affinity_);
    if (hi && *hi > 0) return Value::Integer(negated_ ? 1 : 0);
    if (!lo || !hi) return Value();
    return Value::Integer(negated_ ? 0 : 1);
  }

  std::string ToString() const override {
    return "(" + arg_.ToString() + (negated_ ? " NOT BETWEEN " : " BETWEEN ") + lo_.ToString() +
           " AND " + hi_.ToString() + ")";
  }

 private:
  Affinity lo_affinity_, hi_affinity_;
  bool negated_;
  Operand arg_, lo_, hi_;
};

}  // namespace

ExprPtr MakeComparison(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
  return std::make_shared<ComparisonExpr>(op, std::move(lhs), std::move(rhs));
}

}  // namespace expr_internal

ExprPtr MakeBetween(ExprPtr arg, ExprPtr lo, ExprPtr hi, bool negated) {
  expr_internal::RequireExpr(arg, "BETWEEN");
  expr_internal::RequireExpr(lo, "BETWEEN");
  expr_internal::RequireExpr(hi, "BETWEEN");
  return std::make_shared<expr_internal::BetweenExpr>(std::move(arg), std::move(lo), std::move(hi),
                                                      negated);
}

}  // namespace zload
