#include "engine/ops/integrate.h"

#include "engine/ops/stream_state.h"

namespace zload {

void IntegrateOp::Bind(StateStore& store, const std::string& prefix) {
  integral_ = &store.Open({.name = prefix + "__integral", .arity = arity_, .indexes = {}});
}

ZSet IntegrateOp::Step(std::span<const ZSet* const> deltas) {
  const ZSet& delta = stream_internal::CheckedDelta("integrate", integral_, deltas, arity_);
  if (!delta.empty()) integral_->Apply(delta);
  return stream_internal::ReadAll(*integral_);
}

}  // namespace zload
