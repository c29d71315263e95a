#include "stores/sqlite_base_relation_state.h"

#include <fmt/format.h>

#include <unordered_map>

#include "engine/error.h"
#include "stores/statement_chunks.h"

namespace zload {
namespace {

using sqlite::QuoteIdentifier;
using sqlite::Statement;

constexpr size_t kLookupChunk = 128;
constexpr size_t kNullSafe = 0;           // statements_ slot: IS-matching of one index
constexpr size_t kAllColumns = SIZE_MAX;  // statements_ index: every column (Weights)

// Creates an index on `columns` of `table` unless they are its primary key.
void IndexColumns(sqlite::Database& db, const std::string& table,
                  const std::vector<std::string>& columns,
                  const std::vector<std::string>& primary_key) {
  if (columns.empty() || columns == primary_key) return;
  std::vector<std::string> quoted;
  for (const std::string& c : columns) quoted.push_back(QuoteIdentifier(c));
  db.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                      QuoteIdentifier(fmt::format("{}__by__{}", table, fmt::join(columns, "__"))),
                      QuoteIdentifier(table), fmt::join(quoted, ", ")));
}

}  // namespace

SqliteBaseRelationState::SqliteBaseRelationState(
    sqlite::Database& db, BaseRelation relation, std::vector<Type> types,
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
}

SqliteBaseRelationState::~SqliteBaseRelationState() = default;

std::string SqliteBaseRelationState::ColumnSql(size_t column) const {
  const BaseRelation::Column& c = relation_.columns[column];
  return fmt::format("r{}.{}", c.table, QuoteIdentifier(c.name));
}

// SELECT of the relation's columns with `condition` added to the joins and NULL exclusions.
std::string SqliteBaseRelationState::Select(const std::string& condition) const {
  std::vector<std::string> cols, from, where;
  for (size_t c = 0; c < relation_.columns.size(); ++c) cols.push_back(ColumnSql(c));
  for (size_t t = 0; t < relation_.tables.size(); ++t) {
    from.push_back(fmt::format("{} AS r{}", QuoteIdentifier(relation_.tables[t]), t));
  }
  for (const auto& [a, b] : relation_.join_on) {
    where.push_back(fmt::format("r{}.{} = r{}.{}", a.table, QuoteIdentifier(a.name), b.table,
                                QuoteIdentifier(b.name)));
  }
  for (const BaseRelation::Column& c : relation_.non_null) {
    where.push_back(fmt::format("r{}.{} IS NOT NULL", c.table, QuoteIdentifier(c.name)));
  }
  if (!condition.empty()) where.push_back(condition);
  return fmt::format("SELECT {} FROM {}{}{}", fmt::join(cols, ", "), fmt::join(from, ", "),
                     where.empty() ? "" : " WHERE ", fmt::join(where, " AND "));
}

Row SqliteBaseRelationState::ReadRow(Statement& stmt) const {
  Row row;
  row.reserve(types_.size());
  for (size_t c = 0; c < types_.size(); ++c) {
    row.push_back(sqlite::FromStorage(stmt.ColumnValue(static_cast<int>(c)), types_[c]));
  }
  return row;
}

void SqliteBaseRelationState::Lookup(size_t index, std::span<const Row> keys,
                                     const LookupVisitor& visit) {
  const std::vector<size_t>& columns = spec_.indexes.at(index);
  std::unordered_map<Row, std::vector<size_t>, RowHash> positions;
  for (size_t i = 0; i < keys.size(); ++i) positions[keys[i]].push_back(i);
  // SQL equality is looser than structural equality (1 = '1' under TEXT affinity, 1 = 1.0):
  // only rows whose key is one asked for count, and with `only`, only of that key. Copies of a
  // row are one stored row whose weight is the number of copies.
  std::unordered_map<const Row*, ZSet> matched;
  auto visit_matches = [&](Statement& stmt, const Row* only) {
    while (stmt.Step()) {
      Row row = ReadRow(stmt);
      auto it = positions.find(Pick(row, columns));
      if (it == positions.end() || (only && it->first != *only)) continue;
      matched[&it->first].Add(std::move(row), 1);
    }
    stmt.Reset();
  };
  std::vector<const Row*> plain;
  for (const auto& entry : positions) {
    bool has_null = false;
    for (const Value& v : entry.first) has_null |= v.is_null();
    if (!has_null) {
      plain.push_back(&entry.first);
      continue;
    }
    Statement& stmt = NullSafeStatement(columns, index);
    for (size_t j = 0; j < entry.first.size(); ++j) {
      stmt.Bind(static_cast<int>(j + 1), entry.first[j]);
    }
    visit_matches(stmt, &entry.first);
  }
  for (size_t start = 0; start < plain.size(); start += kLookupChunk) {
    const size_t n = std::min(kLookupChunk, plain.size() - start);
    const size_t slots = statement_chunks::Slots(n);
    Statement& stmt = LookupStatement(index, slots);
    int param = 1;
    for (size_t k = 0; k < slots; ++k) {
      const Row& key = *plain[start + std::min(k, n - 1)];  // pad with the last key
      for (const Value& v : key) stmt.Bind(param++, v);
    }
    visit_matches(stmt, nullptr);
  }
  for (const auto& [key, rows] : matched) {
    for (size_t pos : positions.at(*key)) {
      for (const auto& [row, w] : rows) visit(pos, row, w);
    }
  }
}

std::vector<int64_t> SqliteBaseRelationState::Weights(std::span<const Row> rows) {
  std::vector<size_t> all(types_.size());
  for (size_t c = 0; c < all.size(); ++c) all[c] = c;
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    Statement& stmt = NullSafeStatement(all, kAllColumns);
    for (size_t c = 0; c < row.size(); ++c) stmt.Bind(static_cast<int>(c + 1), row[c]);
    int64_t copies = 0;
    while (stmt.Step()) copies += ReadRow(stmt) == row ? 1 : 0;
    stmt.Reset();
    out.push_back(copies);
  }
  return out;
}

void SqliteBaseRelationState::Apply(const ZSet& delta) {
  for (const auto& entry : delta) {
    if (entry.first.size() != spec_.arity) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} applied to state of width {}", entry.first.size(),
                              spec_.arity),
                  {.table = spec_.name});
    }
  }
}

void SqliteBaseRelationState::Scan(const ScanVisitor& visit) {
  ZSet all;
  Statement stmt(db_.handle(), Select(""));
  while (stmt.Step()) all.Add(ReadRow(stmt), 1);
  for (const auto& [row, w] : all) visit(row, w);
}

size_t SqliteBaseRelationState::Size() {
  size_t n = 0;
  Scan([&](const Row&, int64_t) { ++n; });
  return n;
}

Statement& SqliteBaseRelationState::LookupStatement(size_t index, size_t slots) {
  auto& stmt = statements_[{index, slots}];
  if (stmt) return *stmt;
  const std::vector<size_t>& columns = spec_.indexes[index];
  std::vector<std::string> names, tuples;
  for (size_t c : columns) names.push_back(ColumnSql(c));
  for (size_t k = 0; k < slots; ++k) {
    std::vector<std::string> marks(columns.size(), "?");
    tuples.push_back(columns.size() == 1 ? "?" : fmt::format("({})", fmt::join(marks, ",")));
  }
  const std::string condition =
      columns.size() == 1
          ? fmt::format("{} IN ({})", names[0], fmt::join(tuples, ","))
          : fmt::format("({}) IN (VALUES {})", fmt::join(names, ","), fmt::join(tuples, ","));
  stmt = std::make_unique<Statement>(db_.handle(), Select(condition));
  return *stmt;
}

Statement& SqliteBaseRelationState::NullSafeStatement(const std::vector<size_t>& columns,
                                                      size_t key) {
  auto& stmt = statements_[{key, kNullSafe}];
  if (stmt) return *stmt;
  std::vector<std::string> terms;
  for (size_t j = 0; j < columns.size(); ++j) {
    terms.push_back(fmt::format("{} IS ?{}", ColumnSql(columns[j]), j + 1));
  }
  stmt = std::make_unique<Statement>(db_.handle(),
                                     Select(fmt::format("{}", fmt::join(terms, " AND "))));
  return *stmt;
}

}  // namespace zload
