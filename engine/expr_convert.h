#pragma once

#include <cstdint>
#include <string>

#include "engine/expr.h"
#include "engine/value.h"

// How SQLite 3.40 converts one value into another kind: the coercions that its arithmetic,
// comparisons, CAST and functions apply. Internal to the expression evaluator.
namespace zload::expr_internal {

// True for INTEGER, BOOLEAN and TIMESTAMP: the values SQLite stores as integers.
inline bool IsIntegral(const Value& v) {
  Type t = v.type();
  return t == Type::kInteger || t == Type::kBoolean || t == Type::kTimestamp;
}

// The value as SQLite renders it as text (sqlite3_value_text). REQUIRES: !v.is_null().
std::string TextOf(const Value& v);

// The value as a double (sqlite3VdbeRealValue): text converts its numeric prefix; NULL is 0.
double RealOf(const Value& v);

// The value as an int64 (sqlite3VdbeIntValue): reals truncate and saturate, text converts its
// integer prefix; NULL is 0.
int64_t IntOf(const Value& v);

// A number as SQLite's arithmetic sees an operand: an integer or a real.
struct Number {
  bool is_int = true;
  int64_t i = 0;
  double r = 0.0;
};

// The number an arithmetic operator reads from `v` (numericType in vdbe.c): '12abc' is 12,
// 'abc' is 0, '1.5' and '1e2' are reals. REQUIRES: !v.is_null().
Number ArithmeticNumber(const Value& v);

// Numeric affinity as a comparison applies it to text (applyNumericAffinity without forcing an
// integer): sets *out and returns true when the whole text is a number, else returns false.
bool ComparisonNumber(const std::string& text, Value* out);

// CAST(v AS NUMERIC): numbers stay (as INTEGER or REAL), text becomes an integer when it reads
// as one exactly and a real otherwise. REQUIRES: !v.is_null().
Value NumericCast(const Value& v);

// The affinity SQLite gives a column declared with `type`.
Affinity DeclaredAffinity(Type type);

// True for kNumeric, kInteger and kReal.
inline bool IsNumericAffinity(Affinity a) { return a >= Affinity::kNumeric; }

// The affinity a comparison of operands with affinities `a` and `b` applies to both
// (sqlite3CompareAffinity): numeric wins, two TEXT operands convert nothing.
Affinity ComparisonAffinity(Affinity a, Affinity b);

}  // namespace zload::expr_internal
