#pragma once

#include "engine/operator.h"

namespace zload {

// Differentiate (a stream operator): Step() returns s[t] - s[t-1], with s[-1] empty. State: the
// previous input in `<prefix>__previous`. Evaluate() is the identity (whole contents are taken
// as the change from empty).
class DifferentiateOp : public Operator {
 public:
  explicit DifferentiateOp(size_t arity) : arity_(arity) {}
  std::string Kind() const override { return "differentiate"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override { return *inputs[0]; }

 private:
  size_t arity_;
  StateTable* previous_ = nullptr;
};

}  // namespace zload
