#include "engine/zset.h"

#include <algorithm>
#include <fmt/format.h>

namespace zload {

ZSet::ZSet(std::initializer_list<std::pair<Row, int64_t>> entries) {
  for (const auto& [row, w] : entries) Add(row, w);
}

void ZSet::Add(Row&& row, int64_t weight) {
  if (weight == 0) return;
  auto [it, inserted] = rows_.try_emplace(std::move(row), weight);
  if (!inserted && (it->second += weight) == 0) rows_.erase(it);
}

void ZSet::Add(const Row& row, int64_t weight) {
  if (weight == 0) return;
  auto it = rows_.find(row);
  if (it == rows_.end()) {
    rows_.emplace(row, weight);
  } else if ((it->second += weight) == 0) {
    rows_.erase(it);
  }
}

void ZSet::AddAll(const ZSet& other, int64_t scale) {
  for (const auto& [row, w] : other) Add(row, w * scale);
}

ZSet ZSet::Negated() const {
  ZSet out;
  out.rows_ = rows_;
  for (auto& entry : out.rows_) entry.second = -entry.second;
  return out;
}

int64_t ZSet::Weight(const Row& row) const {
  auto it = rows_.find(row);
  return it == rows_.end() ? 0 : it->second;
}

int64_t ZSet::TotalWeight() const {
  int64_t total = 0;
  for (const auto& entry : rows_) total += entry.second;
  return total;
}

std::vector<std::pair<Row, int64_t>> ZSet::Sorted() const {
  std::vector<std::pair<Row, int64_t>> out(rows_.begin(), rows_.end());
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
