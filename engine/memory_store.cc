#include "engine/memory_store.h"

#include <algorithm>

#include "engine/error.h"

namespace zload {
namespace {

// Rows live in `entries_` at stable positions (a removed row's slot, and its Row's capacity,
// is reused by a later insert). `by_row_` finds a row's position by its hash; each look-up index
// maps a key to the first entry holding it, and the entries sharing a key form a doubly linked
// list, so neither look-ups nor updates build key rows.
class MemoryTable : public StateTable {
 public:
  explicit MemoryTable(StateTableSpec spec) : spec_(std::move(spec)) {
    for (const std::vector<size_t>& columns : spec_.indexes) indexes_.push_back({columns});
  }

  const StateTableSpec& spec() const override { return spec_; }

  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
    const KeyIndex& ix = indexes_[index];
    for (size_t i = 0; i < keys.size(); ++i) {
      const Row& key = keys[i];
      const uint64_t hash = HashValues(key);
      const uint32_t head = ix.heads.FindPosition(
          hash, [&](uint32_t pos) { return ColumnsEqual(entries_[pos].row, ix.columns, key); });
      for (uint32_t pos = head; pos != kNone; pos = ix.next[pos]) {
        visit(i, entries_[pos].row, entries_[pos].weight);
      }
    }
  }

  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const Row& row : rows) {
      const uint32_t pos = FindRow(row, HashValues(row));
      out.push_back(pos == kNone ? 0 : entries_[pos].weight);
    }
    return out;
  }

  void Apply(const ZSet& delta) override {
    for (auto it = delta.begin(); it != delta.end(); ++it) {
      const Row& row = it->first;
      const int64_t w = it->second;
      if (row.size() != spec_.arity) {
        throw Error(ErrorCode::kInternal,
                    "row of width " + std::to_string(row.size()) + " applied to state of width " +
                        std::to_string(spec_.arity),
                    {.table = spec_.name});
      }
      const uint64_t hash = delta.HashAt(it);
      by_row_.EnsureRoom();
      const PositionIndex::Probe probe =
          by_row_.Find(hash, [&](uint32_t pos) { return entries_[pos].row == row; });
      if (!probe.found) {
        Insert(probe.slot, row, hash, w);
      } else if ((entries_[by_row_.at(probe.slot)].weight += w) == 0) {
        Remove(probe.slot);
      }
    }
  }

  void Scan(const ScanVisitor& visit) override {
    for (const Stored& entry : entries_) {
      if (entry.weight != 0) visit(entry.row, entry.weight);
    }
  }

  size_t Size() override { return by_row_.size(); }

 private:
  static constexpr uint32_t kNone = PositionIndex::kNone;

  struct Stored {
    Row row;             // empty (capacity kept) while the slot is free
    int64_t weight = 0;  // 0 while the slot is free
    uint64_t hash = 0;   // HashValues(row)
  };

  // One look-up index: the head entry of each distinct key, and per entry its neighbours with
  // the same key.
  struct KeyIndex {
    std::vector<size_t> columns;
    PositionIndex heads;
    std::vector<uint32_t> prev, next;
  };

  uint32_t FindRow(const Row& row, uint64_t hash) const {
    return by_row_.FindPosition(hash, [&](uint32_t pos) { return entries_[pos].row == row; });
  }

  // Stores `row` at a free position, filling `slot` of by_row_, and links it into each index.
  void Insert(size_t slot, const Row& row, uint64_t hash, int64_t weight) {
    uint32_t pos;
    if (!free_.empty()) {
      pos = free_.back();
      free_.pop_back();
    } else {
      pos = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
      for (KeyIndex& ix : indexes_) {
        ix.prev.push_back(kNone);
        ix.next.push_back(kNone);
      }
    }
    Stored& entry = entries_[pos];
    entry.row = row;  // copy-assignment reuses a freed row's capacity
    entry.weight = weight;
    entry.hash = hash;
    by_row_.Fill(slot, hash, pos);
    for (KeyIndex& ix : indexes_) {
      const uint64_t key_hash = HashColumns(entry.row, ix.columns);
      ix.heads.EnsureRoom();
      const PositionIndex::Probe head = ix.heads.Find(key_hash, [&](uint32_t other) {
        const Row& o = entries_[other].row;
        for (size_t c : ix.columns) {
          if (!(o[c] == entry.row[c])) return false;
        }
        return true;
      });
      if (!head.found) {
        ix.prev[pos] = ix.next[pos] = kNone;
        ix.heads.Fill(head.slot, key_hash, pos);
        continue;
      }
      // Link after the head, so the head slot stays as it is.
      const uint32_t first = ix.heads.at(head.slot);
      const uint32_t after = ix.next[first];
      ix.prev[pos] = first;
      ix.next[pos] = after;
      ix.next[first] = pos;
      if (after != kNone) ix.prev[after] = pos;
    }
  }

  // Removes the entry found at `slot` of by_row_ and frees its position.
  void Remove(size_t slot) {
    const uint32_t pos = by_row_.at(slot);
    for (KeyIndex& ix : indexes_) {
      const uint32_t before = ix.prev[pos], after = ix.next[pos];
      if (before != kNone) {
        ix.next[before] = after;
        if (after != kNone) ix.prev[after] = before;
        continue;
      }
      const size_t head_slot = ix.heads.SlotOf(HashColumns(entries_[pos].row, ix.columns), pos);
      if (after != kNone) {
        ix.heads.set(head_slot, after);
        ix.prev[after] = kNone;
      } else {
        ix.heads.EraseSlot(head_slot);
      }
    }
    by_row_.EraseSlot(slot);
    entries_[pos].row.clear();
    entries_[pos].weight = 0;
    free_.push_back(pos);
  }

  StateTableSpec spec_;
  std::vector<Stored> entries_;
  std::vector<uint32_t> free_;  // free positions in entries_
  PositionIndex by_row_;        // live positions, by row
  std::vector<KeyIndex> indexes_;
};

}  // namespace

std::unique_ptr<StateTable> MakeMemoryTable(StateTableSpec spec) {
  return std::make_unique<MemoryTable>(std::move(spec));
}

StateTable& MemoryStore::Open(const StateTableSpec& spec) {
  auto it = tables_.find(spec.name);
  if (it != tables_.end()) {
    const StateTableSpec& have = it->second->spec();
    if (have.arity != spec.arity || have.indexes != spec.indexes) {
      throw Error(ErrorCode::kSchema, "state table reopened with another shape",
                  {.table = spec.name});
    }
    return *it->second;
  }
  auto& slot = tables_[spec.name];
  slot = MakeMemoryTable(spec);
  return *slot;
}

std::vector<std::string> MemoryStore::TableNames() const {
  std::vector<std::string> names;
  for (const auto& entry : tables_) names.push_back(entry.first);
  return names;
}

}  // namespace zload
