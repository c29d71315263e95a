#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/ops/group_accumulator.h"
#include "engine/state_store.h"

// MIN and MAX of GroupReduceOp: the per-step changes to each group's multiset of values and
// the exact replacement of a retracted extreme. Internal to the operator.
namespace zload::aggregate_internal {

// One change to the multiset of values of one MIN/MAX aggregate in one group.
struct ExtremaChange {
  uint32_t slot;   // which MIN/MAX aggregate (its rank among them)
  uint32_t group;  // the group's position in the step
  const Value* value;
  int64_t weight;
};

// The changes of one step to every MIN/MAX aggregate's multisets. Values are borrowed from the
// delta, which must outlive this object.
class ExtremaChanges {
 public:
  // Records `weight` more copies of `*value`. REQUIRES: !value->is_null().
  void Add(uint32_t slot, uint32_t group, const Value* value, int64_t weight) {
    changes_.push_back({slot, group, value, weight});
  }
  // Sorts by (slot, group, value), adds the weights of equal values and drops zero weights.
  void Consolidate();
  // The consolidated changes of `slot`, ordered by group then value (TotalOrder).
  std::span<const ExtremaChange> Slot(uint32_t slot) const;

 private:
  std::vector<ExtremaChange> changes_;
};

// What UpdateExtrema needs to know about one step.
struct ExtremaStep {
  AggregateKind kind;                      // kMin or kMax
  size_t aggregate;                        // the aggregate's index in the states of a group
  size_t aggregate_count;                  // states per group
  std::span<const Row> keys;               // each group's key, by position
  const AggregateState* old_states;        // per group, aggregate_count states before the step
  AggregateState* new_states;              // per group, where the new extreme is written
  std::span<const ExtremaChange> changes;  // the consolidated changes of this aggregate
};

// Sets the new extreme of every group with changes and returns the changes as a delta of the
// aggregate's state table (rows key ++ value, weight = change in multiplicity). A group's stored
// values are read (one batched Lookup on index 0 of `table`, or a Scan when `whole_table`, i.e.
// when there is a single group and no index) only when its current extreme loses copies;
// otherwise the new extreme is the best of the old one and the values gaining copies.
ZSet UpdateExtrema(const ExtremaStep& step, StateTable& table, bool whole_table);

}  // namespace zload::aggregate_internal
