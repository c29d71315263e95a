#include "engine/ops/join_index.h"

#include <bit>

#include "engine/error.h"

namespace zload {

void CheckJoinKeys(const char* kind, size_t left_arity, std::span<const size_t> left_keys,
                   size_t right_arity, std::span<const size_t> right_keys) {
  if (left_keys.empty() || left_keys.size() != right_keys.size()) {
    throw Error(ErrorCode::kInternal, std::string(kind) + ": " + std::to_string(left_keys.size()) +
                                          " left and " + std::to_string(right_keys.size()) +
                                          " right key columns; need the same non-zero count");
  }
  for (size_t c : left_keys) {
    if (c >= left_arity) {
      throw Error(ErrorCode::kInternal, std::string(kind) + ": left key column " +
                                            std::to_string(c) + " outside arity " +
                                            std::to_string(left_arity));
    }
  }
  for (size_t c : right_keys) {
    if (c >= right_arity) {
      throw Error(ErrorCode::kInternal, std::string(kind) + ": right key column " +
                                            std::to_string(c) + " outside arity " +
                                            std::to_string(right_arity));
    }
  }
}

bool HasNullAt(const Row& row, std::span<const size_t> columns) {
  for (size_t c : columns) {
    if (row[c].is_null()) return true;
  }
  return false;
}

Row PadWithNulls(const Row& row, size_t nulls) {
  Row out;
  out.reserve(row.size() + nulls);
  out.insert(out.end(), row.begin(), row.end());
  out.resize(row.size() + nulls);
  return out;
}

DeltaKeyGroups::DeltaKeyGroups(const ZSet& delta, std::span<const size_t> key_columns) {
  // Capacity for every row having its own key keeps the load factor at most 1/2.
  slots_.assign(std::bit_ceil(2 * delta.size() + 2), kNone);
  const size_t mask = slots_.size() - 1;
  std::vector<const ZSetEntry*> entries;
  std::vector<uint32_t> entry_key;
  entries.reserve(delta.size());
  entry_key.reserve(delta.size());
  for (const ZSetEntry& entry : delta) {
    const Row& row = entry.first;
    if (HasNullAt(row, key_columns)) {
      null_keyed_.push_back(&entry);
      continue;
    }
    const uint64_t hash = HashColumns(row, key_columns);
    size_t slot = hash & mask;
    uint32_t pos = kNone;
    for (; slots_[slot] != kNone; slot = (slot + 1) & mask) {
      const uint32_t candidate = slots_[slot];
      if (key_hashes_[candidate] != hash) continue;
      const Row& key = keys_[candidate];
      bool equal = true;
      for (size_t i = 0; i < key_columns.size() && equal; ++i) {
        equal = key[i] == row[key_columns[i]];
      }
      if (equal) {
        pos = candidate;
        break;
      }
    }
    if (pos == kNone) {
      pos = static_cast<uint32_t>(keys_.size());
      slots_[slot] = pos;
      keys_.push_back(Pick(row, key_columns));
      key_hashes_.push_back(hash);
    }
    entries.push_back(&entry);
    entry_key.push_back(pos);
  }
  // Counting sort of the entries by key position.
  offsets_.assign(keys_.size() + 1, 0);
  for (uint32_t pos : entry_key) ++offsets_[pos + 1];
  for (size_t i = 1; i < offsets_.size(); ++i) offsets_[i] += offsets_[i - 1];
  grouped_.resize(entries.size());
  std::vector<uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (size_t i = 0; i < entries.size(); ++i) grouped_[fill[entry_key[i]]++] = entries[i];
}

uint32_t DeltaKeyGroups::FindKey(const Row& key) const {
  const uint64_t hash = HashValues(key);
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask; slots_[slot] != kNone; slot = (slot + 1) & mask) {
    const uint32_t candidate = slots_[slot];
    if (key_hashes_[candidate] == hash && keys_[candidate] == key) return candidate;
  }
  return kNone;
}

}  // namespace zload
