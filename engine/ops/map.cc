#include "engine/ops/map.h"

namespace zload {

ZSet MapOp::Evaluate(std::span<const ZSet* const> inputs) const {
  ZSet out;
  out.Reserve(inputs[0]->size());
  for (const auto& [row, w] : *inputs[0]) {
    Row mapped;
    mapped.reserve(exprs_.size());
    for (const ExprPtr& e : exprs_) mapped.push_back(e->Eval(row));
    out.Add(std::move(mapped), w);
  }
  return out;
}

}  // namespace zload
