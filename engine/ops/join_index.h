#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/row.h"
#include "engine/zset.h"

// What JoinOp and LeftJoinOp share: grouping a delta's rows by join key, so that each side's
// state is read with one batched look-up, and small row builders. Private to engine/ops.

namespace zload {

// One (row, weight) entry of a ZSet.
using ZSetEntry = ZSet::Entry;

// Throws Error(kInternal) unless left_keys.size() == right_keys.size() > 0 and every key column
// lies within its side's arity. `kind` names the operator in the message.
void CheckJoinKeys(const char* kind, size_t left_arity, std::span<const size_t> left_keys,
                   size_t right_arity, std::span<const size_t> right_keys);

// True when any of `row`'s values at `columns` is NULL: such a row matches nothing.
bool HasNullAt(const Row& row, std::span<const size_t> columns);

// Returns `row` followed by `nulls` NULL values.
Row PadWithNulls(const Row& row, size_t nulls);

// The entries of one delta grouped by the values of their key columns. Keys are distinct,
// contain no NULL, and are numbered 0..keys().size()-1 in first-seen order; entries with a NULL
// key column are set apart. Borrows the delta: it must outlive this object, unchanged.
class DeltaKeyGroups {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  DeltaKeyGroups(const ZSet& delta, std::span<const size_t> key_columns);

  // The distinct non-NULL keys, ready for StateTable::Lookup.
  const std::vector<Row>& keys() const { return keys_; }
  // The entries whose key is keys()[pos].
  std::span<const ZSetEntry* const> group(uint32_t pos) const {
    return {grouped_.data() + offsets_[pos], grouped_.data() + offsets_[pos + 1]};
  }
  // The entries with a NULL in a key column.
  std::span<const ZSetEntry* const> null_keyed() const { return null_keyed_; }
  // The position of `key` in keys(), or kNone.
  uint32_t FindKey(const Row& key) const;

 private:
  std::vector<Row> keys_;
  std::vector<uint64_t> key_hashes_;
  std::vector<uint32_t> slots_;    // open addressing over key positions; kNone is empty
  std::vector<uint32_t> offsets_;  // keys_.size() + 1 bounds into grouped_
  std::vector<const ZSetEntry*> grouped_;
  std::vector<const ZSetEntry*> null_keyed_;
};

}  // namespace zload
