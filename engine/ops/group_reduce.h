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
//
// State tables (layout in engine/ops/group_accumulator.h):
//   `<prefix>__groups`: one row per group, group columns ++ COUNT(*) ++ each aggregate's fields,
//     weight 1, indexed by the group columns and declared one row per key (no index when `group_by`
//     is empty: one row, read whole). A row stays while any of its counts or integer totals is
//     non-zero.
//   `<prefix>__extrema<i>` for each column of a MIN/MAX aggregate (i: the first such aggregate
//     of that column; MIN and MAX of one column share it): group columns ++ value, weighted by
//     the value's multiplicity, indexed like `__groups`. Read only for groups whose current
//     extreme loses copies in a step.
// Each Step() makes one Lookup and at most one Apply per table.
//
// Results follow SQLite 3.40, with these deliberate differences:
// - Integer SUM: totals are kept exactly (128 bits), so SUM fails only when the group's exact
//   total does not fit an int64; Step() and Evaluate() then throw Error(kConstraint,
//   "integer overflow in SUM ... for group (...)") before any state changes. SQLite fails when
//   any running partial sum overflows, which depends on row order.
// - REAL SUM/AVG use compensated (Neumaier) summation, accurate to a few ulps of the exact
//   total of the rows present; SQLite 3.40 adds doubles in row order. Infinite and NaN values
//   are counted apart, so deleting them is exact; a NaN total is NULL, as in SQLite. Finite
//   totals beyond the double range are not supported.
// - MIN/MAX between SQL-equal values of different types (1 and 1.0, 1 and TRUE) return the
//   value of the lower Type (INTEGER before REAL before BOOLEAN before TIMESTAMP); SQLite keeps
//   whichever came first.
// Inputs whose integral has negative weights are folded like any other (counts and integer
// totals stay exact); REAL totals are reset to 0 whenever no REAL term remains.
// Evaluate() folds each group's whole input with its own arithmetic (long double REAL totals).
// Not thread-safe.
class GroupReduceOp : public Operator {
 public:
  // Throws Error(kInternal) when a group column or aggregate argument is not below input_arity.
  GroupReduceOp(size_t input_arity, std::vector<size_t> group_by,
                std::vector<AggregateSpec> aggregates);
  ~GroupReduceOp() override;
  std::string Kind() const override { return "group_reduce"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;
  // The input columns grouped by; they are the first output columns, in this order.
  const std::vector<size_t>& group_by() const { return group_by_; }

 private:
  struct State;
  size_t input_arity_;
  std::vector<size_t> group_by_;
  std::vector<AggregateSpec> aggregates_;
  std::unique_ptr<State> state_;  // the bound state tables
};

}  // namespace zload
