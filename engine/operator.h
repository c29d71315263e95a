#pragma once

#include <span>
#include <string>

#include "engine/state_store.h"
#include "engine/zset.h"

namespace zload {

// One vertex's computation. An operator maps input Z-sets to an output Z-set in two ways that
// must agree: Step() is incremental (input deltas in, output delta out, state updated) and
// Evaluate() is its non-incremental twin (whole inputs in, whole output out, no state). For every
// sequence of deltas, the sum of Step() outputs equals Evaluate() of the summed inputs.
class Operator {
 public:
  virtual ~Operator() = default;
  // A short name of the operator kind, e.g. "join".
  virtual std::string Kind() const = 0;
  // Opens the state tables the operator keeps, with names starting with `prefix`. Called once,
  // before the first Step(). Stateless operators keep nothing.
  virtual void Bind(StateStore& /*store*/, const std::string& /*prefix*/) {}
  // Consumes one delta per input (in input order) and returns the output delta.
  virtual ZSet Step(std::span<const ZSet* const> deltas) = 0;
  // Returns the whole output for whole inputs; reads and writes no state.
  virtual ZSet Evaluate(std::span<const ZSet* const> inputs) const = 0;
};

}  // namespace zload
