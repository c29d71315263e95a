#include "engine/expr_convert.h"

#include <limits>

#include "engine/expr_sqlite_number.h"

namespace zload {
namespace expr_internal {

namespace sn = sqlite_number;

std::string TextOf(const Value& v) {
  switch (v.type()) {
    case Type::kText:
      return v.as_text();
    case Type::kReal:
      return sn::RealToText(v.as_real());
    case Type::kNull:
      return std::string();
    default:
      return std::to_string(v.integral());
  }
}

double RealOf(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return 0.0;
    case Type::kReal:
      return v.as_real();
    case Type::kText: {
      double r;
      sn::AtoF(v.as_text(), &r);
      return r;
    }
    default:
      return static_cast<double>(v.integral());
  }
}

int64_t IntOf(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return 0;
    case Type::kReal:
      return sn::RealToInt64(v.as_real());
    case Type::kText: {
      int64_t i = 0;
      sn::Atoi64(v.as_text(), &i);
      return i;
    }
    default:
      return v.integral();
  }
}

Number ArithmeticNumber(const Value& v) {
  Number n;
  if (v.type() == Type::kReal) {
    n.is_int = false;
    n.r = v.as_real();
    return n;
  }
  if (v.type() != Type::kText) {
    n.i = v.integral();
    return n;
  }
  const std::string& text = v.as_text();
  int rc = sn::AtoF(text, &n.r);
  int64_t ix = 0;
  if (rc <= 0) {
    if (rc == 0 && sn::Atoi64(text, &ix) <= 1) {
      n.i = ix;
      return n;
    }
  } else if (rc == 1 && sn::Atoi64(text, &ix) == 0) {
    n.i = ix;
    return n;
  }
  n.is_int = false;
  return n;
}

bool ComparisonNumber(const std::string& text, Value* out) {
  double r;
  int rc = sn::AtoF(text, &r);
  if (rc <= 0) return false;
  int64_t i;
  // A pure integer that does not fit in an int64 stays a real.
  if (rc == 1 && sn::Atoi64(text, &i) == 0) {
    *out = Value::Integer(i);
  } else {
    *out = Value::Real(r);
  }
  return true;
}

Value NumericCast(const Value& v) {
  if (v.type() == Type::kReal) return v;
  if (v.type() != Type::kText) return Value::Integer(v.integral());
  const std::string& text = v.as_text();
  double r;
  int rc = sn::AtoF(text, &r);
  int64_t ix = 0;
  if ((rc == 0 || rc == 1) && sn::Atoi64(text, &ix) <= 1) return Value::Integer(ix);
  // (i64)r outside the int64 range is undefined in C; on SQLite's platforms it never compares
  // equal, so such values stay real.
  if (r > -9223372036854775808.0 && r < 9223372036854775808.0) {
    ix = static_cast<int64_t>(r);
    if (sn::RealSameAsInt(r, ix)) return Value::Integer(ix);
  }
  return Value::Real(r);
}

Affinity DeclaredAffinity(Type type) {
  switch (type) {
    case Type::kInteger:
      return Affinity::kInteger;
    case Type::kReal:
      return Affinity::kReal;
    case Type::kText:
      return Affinity::kText;
    case Type::kBoolean:
    case Type::kTimestamp:
      return Affinity::kNumeric;
    case Type::kNull:
      return Affinity::kNone;
  }
  return Affinity::kNone;
}

Affinity ComparisonAffinity(Affinity a, Affinity b) {
  if (a != Affinity::kNone && b != Affinity::kNone) {
    if (IsNumericAffinity(a) || IsNumericAffinity(b)) return Affinity::kNumeric;
    return Affinity::kNone;
  }
  return a == Affinity::kNone ? b : a;
}

}  // namespace expr_internal

bool IsTrue(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return false;
    case Type::kReal:
      return v.as_real() != 0.0;
    case Type::kText:
      return expr_internal::RealOf(v) != 0.0;
    default:
      return v.integral() != 0;
  }
}

}  // namespace zload
