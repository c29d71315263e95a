#include "engine/ops/differentiate.h"

#include "engine/ops/stream_state.h"

namespace zload {

void DifferentiateOp::Bind(StateStore& store, const std::string& prefix) {
  previous_ = &store.Open({.name = prefix + "__previous", .arity = arity_, .indexes = {}});
}

ZSet DifferentiateOp::Step(std::span<const ZSet* const> deltas) {
  const ZSet& input = stream_internal::CheckedDelta("differentiate", previous_, deltas, arity_);
  // s[t] - s[t-1] is also exactly the change that turns the stored s[t-1] into s[t].
  ZSet change = input;
  change.AddAll(stream_internal::ReadAll(*previous_), -1);
  if (!change.empty()) previous_->Apply(change);
  return change;
}

}  // namespace zload
