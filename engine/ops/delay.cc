#include "engine/ops/delay.h"

#include "engine/ops/stream_state.h"

namespace zload {

void DelayOp::Bind(StateStore& store, const std::string& prefix) {
  delayed_ = &store.Open({.name = prefix + "__delayed", .arity = arity_, .indexes = {}});
}

ZSet DelayOp::Step(std::span<const ZSet* const> deltas) {
  const ZSet& input = stream_internal::CheckedDelta("delay", delayed_, deltas, arity_);
  ZSet previous = stream_internal::ReadAll(*delayed_);
  ZSet change = input;
  change.AddAll(previous, -1);
  if (!change.empty()) delayed_->Apply(change);
  return previous;
}

}  // namespace zload
