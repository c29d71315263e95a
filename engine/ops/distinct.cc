#include "engine/ops/distinct.h"

#include <vector>

#include "engine/error.h"

namespace zload {

void DistinctOp::Bind(StateStore& store, const std::string& prefix) {
  integral_ = &store.Open({.name = prefix + "__integral", .arity = arity_, .indexes = {}});
}

ZSet DistinctOp::Step(std::span<const ZSet* const> deltas) {
  if (integral_ == nullptr) throw Error(ErrorCode::kInternal, "distinct: Step() before Bind()");
  if (deltas.size() != 1) {
    throw Error(ErrorCode::kInternal,
                "distinct: Step() takes 1 delta, got " + std::to_string(deltas.size()));
  }
  const ZSet& delta = *deltas[0];
  ZSet out;
  if (delta.empty()) return out;
  std::vector<Row> rows;
  std::vector<int64_t> changes;
  rows.reserve(delta.size());
  changes.reserve(delta.size());
  for (const auto& [row, weight] : delta) {
    if (row.size() != arity_) {
      throw Error(ErrorCode::kInternal,
                  "distinct: input row of width " + std::to_string(row.size()) + ", expected " +
                      std::to_string(arity_),
                  {.table = integral_->spec().name});
    }
    rows.push_back(row);
    changes.push_back(weight);
  }
  const std::vector<int64_t> before = integral_->Weights(rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    const int64_t after = before[i] + changes[i];
    if (before[i] <= 0 && after > 0) out.Add(rows[i], 1);
    if (before[i] > 0 && after <= 0) out.Add(rows[i], -1);
  }
  integral_->Apply(delta);
  return out;
}

ZSet DistinctOp::Evaluate(std::span<const ZSet* const> inputs) const {
  if (inputs.size() != 1) {
    throw Error(ErrorCode::kInternal,
                "distinct: Evaluate() takes 1 input, got " + std::to_string(inputs.size()));
  }
  ZSet out;
  for (const auto& [row, weight] : *inputs[0]) {
    if (weight > 0) out.Add(row, 1);
  }
  return out;
}

}  // namespace zload
