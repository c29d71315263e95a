#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/row.h"

namespace zload {

// A Z-set: a finite map from rows to non-zero int64 weights. Inserting a row is weight +1,
// deleting it -1; weights of equal rows add, and a row whose weight reaches 0 is absent.
// Not thread-safe for concurrent mutation.
class ZSet {
 public:
  using Map = std::unordered_map<Row, int64_t, RowHash>;
  using const_iterator = Map::const_iterator;

  ZSet() = default;
  // Builds from (row, weight) pairs; equal rows add.
  ZSet(std::initializer_list<std::pair<Row, int64_t>> entries);

  // Adds `weight` to `row`'s weight; a zero weight is a no-op.
  void Add(Row&& row, int64_t weight);
  void Add(const Row& row, int64_t weight);
  // Adds every (row, w) of `other` as (row, scale * w).
  void AddAll(const ZSet& other, int64_t scale = 1);
  // Returns {(row, -w)} for each (row, w).
  ZSet Negated() const;
  // The weight of `row`, 0 when absent.
  int64_t Weight(const Row& row) const;
  // Sum of all weights (the multiset's cardinality when weights are positive).
  int64_t TotalWeight() const;

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  void Reserve(size_t n) { rows_.reserve(n); }
  void Clear() { rows_.clear(); }
  const_iterator begin() const { return rows_.begin(); }
  const_iterator end() const { return rows_.end(); }

  // The entries sorted by row (TotalOrder), for deterministic output.
  std::vector<std::pair<Row, int64_t>> Sorted() const;
  // One "row x weight" line per entry, sorted: a failing comparison diffs like text.
  std::string ToString() const;

  bool operator==(const ZSet& other) const { return rows_ == other.rows_; }

 private:
  Map rows_;
};

}  // namespace zload
