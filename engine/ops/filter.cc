#include "engine/ops/filter.h"

namespace zload {

ZSet FilterOp::Evaluate(std::span<const ZSet* const> inputs) const {
  ZSet out;
  for (const auto& [row, w] : *inputs[0]) {
    if (IsTrue(predicate_->Eval(row))) out.Add(row, w);
  }
  return out;
}

}  // namespace zload
