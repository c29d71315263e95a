#pragma once

#include <memory>
#include <vector>

#include "engine/operator.h"
#include "engine/ops/aggregate.h"

namespace zload {

// GROUP BY: partitions the input multiset by the values of `group_by` (NULLs form a group of
// their own) and emits, for each group whose total weight is positive, one row
// (group columns ++ one value per aggregate) with weight 1; an input row of weight w counts w
// times. With an empty `group_by` it emits exactly one row even for an empty input
// (COUNT = 0, other aggregates NULL), as SQL does.
// Incremental: only groups touched by a delta are updated; for each it emits (old row, -1) and
// (new row, +1) when they differ. State: per group an accumulator row (count, and per aggregate
// its running count / compensated sum), and for MIN/MAX the multiset of (group, value) so that
// a retracted extreme is replaced exactly. A group whose count reaches 0 disappears.
class GroupReduceOp : public Operator {
 public:
  GroupReduceOp(size_t input_arity, std::vector<size_t> group_by,
                std::vector<AggregateSpec> aggregates);
  ~GroupReduceOp() override;
  std::string Kind() const override { return "group_reduce"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;

 private:
  struct State;
  size_t input_arity_;
  std::vector<size_t> group_by_;
  std::vector<AggregateSpec> aggregates_;
  std::unique_ptr<State> state_;  // the bound state tables
};

}  // namespace zload
