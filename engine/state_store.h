#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/row.h"
#include "engine/zset.h"

namespace zload {

// What a delay vertex keeps: a multiset of rows of a fixed width, with look-up indexes over
// column lists.
struct StateTableSpec {
  std::string name;                          // unique within a store
  size_t arity = 0;                          // width of every stored row
  std::vector<std::vector<size_t>> indexes;  // each: the column positions of one look-up key
  // When set, the table holds exactly the integral of the owning vertex's input at this
  // position (every row that input ever delivered, with its weight), read before the step's
  // own delta is applied: a store may serve it from that input's own table.
  std::optional<size_t> integral_of_input;
  // With integral_of_input: the input columns the table keeps, in order (every column when
  // empty); with skips_null_last, rows whose last kept column is NULL are not kept.
  std::vector<size_t> input_columns;
  bool skips_null_last = false;
  // When true, the table never holds two rows with the same key of indexes[0] (REQUIRES:
  // indexes is not empty): a store may keep it keyed by that key and update rows in place.
  bool one_row_per_key = false;
};

// The state of one delay vertex: keyed, weighted rows. Look-ups are batched: one call takes
// every key a delta touches. Index keys match structurally (a NULL key matches NULL columns).
class StateTable {
 public:
  // Called once per stored row matching keys[key_pos].
  using LookupVisitor = std::function<void(size_t key_pos, const Row& row, int64_t weight)>;
  using ScanVisitor = std::function<void(const Row& row, int64_t weight)>;

  virtual ~StateTable() = default;
  virtual const StateTableSpec& spec() const = 0;
  // Visits every stored row whose columns at spec().indexes[index] equal one of `keys`.
  // REQUIRES: index < spec().indexes.size(); each key has that index's width.
  virtual void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) = 0;
  // The stored weight of each row of `rows` (0 when absent), in order.
  virtual std::vector<int64_t> Weights(std::span<const Row> rows) = 0;
  // Adds the weights of `delta` to the stored rows; rows whose weight reaches 0 are removed.
  virtual void Apply(const ZSet& delta) = 0;
  // For a table of one row per key (spec().one_row_per_key): makes each of `rows` the one row
  // (weight 1) of its key and removes the row of each of `removed_keys` (keys of indexes[0]'s
  // width), whatever was stored under them. No key may appear twice among both (else
  // Error(kInternal)). What Apply() of those keys' stored rows negated plus `rows` does; a store
  // may do it without reading them.
  virtual void Replace(std::vector<Row> rows, std::span<const Row> removed_keys);
  // Visits every stored row, in no particular order.
  virtual void Scan(const ScanVisitor& visit) = 0;
  // The number of distinct stored rows.
  virtual size_t Size() = 0;
};

// Where delay vertices keep their state. The engine reaches state only through this interface;
// memory, SQLite and PostgreSQL implement it.
class StateStore {
 public:
  virtual ~StateStore() = default;
  // Opens (creating when absent) the table described by `spec`. The reference stays valid for
  // the store's lifetime. Throws Error(kSchema) when a table of that name has another shape.
  virtual StateTable& Open(const StateTableSpec& spec) = 0;
};

}  // namespace zload
