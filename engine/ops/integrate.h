#pragma once

#include "engine/operator.h"

namespace zload {

// Integrate (a stream operator): Step() returns the sum of every input given so far, s[0] + ...
// + s[t]. State: that sum in `<prefix>__integral`. Evaluate() is the identity: over whole
// contents (a constant stream at its fixed point) the integral of the changes is the contents.
class IntegrateOp : public Operator {
 public:
  explicit IntegrateOp(size_t arity) : arity_(arity) {}
  std::string Kind() const override { return "integrate"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override { return *inputs[0]; }

 private:
  size_t arity_;
  StateTable* integral_ = nullptr;
};

}  // namespace zload
