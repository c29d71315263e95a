#pragma once

#include "engine/operator.h"

namespace zload {

// Delay z^-1 (a stream operator): Step() returns the input of the previous step (empty at the
// first). State: the last input in `<prefix>__delayed`. Evaluate() is the identity (a constant
// stream delayed is the same constant).
class DelayOp : public Operator {
 public:
  explicit DelayOp(size_t arity) : arity_(arity) {}
  std::string Kind() const override { return "delay"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override { return *inputs[0]; }

 private:
  size_t arity_;
  StateTable* delayed_ = nullptr;
};

}  // namespace zload
