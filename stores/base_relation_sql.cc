#include "stores/base_relation_sql.h"

#include <fmt/format.h>

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
    : columns_(columns) {
  for (size_t i = 0; i < keys.size(); ++i) positions_[keys[i]].push_back(i);
  for (const auto& entry : positions_) {
    bool has_null = false;
    for (const Value& v : entry.first) has_null |= v.is_null();
    (has_null ? with_null_ : plain_).push_back(&entry.first);
  }
}

void LookupMatches::Add(Row row, const Row* only) {
  auto it = positions_.find(Pick(row, columns_));
  if (it == positions_.end() || (only && it->first != *only)) return;
  matched_[&it->first].Add(std::move(row), 1);
}

void LookupMatches::Visit(const StateTable::LookupVisitor& visit) const {
  for (const auto& [key, rows] : matched_) {
    for (size_t pos : positions_.at(*key)) {
      for (const auto& [row, w] : rows) visit(pos, row, w);
    }
  }
}

}  // namespace zload::base_relation_sql
