#pragma once

#include "engine/operator.h"

namespace zload {

// DISTINCT: emits (row, 1) for each row whose total weight is positive.
// Incremental: for each row in the delta, compares its integrated weight before and after and
// emits +1 when it becomes positive, -1 when it stops being positive. State: the integral of
// the input in `<prefix>__integral`.
class DistinctOp : public Operator {
 public:
  explicit DistinctOp(size_t arity) : arity_(arity) {}
  std::string Kind() const override { return "distinct"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;

 private:
  size_t arity_;
  StateTable* integral_ = nullptr;
};

}  // namespace zload
