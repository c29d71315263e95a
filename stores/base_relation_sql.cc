#include "stores/base_relation_sql.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/error.h"

namespace zload::base_relation_sql {

void CheckServes(const BaseRelation& relation, const StateTableSpec& spec, size_t types,
                 size_t primary_keys) {
  if (spec.arity != relation.columns.size() || types != relation.columns.size() ||
      primary_keys != relation.tables.size()) {
    throw Error(ErrorCode::kInternal,
                fmt::format("state of width {} served by a relation of width {}", spec.arity,
                            relation.columns.size()),
                {.table = spec.name});
  }
}

std::vector<std::pair<std::string, std::vector<std::string>>> WantedIndexes(
    const BaseRelation& relation, const StateTableSpec& spec,
    const std::vector<std::vector<std::string>>& primary_keys) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  auto want = [&](size_t table, std::vector<std::string> columns) {
    if (columns.empty() || columns == primary_keys.at(table)) return;
    out.emplace_back(relation.tables.at(table), std::move(columns));
  };
  for (const auto& [a, b] : relation.join_on) {
    want(a.table, {a.name});
    want(b.table, {b.name});
  }
  for (const std::vector<size_t>& index : spec.indexes) {
    std::map<size_t, std::vector<std::string>> by_table;
    for (size_t c : index)
      by_table[relation.columns.at(c).table].push_back(relation.columns[c].name);
    for (auto& [table, columns] : by_table) want(table, std::move(columns));
  }
  return out;
}

std::string IndexName(const std::string& table, const std::vector<std::string>& columns) {
  return fmt::format("{}__by__{}", table, fmt::join(columns, "__"));
}

std::string ColumnSql(const BaseRelation& relation, size_t column, const Quote& quote) {
  const BaseRelation::Column& c = relation.columns.at(column);
  return fmt::format("r{}.{}", c.table, quote(c.name));
}

std::string Select(const BaseRelation& relation, const Quote& quote, const std::string& condition) {
  std::vector<std::string> cols, from, where;
  for (size_t c = 0; c < relation.columns.size(); ++c)
    cols.push_back(ColumnSql(relation, c, quote));
  for (size_t t = 0; t < relation.tables.size(); ++t) {
    from.push_back(fmt::format("{} AS r{}", quote(relation.tables[t]), t));
  }
  for (const auto& [a, b] : relation.join_on) {
    where.push_back(fmt::format("r{}.{} = r{}.{}", a.table, quote(a.name), b.table, quote(b.name)));
  }
  for (const BaseRelation::Column& c : relation.non_null) {
    where.push_back(fmt::format("r{}.{} IS NOT NULL", c.table, quote(c.name)));
  }
  if (!condition.empty()) where.push_back(condition);
  return fmt::format("SELECT {} FROM {}{}{}", fmt::join(cols, ", "), fmt::join(from, ", "),
                     where.empty() ? "" : " WHERE ", fmt::join(where, " AND "));
}

void CheckArity(const StateTableSpec& spec, const ZSet& delta) {
  for (const auto& entry : delta) {
    if (entry.first.size() != spec.arity) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} applied to state of width {}", entry.first.size(),
                              spec.arity),
                  {.table = spec.name});
    }
  }
}

LookupMatches::LookupMatches(std::span<const Row> keys, const std::vector<size_t>& columns)
    : columns_(columns), next_same_(keys.size(), PositionIndex::kNone) {
  index_.Reserve(keys.size());
  std::vector<uint32_t> last;  // the last position seen of each distinct key
  for (size_t i = 0; i < keys.size(); ++i) {
    const Row& key = keys[i];
    const uint64_t hash = HashValues(key);
    const PositionIndex::Probe probe =
        index_.Find(hash, [&](uint32_t d) { return *distinct_[d] == key; });
    if (probe.found) {
      const uint32_t d = index_.at(probe.slot);
      next_same_[last[d]] = static_cast<uint32_t>(i);
      last[d] = static_cast<uint32_t>(i);
      continue;
    }
    index_.Fill(probe.slot, hash, static_cast<uint32_t>(distinct_.size()));
    distinct_.push_back(&key);
    first_.push_back(static_cast<uint32_t>(i));
    last.push_back(static_cast<uint32_t>(i));
    bool has_null = false;
    for (const Value& v : key) has_null |= v.is_null();
    (has_null ? with_null_ : plain_).push_back(&key);
  }
}

void LookupMatches::Add(Row row, const Row* only) {
  const uint32_t d = index_.FindPosition(HashColumns(row, columns_), [&](uint32_t at) {
    return ColumnsEqual(row, columns_, *distinct_[at]);
  });
  if (d == PositionIndex::kNone || (only && distinct_[d] != only)) return;
  matched_.emplace_back(d, std::move(row));
}

void LookupMatches::Visit(const StateTable::LookupVisitor& visit) const {
  // The matched rows grouped by key (a counting sort, keeping arrival order within a key).
  std::vector<uint32_t> start(distinct_.size() + 1, 0);
  for (const auto& m : matched_) ++start[m.first + 1];
  for (size_t d = 0; d < distinct_.size(); ++d) start[d + 1] += start[d];
  std::vector<uint32_t> order(matched_.size());
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < matched_.size(); ++i) {
      order[fill[matched_[i].first]++] = static_cast<uint32_t>(i);
    }
  }
  // A key's distinct rows and their counts: compared pairwise when few (a join's usual case),
  // else through a hash table.
  constexpr uint32_t kFewRows = 16;
  std::vector<std::pair<const Row*, int64_t>> rows;
  PositionIndex seen;
  for (size_t d = 0; d < distinct_.size(); ++d) {
    if (start[d] == start[d + 1]) continue;
    rows.clear();
    const bool few = start[d + 1] - start[d] <= kFewRows;
    if (!few) {
      seen = PositionIndex();
      seen.Reserve(start[d + 1] - start[d]);
    }
    for (uint32_t k = start[d]; k < start[d + 1]; ++k) {
      const Row& row = matched_[order[k]].second;
      if (few) {
        auto same =
            std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return *r.first == row; });
        if (same == rows.end()) {
          rows.emplace_back(&row, 1);
        } else {
          ++same->second;
        }
        continue;
      }
      const uint64_t hash = HashValues(row);
      const PositionIndex::Probe probe =
          seen.Find(hash, [&](uint32_t r) { return *rows[r].first == row; });
      if (probe.found) {
        ++rows[seen.at(probe.slot)].second;
      } else {
        seen.Fill(probe.slot, hash, static_cast<uint32_t>(rows.size()));
        rows.emplace_back(&row, 1);
      }
    }
    for (uint32_t pos = first_[d]; pos != PositionIndex::kNone; pos = next_same_[pos]) {
      for (const auto& [row, w] : rows) visit(pos, *row, w);
    }
  }
}

}  // namespace zload::base_relation_sql
