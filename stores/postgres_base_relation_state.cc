#include "stores/postgres_base_relation_state.h"

#include <fmt/format.h>

#include <unordered_map>

#include "engine/error.h"
#include "stores/postgres_values.h"

namespace zload {
namespace {

using postgres::FitIdentifier;
using postgres::QuoteIdentifier;

constexpr size_t kLookupChunk = 10000;  // keys bound in one statement

std::string SqlName(const std::string& name) { return QuoteIdentifier(FitIdentifier(name)); }

// Creates an index on `columns` of `table` unless they are its primary key or it exists.
void IndexColumns(postgres::Database& db, const std::string& table,
                  const std::vector<std::string>& columns,
                  const std::vector<std::string>& primary_key) {
  if (columns.empty() || columns == primary_key) return;
  const std::string index =
      FitIdentifier(fmt::format("{}__by__{}", table, fmt::join(columns, "__")));
  std::vector<std::string> quoted;
  for (const std::string& c : columns) quoted.push_back(SqlName(c));
  db.EnsureIndex(index, table,
                 fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})", QuoteIdentifier(index),
                             SqlName(table), fmt::join(quoted, ", ")));
}

pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name,
                          const std::vector<std::string>& params) {
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

}  // namespace

PostgresBaseRelationState::PostgresBaseRelationState(
    postgres::Database& db, BaseRelation relation, std::vector<ColumnType> types,
    const std::vector<std::vector<std::string>>& primary_keys, StateTableSpec spec)
    : db_(db), relation_(std::move(relation)), types_(std::move(types)), spec_(std::move(spec)) {
  if (spec_.arity != relation_.columns.size() || types_.size() != relation_.columns.size() ||
      primary_keys.size() != relation_.tables.size()) {
    throw Error(ErrorCode::kInternal,
                fmt::format("state of width {} served by a relation of width {}", spec_.arity,
                            relation_.columns.size()),
                {.table = spec_.name});
  }
  // Indexes for the joins (both sides) and for each look-up key's columns, per table.
  for (const auto& [a, b] : relation_.join_on) {
    IndexColumns(db_, relation_.tables[a.table], {a.name}, primary_keys[a.table]);
    IndexColumns(db_, relation_.tables[b.table], {b.name}, primary_keys[b.table]);
  }
  for (const std::vector<size_t>& index : spec_.indexes) {
    std::map<size_t, std::vector<std::string>> by_table;
    for (size_t c : index) {
      by_table[relation_.columns[c].table].push_back(relation_.columns[c].name);
    }
    for (const auto& [table, columns] : by_table) {
      IndexColumns(db_, relation_.tables[table], columns, primary_keys[table]);
    }
  }
  for (size_t i = 0; i < spec_.indexes.size(); ++i) {
    const std::vector<size_t>& columns = spec_.indexes[i];
    std::vector<std::string> names, arrays;
    for (size_t k = 0; k < columns.size(); ++k) {
      names.push_back(ColumnSql(columns[k]));
      arrays.push_back(fmt::format("${}::{}[]", k + 1, types_[columns[k]].pg_type));
    }
    lookup_sql_[i] =
        Select(columns.size() == 1 ? fmt::format("{} = ANY({})", names[0], arrays[0])
                                   : fmt::format("({}) IN (SELECT * FROM unnest({}))",
                                                 fmt::join(names, ", "), fmt::join(arrays, ", ")));
  }
}

std::string PostgresBaseRelationState::ColumnSql(size_t column) const {
  const BaseRelation::Column& c = relation_.columns[column];
  return fmt::format("r{}.{}", c.table, SqlName(c.name));
}

// SELECT of the relation's columns with `condition` added to the joins and NULL exclusions.
std::string PostgresBaseRelationState::Select(const std::string& condition) const {
  std::vector<std::string> cols, from, where;
  for (size_t c = 0; c < relation_.columns.size(); ++c) cols.push_back(ColumnSql(c));
  for (size_t t = 0; t < relation_.tables.size(); ++t) {
    from.push_back(fmt::format("{} AS r{}", SqlName(relation_.tables[t]), t));
  }
  for (const auto& [a, b] : relation_.join_on) {
    where.push_back(
        fmt::format("r{}.{} = r{}.{}", a.table, SqlName(a.name), b.table, SqlName(b.name)));
  }
  for (const BaseRelation::Column& c : relation_.non_null) {
    where.push_back(fmt::format("r{}.{} IS NOT NULL", c.table, SqlName(c.name)));
  }
  if (!condition.empty()) where.push_back(condition);
  return fmt::format("SELECT {} FROM {}{}{}", fmt::join(cols, ", "), fmt::join(from, ", "),
                     where.empty() ? "" : " WHERE ", fmt::join(where, " AND "));
}

std::string PostgresBaseRelationState::Matching(const std::vector<size_t>& columns, const Row& key,
                                                std::vector<std::string>& params) const {
  std::vector<std::string> terms;
  params.clear();
  for (size_t k = 0; k < columns.size(); ++k) {
    std::optional<std::string> text = postgres::ToText(key[k], types_[columns[k]].type);
    if (!text) {
      terms.push_back(ColumnSql(columns[k]) + " IS NULL");
      continue;
    }
    params.push_back(std::move(*text));
    terms.push_back(fmt::format("{} = ${}::{}", ColumnSql(columns[k]), params.size(),
                                types_[columns[k]].pg_type));
  }
  return Select(fmt::format("{}", fmt::join(terms, " AND ")));
}

Row PostgresBaseRelationState::ReadRow(const pqxx::row& r) const {
  Row row;
  row.reserve(types_.size());
  for (size_t c = 0; c < types_.size(); ++c) {
    row.push_back(postgres::FieldValue(r[static_cast<pqxx::row::size_type>(c)], types_[c].type));
  }
  return row;
}

void PostgresBaseRelationState::Lookup(size_t index, std::span<const Row> keys,
                                       const LookupVisitor& visit) {
  const std::vector<size_t>& columns = spec_.indexes.at(index);
  std::unordered_map<Row, std::vector<size_t>, RowHash> positions;
  for (size_t i = 0; i < keys.size(); ++i) positions[keys[i]].push_back(i);
  // SQL equality may be looser than structural equality: only rows whose key is one asked for
  // count, and with `only`, only of that key. Copies of a row are one result row each.
  std::unordered_map<const Row*, ZSet> matched;
  auto visit_matches = [&](const pqxx::result& result, const Row* only) {
    for (const auto& r : result) {
      Row row = ReadRow(r);
      auto it = positions.find(Pick(row, columns));
      if (it == positions.end() || (only && it->first != *only)) continue;
      matched[&it->first].Add(std::move(row), 1);
    }
  };
  std::vector<const Row*> plain;
  for (const auto& entry : positions) {
    bool has_null = false;
    for (const Value& v : entry.first) has_null |= v.is_null();
    if (!has_null) {
      plain.push_back(&entry.first);
      continue;
    }
    std::vector<std::string> params;
    const std::string sql = Matching(columns, entry.first, params);
    pqxx::result result = db_.Read(
        [&](pqxx::transaction_base& tx) { return ExecPrepared(tx, db_.Prepared(sql), params); },
        {.table = spec_.name});
    visit_matches(result, &entry.first);
  }
  for (size_t start = 0; start < plain.size(); start += kLookupChunk) {
    const size_t end = std::min(plain.size(), start + kLookupChunk);
    std::vector<postgres::ArrayLiteral> arrays(columns.size());
    for (size_t k = start; k < end; ++k) {
      for (size_t j = 0; j < columns.size(); ++j) {
        arrays[j].Add(postgres::ToText((*plain[k])[j], types_[columns[j]].type));
      }
    }
    std::vector<std::string> params;
    for (const postgres::ArrayLiteral& a : arrays) params.push_back(a.str());
    pqxx::result result = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return ExecPrepared(tx, db_.Prepared(lookup_sql_.at(index)), params);
        },
        {.table = spec_.name});
    visit_matches(result, nullptr);
  }
  for (const auto& [key, rows] : matched) {
    for (size_t pos : positions.at(*key)) {
      for (const auto& [row, w] : rows) visit(pos, row, w);
    }
  }
}

std::vector<int64_t> PostgresBaseRelationState::Weights(std::span<const Row> rows) {
  std::vector<size_t> all(types_.size());
  for (size_t c = 0; c < all.size(); ++c) all[c] = c;
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    std::vector<std::string> params;
    const std::string sql = Matching(all, row, params);
    pqxx::result result = db_.Read(
        [&](pqxx::transaction_base& tx) { return ExecPrepared(tx, db_.Prepared(sql), params); },
        {.table = spec_.name});
    int64_t copies = 0;
    for (const auto& r : result) copies += ReadRow(r) == row ? 1 : 0;
    out.push_back(copies);
  }
  return out;
}

void PostgresBaseRelationState::Apply(const ZSet& delta) {
  for (const auto& entry : delta) {
    if (entry.first.size() != spec_.arity) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} applied to state of width {}", entry.first.size(),
                              spec_.arity),
                  {.table = spec_.name});
    }
  }
}

void PostgresBaseRelationState::Scan(const ScanVisitor& visit) {
  pqxx::result result = db_.Read([&](pqxx::transaction_base& tx) { return tx.exec(Select("")); },
                                 {.table = spec_.name});
  ZSet all;
  for (const auto& r : result) all.Add(ReadRow(r), 1);
  for (const auto& [row, w] : all) visit(row, w);
}

size_t PostgresBaseRelationState::Size() {
  size_t n = 0;
  Scan([&](const Row&, int64_t) { ++n; });
  return n;
}

}  // namespace zload
