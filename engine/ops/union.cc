#include "engine/ops/union.h"

namespace zload {

ZSet UnionOp::Evaluate(std::span<const ZSet* const> inputs) const {
  ZSet out;
  for (const ZSet* in : inputs) out.AddAll(*in);
  return out;
}

}  // namespace zload
