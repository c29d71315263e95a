#include "engine/state_store.h"

#include <algorithm>

#include "engine/error.h"

namespace zload {

void StateTable::Replace(std::vector<Row> rows, std::span<const Row> removed_keys) {
  const StateTableSpec& s = spec();
  if (!s.one_row_per_key || s.indexes.empty()) {
    throw Error(ErrorCode::kInternal, "Replace() on a table not of one row per key",
                {.table = s.name});
  }
  std::vector<Row> keys;
  keys.reserve(rows.size() + removed_keys.size());
  for (const Row& row : rows) keys.push_back(Pick(row, s.indexes[0]));
  keys.insert(keys.end(), removed_keys.begin(), removed_keys.end());
  std::vector<Row> sorted = keys;
  std::sort(sorted.begin(), sorted.end(),
            [](const Row& a, const Row& b) { return CompareRows(a, b) < 0; });
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw Error(ErrorCode::kInternal, "Replace() names a key twice", {.table = s.name});
  }
  ZSet delta;
  Lookup(0, keys, [&](size_t, const Row& stored, int64_t weight) { delta.Add(stored, -weight); });
  for (Row& row : rows) delta.Add(std::move(row), 1);
  if (!delta.empty()) Apply(delta);
}

}  // namespace zload
