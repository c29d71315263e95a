#include "stores/postgres_base_relation_state.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "engine/error.h"
#include "stores/base_relation_sql.h"
#include "stores/postgres_values.h"

namespace zload {
namespace {

using postgres::ExecPrepared;
using postgres::FitIdentifier;
using postgres::QuoteIdentifier;

constexpr size_t kLookupChunk = 10000;  // keys bound in one statement

std::string SqlName(const std::string& name) { return QuoteIdentifier(FitIdentifier(name)); }

}  // namespace

PostgresBaseRelationState::PostgresBaseRelationState(
    postgres::Database& db, BaseRelation relation, std::vector<ColumnType> types,
    const std::vector<std::vector<std::string>>& primary_keys, StateTableSpec spec)
    : db_(db), relation_(std::move(relation)), types_(std::move(types)), spec_(std::move(spec)) {
  base_relation_sql::CheckServes(relation_, spec_, types_.size(), primary_keys.size());
  std::set<std::string> names;
  for (const auto& [table, columns] :
       base_relation_sql::WantedIndexes(relation_, spec_, primary_keys)) {
    const std::string index = FitIdentifier(base_relation_sql::IndexName(table, columns));
    if (!names.insert(index).second) continue;
    std::vector<std::string> quoted;
    for (const std::string& c : columns) quoted.push_back(SqlName(c));
    indexes_.push_back(
        {index, table,
         fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})", QuoteIdentifier(index),
                     SqlName(table), fmt::join(quoted, ", "))});
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

bool PostgresBaseRelationState::ReadyToRead() {
  if (indexes_.empty() || indexes_seen_) return true;
  postgres::ArrayLiteral names;
  for (const WantedIndex& index : indexes_) names.Add(index.name);
  const std::string& present_sql = db_.Prepared(
      "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relkind = 'i' AND n.nspname = current_schema() AND c.relname = "
      "ANY($1::text[])");
  const int64_t present = db_.Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared(present_sql, names.str())[0][0].as<int64_t>();
      },
      {.table = spec_.name});
  if (present == static_cast<int64_t>(indexes_.size())) {
    // Indexes this state created are known to stay only once seen outside the transaction
    // that created them (a rollback takes them away).
    if (!created_ || !db_.in_transaction()) {
      indexes_seen_ = true;
      created_ = false;
    }
    return true;
  }
  for (const std::string& table : relation_.tables) {
    const bool any = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return !tx.exec(fmt::format("SELECT 1 FROM {} LIMIT 1", SqlName(table))).empty();
        },
        {.table = table});
    if (!any) return false;
  }
  for (const WantedIndex& index : indexes_) db_.EnsureIndex(index.name, index.table, index.ddl);
  created_ = true;
  return true;
}

std::string PostgresBaseRelationState::ColumnSql(size_t column) const {
  return base_relation_sql::ColumnSql(relation_, column, SqlName);
}

std::string PostgresBaseRelationState::Select(const std::string& condition) const {
  return base_relation_sql::Select(relation_, SqlName, condition);
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
  if (keys.empty() || !ReadyToRead()) return;
  base_relation_sql::LookupMatches matches(keys, columns);
  // Copies of a row are one result row each.
  auto add_results = [&](const pqxx::result& result, const Row* only) {
    for (const auto& r : result) matches.Add(ReadRow(r), only);
  };
  for (const Row* key : matches.null_keys()) {
    std::vector<std::string> params;
    const std::string sql = Matching(columns, *key, params);
    add_results(
        db_.Read(
            [&](pqxx::transaction_base& tx) { return ExecPrepared(tx, db_.Prepared(sql), params); },
            {.table = spec_.name}),
        key);
  }
  const std::vector<const Row*>& plain = matches.plain_keys();
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
    add_results(db_.Read(
                    [&](pqxx::transaction_base& tx) {
                      return ExecPrepared(tx, db_.Prepared(lookup_sql_.at(index)), params);
                    },
                    {.table = spec_.name}),
                nullptr);
  }
  matches.Visit(visit);
}

std::vector<int64_t> PostgresBaseRelationState::Weights(std::span<const Row> rows) {
  if (rows.empty() || !ReadyToRead()) return std::vector<int64_t>(rows.size(), 0);
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
  base_relation_sql::CheckArity(spec_, delta);
}

void PostgresBaseRelationState::Scan(const ScanVisitor& visit) {
  if (!ReadyToRead()) return;
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
