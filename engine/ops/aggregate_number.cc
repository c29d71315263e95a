#include "engine/ops/aggregate_number.h"

#include <cmath>

#include "engine/expr_sqlite_number.h"

namespace zload::aggregate_internal {

SumTerm ReadSumTerm(const Value& v) {
  switch (v.type()) {
    case Type::kInteger:
    case Type::kBoolean:
    case Type::kTimestamp:
      return {.is_integer = true, .integer = v.integral()};
    case Type::kReal:
      return {.is_integer = false, .real = v.as_real()};
    case Type::kNull:
    case Type::kText:
      break;
  }
  const std::string& text = v.as_text();
  double real = 0.0;
  // applyNumericAffinity: only text that is wholly one integer becomes an integer
  // (alsoAnInt); any other text is summed as sqlite3_value_double reads it.
  if (sqlite_number::AtoF(text, &real) == 1) {
    int64_t integer = sqlite_number::RealToInt64(real);
    if (sqlite_number::RealSameAsInt(real, integer) || sqlite_number::Atoi64(text, &integer) == 0) {
      return {.is_integer = true, .integer = integer};
    }
  }
  return {.is_integer = false, .real = real};
}

void CompensatedSum::Add(double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x)) {
    compensation += (sum - t) + x;
  } else {
    compensation += (x - t) + sum;
  }
  sum = t;
}

void CompensatedSum::AddTimes(double x, int64_t weight) {
  if (weight == 1) return Add(x);
  if (weight == -1) return Add(-x);
  double w = static_cast<double>(weight);
  double product = x * w;
  Add(product);
  // The rounding error of the product, exactly (weights beyond 2^53 round once more).
  compensation += std::fma(x, w, -product);
}

void CompensatedSum::Merge(const CompensatedSum& other) {
  Add(other.sum);
  compensation += other.compensation;
}

}  // namespace zload::aggregate_internal
