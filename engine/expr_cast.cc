// CAST(x AS type) with SQLite's conversions (sqlite3VdbeMemCast): INTEGER reads the integer
// prefix of text and truncates reals, REAL reads the numeric prefix, TEXT renders, and BOOLEAN or
// TIMESTAMP (NUMERIC affinity in SQLite) make an INTEGER or REAL as CAST(x AS NUMERIC) does.
#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

Affinity CastAffinity(Type type) {
  return type == Type::kNull ? Affinity::kNone : DeclaredAffinity(type);
}

class CastExpr final : public Expr {
 public:
  CastExpr(ExprPtr arg, Type target)
      : Expr(target, CastAffinity(target)), target_(target), arg_(std::move(arg)) {}

  Value Eval(const Row& row) const override {
    Value s;
    const Value& v = arg_.Get(row, s);
    if (v.is_null()) return Value();
    switch (target_) {
      case Type::kInteger:
        return Value::Integer(IntOf(v));
      case Type::kReal:
        return Value::Real(RealOf(v));
      case Type::kText:
        return v.type() == Type::kText ? v : Value::Text(TextOf(v));
      case Type::kBoolean:
      case Type::kTimestamp:
        return NumericCast(v);
      case Type::kNull:
        return v;
    }
    return v;
  }

  std::string ToString() const override {
    return "CAST(" + arg_.ToString() + " AS " + TypeName(target_) + ")";
  }

 private:
  Type target_;
  Operand arg_;
};

}  // namespace
}  // namespace expr_internal

ExprPtr MakeCast(ExprPtr arg, Type type) {
  expr_internal::RequireExpr(arg, "CAST");
  return std::make_shared<expr_internal::CastExpr>(std::move(arg), type);
}

}  // namespace zload
