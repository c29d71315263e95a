#pragma once

#include "engine/operator.h"

namespace zload {

// Union (Z-set addition, UNION ALL): emits the sum of its inputs' weights for every row.
// Linear and stateless; takes any number of inputs of the same width.
class UnionOp : public Operator {
 public:
  std::string Kind() const override { return "union"; }
  ZSet Step(std::span<const ZSet* const> deltas) override { return Evaluate(deltas); }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;
};

// Negation: emits (row, -w) for each input (row, w). Linear and stateless.
class NegateOp : public Operator {
 public:
  std::string Kind() const override { return "negate"; }
  ZSet Step(std::span<const ZSet* const> deltas) override { return Evaluate(deltas); }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override { return inputs[0]->Negated(); }
};

}  // namespace zload
