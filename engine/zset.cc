#include "engine/zset.h"

#include <fmt/format.h>

#include <algorithm>

namespace zload {

ZSet::ZSet(std::initializer_list<std::pair<Row, int64_t>> entries) {
  for (const auto& [row, w] : entries) Add(row, w);
}

template <class R>
void ZSet::AddImpl(R&& row, uint64_t hash, int64_t weight) {
  if (weight == 0) return;
  index_.EnsureRoom();
  const PositionIndex::Probe probe =
      index_.Find(hash, [&](uint32_t pos) { return entries_[pos].first == row; });
  if (!probe.found) {
    index_.Fill(probe.slot, hash, static_cast<uint32_t>(entries_.size()));
    entries_.emplace_back(std::forward<R>(row), weight);
    hashes_.push_back(hash);
    return;
  }
  if ((entries_[index_.at(probe.slot)].second += weight) == 0) EraseSlot(probe.slot);
}

void ZSet::EraseSlot(size_t slot) {
  const uint32_t pos = index_.at(slot);
  index_.EraseSlot(slot);
  const uint32_t last = static_cast<uint32_t>(entries_.size() - 1);
  if (pos != last) {
    index_.set(index_.SlotOf(hashes_[last], last), pos);
    entries_[pos] = std::move(entries_[last]);
    hashes_[pos] = hashes_[last];
  }
  entries_.pop_back();
  hashes_.pop_back();
}

void ZSet::Add(Row&& row, int64_t weight) {
  if (weight == 0) return;
  const uint64_t hash = HashValues(row);
  AddImpl(std::move(row), hash, weight);
}

void ZSet::Add(const Row& row, int64_t weight) {
  if (weight == 0) return;
  AddImpl(row, HashValues(row), weight);
}

void ZSet::AddHashed(Row&& row, uint64_t hash, int64_t weight) {
  AddImpl(std::move(row), hash, weight);
}

void ZSet::AddHashed(const Row& row, uint64_t hash, int64_t weight) { AddImpl(row, hash, weight); }

void ZSet::AddAll(const ZSet& other, int64_t scale) {
  if (empty() && scale != 0) {
    Reserve(other.size());
  }
  for (size_t i = 0; i < other.entries_.size(); ++i) {
    AddImpl(other.entries_[i].first, other.hashes_[i], other.entries_[i].second * scale);
  }
}

ZSet ZSet::Negated() const {
  ZSet out = *this;
  for (Entry& entry : out.entries_) entry.second = -entry.second;
  return out;
}

int64_t ZSet::WeightHashed(const Row& row, uint64_t hash) const {
  const uint32_t pos =
      index_.FindPosition(hash, [&](uint32_t p) { return entries_[p].first == row; });
  return pos == PositionIndex::kNone ? 0 : entries_[pos].second;
}

int64_t ZSet::Weight(const Row& row) const {
  if (empty()) return 0;
  return WeightHashed(row, HashValues(row));
}

int64_t ZSet::TotalWeight() const {
  int64_t total = 0;
  for (const Entry& entry : entries_) total += entry.second;
  return total;
}

void ZSet::Reserve(size_t n) {
  entries_.reserve(n);
  hashes_.reserve(n);
  index_.Reserve(n);
}

void ZSet::Clear() {
  entries_.clear();
  hashes_.clear();
  index_.Clear();
}

bool ZSet::operator==(const ZSet& other) const {
  if (size() != other.size()) return false;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (other.WeightHashed(entries_[i].first, hashes_[i]) != entries_[i].second) return false;
  }
  return true;
}

std::vector<std::pair<Row, int64_t>> ZSet::Sorted() const {
  std::vector<std::pair<Row, int64_t>> out(entries_.begin(), entries_.end());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return CompareRows(a.first, b.first) < 0; });
  return out;
}

std::string ZSet::ToString() const {
  std::string s;
  for (const auto& [row, w] : Sorted()) s += fmt::format("{} x {}\n", RowToString(row), w);
  return s.empty() ? "{}\n" : s;
}

}  // namespace zload
