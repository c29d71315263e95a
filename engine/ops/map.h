#pragma once

#include <vector>

#include "engine/expr.h"
#include "engine/operator.h"

namespace zload {

// Projection / map: emits (f(row), w) for each input (row, w), where f(row) is the tuple of the
// expressions evaluated over row; rows that map to the same tuple add their weights.
// Linear and stateless: Evaluate() and Step() are the same function.
class MapOp : public Operator {
 public:
  explicit MapOp(std::vector<ExprPtr> exprs) : exprs_(std::move(exprs)) {}
  std::string Kind() const override { return "map"; }
  ZSet Step(std::span<const ZSet* const> deltas) override { return Evaluate(deltas); }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;
  // The expressions, one per output column.
  const std::vector<ExprPtr>& exprs() const { return exprs_; }

 private:
  std::vector<ExprPtr> exprs_;
};

}  // namespace zload
