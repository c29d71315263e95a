// lower, upper, length, abs and round, as SQLite's built-ins (func.c) compute them.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "engine/error.h"
#include "engine/expr_convert.h"
#include "engine/expr_node.h"
#include "engine/expr_sqlite_number.h"

namespace zload {
namespace expr_internal {
namespace {

const char* FunctionName(ScalarFunction fn) {
  switch (fn) {
    case ScalarFunction::kLower:
      return "lower";
    case ScalarFunction::kUpper:
      return "upper";
    case ScalarFunction::kLength:
      return "length";
    case ScalarFunction::kAbs:
      return "abs";
    case ScalarFunction::kRound:
      return "round";
  }
  return "?";
}

// ASCII-only case mapping, byte by byte, as SQLite without ICU.
Value ChangeCase(const Value& v, bool upper) {
  std::string s = TextOf(v);
  for (char& c : s) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Value::Text(std::move(s));
}

// Characters of UTF-8 text up to the first NUL; a number's length is that of its rendering.
Value Length(const Value& v) {
  if (v.type() != Type::kText) return Value::Integer(static_cast<int64_t>(TextOf(v).size()));
  const std::string& s = v.as_text();
  const unsigned char* z = reinterpret_cast<const unsigned char*>(s.c_str());
  int64_t n = 0;
  while (*z != 0) {
    unsigned char c = *z++;
    n++;
    if (c >= 0xc0) {
      while ((*z & 0xc0) == 0x80) z++;
    }
  }
  return Value::Integer(n);
}

// abs(INT64_MIN) is an "integer overflow" error in SQLite; zload, which must not fail on data,
// returns the real 9223372036854775808.0 instead.
Value Abs(const Value& v) {
  if (IsIntegral(v)) {
    int64_t i = v.integral();
    if (i == std::numeric_limits<int64_t>::min()) return Value::Real(-static_cast<double>(i));
    return Value::Integer(i < 0 ? -i : i);
  }
  double r = RealOf(v);
  return Value::Real(r < 0 ? -r : r);
}

Value Round(const Value& x, const Value* digits) {
  int n = 0;
  if (digits != nullptr) {
    if (digits->is_null()) return Value();
    n = static_cast<int>(IntOf(*digits));
    if (n > 30) n = 30;
    if (n < 0) n = 0;
  }
  if (x.is_null()) return Value();
  double r = RealOf(x);
  if (r < -4503599627370496.0 || r > +4503599627370496.0) {
    // Already integral: nothing to round.
  } else if (n == 0) {
    r = static_cast<double>(static_cast<int64_t>(r + (r < 0 ? -0.5 : +0.5)));
  } else {
    sqlite_number::AtoF(sqlite_number::FormatFixed(r, n), &r);
  }
  if (std::isnan(r)) return Value();
  return Value::Real(r);
}

Type AbsType(Type arg) {
  switch (arg) {
    case Type::kInteger:
    case Type::kBoolean:
    case Type::kTimestamp:
      return Type::kInteger;
    case Type::kReal:
    case Type::kText:
      return Type::kReal;
    case Type::kNull:
      return Type::kNull;
  }
  return Type::kNull;
}

Type ResultType(ScalarFunction fn, const std::vector<ExprPtr>& args) {
  switch (fn) {
    case ScalarFunction::kLower:
    case ScalarFunction::kUpper:
      return Type::kText;
    case ScalarFunction::kLength:
      return Type::kInteger;
    case ScalarFunction::kAbs:
      return AbsType(args[0]->type());
    case ScalarFunction::kRound:
      return Type::kReal;
  }
  return Type::kNull;
}

class FunctionExpr final : public Expr {
 public:
  FunctionExpr(ScalarFunction fn, std::vector<ExprPtr> args)
      : Expr(ResultType(fn, args)), fn_(fn), arg_(args[0]) {
    if (args.size() > 1) second_.emplace(args[1]);
  }

  Value Eval(const Row& row) const override {
    Value s, s2;
    const Value& v = arg_.Get(row, s);
    if (fn_ == ScalarFunction::kRound) {
      return Round(v, second_ ? &second_->Get(row, s2) : nullptr);
    }
    if (v.is_null()) return Value();
    switch (fn_) {
      case ScalarFunction::kLower:
        return ChangeCase(v, false);
      case ScalarFunction::kUpper:
        return ChangeCase(v, true);
      case ScalarFunction::kLength:
        return Length(v);
      default:
        return Abs(v);
    }
  }

  std::string ToString() const override {
    std::string out = std::string(FunctionName(fn_)) + "(" + arg_.ToString();
    if (second_) out += ", " + second_->ToString();
    return out + ")";
  }

 private:
  ScalarFunction fn_;
  Operand arg_;
  std::optional<Operand> second_;
};

}  // namespace
}  // namespace expr_internal

ExprPtr MakeFunction(ScalarFunction fn, std::vector<ExprPtr> args) {
  using namespace expr_internal;
  size_t max_args = fn == ScalarFunction::kRound ? 2 : 1;
  if (args.empty() || args.size() > max_args) {
    throw Error(ErrorCode::kSchema,
                fmt::format("wrong number of arguments to function {}()", FunctionName(fn)));
  }
  for (const ExprPtr& e : args) RequireExpr(e, FunctionName(fn));
  return std::make_shared<FunctionExpr>(fn, std::move(args));
}

std::optional<ScalarFunction> FindScalarFunction(const std::string& name) {
  std::string lower = name;
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  for (ScalarFunction fn : {ScalarFunction::kLower, ScalarFunction::kUpper, ScalarFunction::kLength,
                            ScalarFunction::kAbs, ScalarFunction::kRound}) {
    if (lower == expr_internal::FunctionName(fn)) return fn;
  }
  return std::nullopt;
}

}  // namespace zload
