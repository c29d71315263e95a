#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/ops/aggregate.h"
#include "engine/ops/aggregate_number.h"
#include "engine/row.h"

// The per-group accumulator of GroupReduceOp and its stored form. Internal to the operator.
namespace zload::aggregate_internal {

// What one aggregate of one group has accumulated. Which fields are used depends on the kind:
// COUNT(x) uses non_null; SUM and AVG use non_null, the exact integer total, the number of
// real-valued terms, their finite compensated total and the counts of infinite and NaN terms;
// MIN and MAX use non_null and the current extreme (NULL when there is none).
struct AggregateState {
  int64_t non_null = 0;
  Int128 integer_sum = 0;
  int64_t real_terms = 0;
  CompensatedSum real_sum;
  int64_t positive_infinities = 0;
  int64_t negative_infinities = 0;
  int64_t nans = 0;
  Value extreme;
};

// The layout of the `__groups` state table: group columns ++ total weight (COUNT(*)) ++ per
// aggregate its fields (COUNT(*): none; COUNT: non_null; SUM/AVG: non_null, integer total high
// and low halves, real_terms, real sum, compensation, +Inf, -Inf and NaN counts; MIN/MAX:
// non_null, extreme). Folds input rows into states and renders output rows.
class GroupAccumulator {
 public:
  GroupAccumulator(size_t group_width, std::vector<AggregateSpec> aggregates);

  size_t group_width() const { return group_width_; }
  size_t aggregate_count() const { return aggregates_.size(); }
  const std::vector<AggregateSpec>& aggregates() const { return aggregates_; }
  // The width of a stored accumulator row.
  size_t StoredArity() const { return stored_arity_; }

  // Adds `input` with weight `weight` to `states` (one per aggregate) for every aggregate but
  // MIN and MAX, whose values are tracked apart.
  void Fold(const Row& input, int64_t weight, AggregateState* states) const;
  // Adds the changes `delta` to `states`, fields by field (MIN/MAX extremes are left alone).
  void Merge(const AggregateState* delta, AggregateState* states) const;
  // Resets fields that are exactly zero when nothing contributes: a REAL total with no REAL
  // term left is 0, whatever rounding residue it holds; an extreme with no value is NULL.
  void Normalize(AggregateState* states) const;
  // True when a group with this total weight and these states has nothing left to keep.
  bool IsEmpty(int64_t count, const AggregateState* states) const;

  // Returns `key` ++ count ++ the stored fields of `states`.
  Row Encode(const Row& key, int64_t count, const AggregateState* states) const;
  // Reads a stored row into *count and `states`. Throws Error(kInternal) for a row of the wrong
  // width or types, naming `table`.
  void Decode(const Row& stored, const std::string& table, int64_t* count,
              AggregateState* states) const;

  // Returns `key` ++ one result per aggregate. Throws Error(kConstraint) when an integer SUM
  // does not fit an int64.
  Row Output(const Row& key, int64_t count, const AggregateState* states) const;

 private:
  size_t group_width_;
  std::vector<AggregateSpec> aggregates_;
  std::vector<size_t> offsets_;  // where each aggregate's fields start in a stored row
  size_t stored_arity_;
};

// The number of stored fields of an aggregate of `kind`.
size_t StoredFieldCount(AggregateKind kind);

// True when `a` is a better MIN (or MAX) result than `b`: it sorts first (last) by SqlCompare;
// between SQL-equal values of different types (1 and 1.0) the lower type wins, so that the
// result does not depend on arrival order. REQUIRES: neither is NULL.
bool PreferredExtreme(AggregateKind kind, const Value& a, const Value& b);

}  // namespace zload::aggregate_internal
