#pragma once

#include <optional>

#include "engine/expr.h"
#include "engine/value.h"

// SQLite's comparison of two values under an affinity. Internal to the expression evaluator.
namespace zload::expr_internal {

// Compares `a` with `b` after applying `affinity` to both as SQLite's comparison opcodes do
// (numeric affinity turns number-looking text into numbers, TEXT affinity renders numbers as
// text): negative, zero or positive; nullopt when either side is NULL.
std::optional<int> CompareUnder(const Value& a, const Value& b, Affinity affinity);

// Whether an ordering `cmp` (negative, zero, positive) satisfies comparison operator `op`.
inline bool Satisfies(BinaryOp op, int cmp) {
  switch (op) {
    case BinaryOp::kEq:
      return cmp == 0;
    case BinaryOp::kNe:
      return cmp != 0;
    case BinaryOp::kLt:
      return cmp < 0;
    case BinaryOp::kLe:
      return cmp <= 0;
    case BinaryOp::kGt:
      return cmp > 0;
    default:
      return cmp >= 0;
  }
}

// The INTEGER 0/1 result of `a op b` under `affinity`, or NULL.
inline Value CompareValue(BinaryOp op, const Value& a, const Value& b, Affinity affinity) {
  std::optional<int> cmp = CompareUnder(a, b, affinity);
  if (!cmp) return Value();
  return Value::Integer(Satisfies(op, *cmp) ? 1 : 0);
}

}  // namespace zload::expr_internal
