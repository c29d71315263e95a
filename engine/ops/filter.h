#pragma once

#include "engine/expr.h"
#include "engine/operator.h"

namespace zload {

// Filter: emits (row, w) for each input (row, w) whose predicate is true (IsTrue: NULL and 0
// drop the row). Linear and stateless.
class FilterOp : public Operator {
 public:
  explicit FilterOp(ExprPtr predicate) : predicate_(std::move(predicate)) {}
  std::string Kind() const override { return "filter"; }
  ZSet Step(std::span<const ZSet* const> deltas) override { return Evaluate(deltas); }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;

 private:
  ExprPtr predicate_;
};

}  // namespace zload
