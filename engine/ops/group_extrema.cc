#include "engine/ops/group_extrema.h"

#include <algorithm>

namespace zload::aggregate_internal {
namespace {

bool ChangeLess(const ExtremaChange& a, const ExtremaChange& b) {
  if (a.slot != b.slot) return a.slot < b.slot;
  if (a.group != b.group) return a.group < b.group;
  return TotalOrder(*a.value, *b.value) < 0;
}

// Keeps in *best the preferred of *best and `candidate` (a NULL *best loses to anything).
void Consider(AggregateKind kind, const Value& candidate, Value* best) {
  if (best->is_null() || PreferredExtreme(kind, candidate, *best)) *best = candidate;
}

// The changes of one group within a slot's span.
struct GroupRange {
  uint32_t group;
  size_t begin, end;
};

}  // namespace

void ExtremaChanges::Consolidate() {
  std::sort(changes_.begin(), changes_.end(), ChangeLess);
  size_t out = 0;
  for (size_t i = 0; i < changes_.size();) {
    ExtremaChange merged = changes_[i];
    size_t j = i + 1;
    // TotalOrder-equal values are structurally equal, so neighbours are the duplicates.
    for (; j < changes_.size() && changes_[j].slot == merged.slot &&
           changes_[j].group == merged.group && *changes_[j].value == *merged.value;
         ++j) {
      merged.weight += changes_[j].weight;
    }
    if (merged.weight != 0) changes_[out++] = merged;
    i = j;
  }
  changes_.resize(out);
}

std::span<const ExtremaChange> ExtremaChanges::Slot(uint32_t slot) const {
  auto lo = std::lower_bound(changes_.begin(), changes_.end(), slot,
                             [](const ExtremaChange& c, uint32_t s) { return c.slot < s; });
  auto hi = std::upper_bound(lo, changes_.end(), slot,
                             [](uint32_t s, const ExtremaChange& c) { return s < c.slot; });
  return {lo, hi};
}

ZSet UpdateExtrema(const ExtremaStep& step, StateTable& table, bool whole_table) {
  const std::span<const ExtremaChange> changes = step.changes;
  ZSet table_delta;
  table_delta.Reserve(changes.size());
  std::vector<GroupRange> recompute;
  std::vector<Row> recompute_keys;
  for (size_t begin = 0; begin < changes.size();) {
    const uint32_t group = changes[begin].group;
    size_t end = begin;
    while (end < changes.size() && changes[end].group == group) ++end;
    const Row& key = step.keys[group];
    const Value& old_extreme =
        step.old_states[group * step.aggregate_count + step.aggregate].extreme;
    bool retracted = false;
    for (size_t i = begin; i < end; ++i) {
      const ExtremaChange& c = changes[i];
      if (c.weight < 0 && *c.value == old_extreme) retracted = true;
      Row stored = key;
      stored.push_back(*c.value);
      table_delta.Add(std::move(stored), c.weight);
    }
    if (retracted) {
      recompute.push_back({group, begin, end});
      recompute_keys.push_back(key);
    } else {
      Value& best = step.new_states[group * step.aggregate_count + step.aggregate].extreme;
      best = old_extreme;
      for (size_t i = begin; i < end; ++i) {
        if (changes[i].weight > 0) Consider(step.kind, *changes[i].value, &best);
      }
    }
    begin = end;
  }
  if (recompute.empty()) return table_delta;

  // The stored multiplicity of a value plus its change decides whether it remains.
  std::vector<Value> best(recompute.size());
  std::vector<bool> seen(changes.size(), false);
  const size_t value_column = step.keys[recompute[0].group].size();
  auto visit = [&](size_t pos, const Row& row, int64_t weight) {
    const GroupRange& range = recompute[pos];
    const Value& value = row[value_column];
    auto first = changes.begin() + range.begin, last = changes.begin() + range.end;
    auto it = std::lower_bound(first, last, value, [](const ExtremaChange& c, const Value& v) {
      return TotalOrder(*c.value, v) < 0;
    });
    if (it != last && *it->value == value) {
      weight += it->weight;
      seen[it - changes.begin()] = true;
    }
    if (weight > 0) Consider(step.kind, value, &best[pos]);
  };
  if (whole_table) {
    table.Scan([&](const Row& row, int64_t weight) { visit(0, row, weight); });
  } else {
    table.Lookup(0, recompute_keys, visit);
  }
  for (size_t pos = 0; pos < recompute.size(); ++pos) {
    const GroupRange& range = recompute[pos];
    for (size_t i = range.begin; i < range.end; ++i) {
      if (!seen[i] && changes[i].weight > 0) Consider(step.kind, *changes[i].value, &best[pos]);
    }
    step.new_states[range.group * step.aggregate_count + step.aggregate].extreme =
        std::move(best[pos]);
  }
  return table_delta;
}

}  // namespace zload::aggregate_internal
