#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "engine/row.h"

namespace zload {

// An open-addressing (linear probing) hash index of uint32 positions into a caller-owned
// array; each slot keeps its position's full 64-bit hash, so probes and erasures never read
// the caller's array except to confirm a match. Used by ZSet and MemoryStore; not thread-safe.
class PositionIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Where a probe ended: the slot holding a match (found) or the empty slot where it belongs.
  struct Probe {
    size_t slot;
    bool found;
  };

  size_t size() const { return size_; }

  // The position stored in `slot`. REQUIRES: slot came from a Probe with found == true.
  uint32_t at(size_t slot) const { return slots_[slot].pos; }
  // Replaces the position stored in a found slot (same hash).
  void set(size_t slot, uint32_t pos) { slots_[slot].pos = pos; }

  // Finds the slot of the position with hash `hash` for which eq(pos) holds.
  // REQUIRES: capacity() > 0 (call Reserve or EnsureRoom first).
  template <class Eq>
  Probe Find(uint64_t hash, Eq eq) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.pos == kNone) return {i, false};
      if (s.hash == hash && eq(s.pos)) return {i, true};
    }
  }
  // The position with hash `hash` for which eq(pos) holds, or kNone.
  template <class Eq>
  uint32_t FindPosition(uint64_t hash, Eq eq) const {
    if (size_ == 0) return kNone;
    Probe p = Find(hash, eq);
    return p.found ? slots_[p.slot].pos : kNone;
  }

  // Fills the empty slot `slot` (from a Probe made after the last EnsureRoom) with `pos`.
  void Fill(size_t slot, uint64_t hash, uint32_t pos) {
    slots_[slot] = Slot{hash, pos};
    ++size_;
  }

  // Makes room for one more position, growing when the load would pass 1/2. Invalidates
  // earlier Probes when it grows.
  void EnsureRoom() {
    if (2 * (size_ + 1) > slots_.size()) Rehash(std::max<size_t>(16, 2 * slots_.size()));
  }
  // Makes room for `n` positions in total.
  void Reserve(size_t n) {
    size_t want = 16;
    while (want < 2 * n) want *= 2;
    if (want > slots_.size()) Rehash(want);
  }

  // Empties the found slot `slot`, shifting later slots of its cluster back.
  void EraseSlot(size_t slot) {
    const size_t mask = slots_.size() - 1;
    size_t hole = slot;
    for (size_t j = (hole + 1) & mask; slots_[j].pos != kNone; j = (j + 1) & mask) {
      const size_t home = slots_[j].hash & mask;
      // Move slot j into the hole unless its home lies cyclically in (hole, j].
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!stays) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].pos = kNone;
    --size_;
  }
  // Finds the slot holding exactly `pos` (whose hash is `hash`). REQUIRES: it is present.
  size_t SlotOf(uint64_t hash, uint32_t pos) const {
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].pos != pos) i = (i + 1) & mask;
    return i;
  }

  // Removes every position, keeping the capacity.
  void Clear() {
    for (Slot& s : slots_) s.pos = kNone;
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t pos = kNone;
  };

  void Rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    const size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (s.pos == kNone) continue;
      size_t i = s.hash & mask;
      while (slots_[i].pos != kNone) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;  // empty or a power of two
  size_t size_ = 0;
};

// A Z-set: a finite map from rows to non-zero int64 weights. Inserting a row is weight +1,
// deleting it -1; weights of equal rows add, and a row whose weight reaches 0 is absent.
// Entries are stored contiguously (in no particular order) with each row's HashValues cached.
// Mutation invalidates iterators and entry references. Not thread-safe for concurrent mutation.
class ZSet {
 public:
  using Entry = std::pair<Row, int64_t>;
  using const_iterator = std::vector<Entry>::const_iterator;

  ZSet() = default;
  // Builds from (row, weight) pairs; equal rows add.
  ZSet(std::initializer_list<std::pair<Row, int64_t>> entries);

  // Adds `weight` to `row`'s weight; a zero weight is a no-op.
  void Add(Row&& row, int64_t weight);
  void Add(const Row& row, int64_t weight);
  // As Add, with `hash` == HashValues(row) already known.
  void AddHashed(Row&& row, uint64_t hash, int64_t weight);
  void AddHashed(const Row& row, uint64_t hash, int64_t weight);
  // Adds every (row, w) of `other` as (row, scale * w).
  void AddAll(const ZSet& other, int64_t scale = 1);
  // Returns {(row, -w)} for each (row, w).
  ZSet Negated() const;
  // The weight of `row`, 0 when absent.
  int64_t Weight(const Row& row) const;
  // As Weight, with `hash` == HashValues(row) already known.
  int64_t WeightHashed(const Row& row, uint64_t hash) const;
  // Sum of all weights (the multiset's cardinality when weights are positive).
  int64_t TotalWeight() const;

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void Reserve(size_t n);
  void Clear();
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  // HashValues() of the row at `it`, cached. REQUIRES: begin() <= it < end().
  uint64_t HashAt(const_iterator it) const { return hashes_[it - entries_.begin()]; }

  // The entries sorted by row (TotalOrder), for deterministic output.
  std::vector<std::pair<Row, int64_t>> Sorted() const;
  // One "row x weight" line per entry, sorted: a failing comparison diffs like text.
  std::string ToString() const;

  // Equal when both hold the same rows with the same weights, in whatever order.
  bool operator==(const ZSet& other) const;

 private:
  template <class R>
  void AddImpl(R&& row, uint64_t hash, int64_t weight);
  void EraseSlot(size_t slot);

  std::vector<Entry> entries_;
  std::vector<uint64_t> hashes_;  // hashes_[i] == HashValues(entries_[i].first)
  PositionIndex index_;           // positions into entries_, by row
};

}  // namespace zload
