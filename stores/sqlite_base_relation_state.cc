#include "stores/sqlite_base_relation_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/error.h"
#include "stores/base_relation_sql.h"
#include "stores/statement_chunks.h"

namespace zload {
namespace {

using sqlite::QuoteIdentifier;
using sqlite::Statement;

constexpr size_t kLookupChunk = 128;
constexpr size_t kNullSafe = 0;           // statements_ slot: IS-matching of one index
constexpr size_t kAllColumns = SIZE_MAX;  // statements_ index: every column (Weights)

// Quotes as SQLite does.
std::string Quote(const std::string& name) { return QuoteIdentifier(name); }

}  // namespace

SqliteBaseRelationState::SqliteBaseRelationState(
    sqlite::Database& db, HeldWrites& held, BaseRelation relation, std::vector<Type> types,
    const std::vector<std::vector<std::string>>& primary_keys, StateTableSpec spec)
    : db_(db),
      held_(held),
      relation_(std::move(relation)),
      types_(std::move(types)),
      spec_(std::move(spec)) {
  base_relation_sql::CheckServes(relation_, spec_, types_.size(), primary_keys.size());
  std::set<std::string> names;
  for (const auto& [table, columns] :
       base_relation_sql::WantedIndexes(relation_, spec_, primary_keys)) {
    const std::string name = base_relation_sql::IndexName(table, columns);
    if (!names.insert(name).second) continue;
    index_names_.push_back(name);
    // The index also holds the table's other columns that the relation reads, after its own:
    // a look-up then reads the index alone, not the table's row too.
    std::vector<std::string> quoted;
    for (const std::string& c : columns) quoted.push_back(QuoteIdentifier(c));
    for (const std::string& c : ColumnsReadOf(table)) {
      if (std::find(columns.begin(), columns.end(), c) == columns.end()) {
        quoted.push_back(QuoteIdentifier(c));
      }
    }
    index_ddl_.push_back(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                                     QuoteIdentifier(name), QuoteIdentifier(table),
                                     fmt::join(quoted, ", ")));
  }
  if (index_ddl_.empty()) return;
  std::vector<std::string> marks(index_names_.size(), "?");
  indexes_present_ = std::make_unique<Statement>(
      db_.handle(), fmt::format("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                "name IN ({})",
                                fmt::join(marks, ", ")));
  for (const std::string& table : relation_.tables) {
    table_rows_.push_back(std::make_unique<Statement>(
        db_.handle(), fmt::format("SELECT 1 FROM {} LIMIT 1", QuoteIdentifier(table))));
  }
}

bool SqliteBaseRelationState::ReadyToRead() {
  if (index_ddl_.empty()) return true;
  for (size_t i = 0; i < index_names_.size(); ++i) {
    indexes_present_->BindText(static_cast<int>(i + 1), index_names_[i]);
  }
  indexes_present_->Step();
  const bool present = indexes_present_->ColumnInt(0) == static_cast<int64_t>(index_ddl_.size());
  indexes_present_->Reset();
  if (present) return true;
  for (const auto& stmt : table_rows_) {
    const bool any = stmt->Step();
    stmt->Reset();
    if (!any) return false;  // an inner join with an empty table is empty
  }
  held_.RunApart([this] {
    for (const std::string& ddl : index_ddl_) db_.ExecWithFlatSortMemory(ddl);
  });
  return true;
}

SqliteBaseRelationState::~SqliteBaseRelationState() = default;

std::vector<std::string> SqliteBaseRelationState::ColumnsReadOf(const std::string& table) const {
  std::vector<std::string> out;
  auto add = [&](const BaseRelation::Column& c) {
    if (relation_.tables.at(c.table) != table) return;
    if (std::find(out.begin(), out.end(), c.name) == out.end()) out.push_back(c.name);
  };
  for (const BaseRelation::Column& c : relation_.columns) add(c);
  for (const auto& [a, b] : relation_.join_on) {
    add(a);
    add(b);
  }
  for (const BaseRelation::Column& c : relation_.non_null) add(c);
  return out;
}

std::string SqliteBaseRelationState::ColumnSql(size_t column) const {
  return base_relation_sql::ColumnSql(relation_, column, Quote);
}

std::string SqliteBaseRelationState::Select(const std::string& condition) const {
  return base_relation_sql::Select(relation_, Quote, condition);
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
  if (keys.empty() || !ReadyToRead()) return;
  base_relation_sql::LookupMatches matches(keys, columns);
  // Copies of a row are one stored row each.
  auto add_results = [&](Statement& stmt, const Row* only) {
    while (stmt.Step()) matches.Add(ReadRow(stmt), only);
    stmt.Reset();
  };
  for (const Row* key : matches.null_keys()) {
    Statement& stmt = NullSafeStatement(columns, index);
    for (size_t j = 0; j < key->size(); ++j) stmt.Bind(static_cast<int>(j + 1), (*key)[j]);
    add_results(stmt, key);
  }
  // In key order, chunk after chunk walks the index forward instead of all over it.
  std::vector<const Row*> plain = matches.plain_keys();
  std::sort(plain.begin(), plain.end(),
            [](const Row* a, const Row* b) { return CompareRows(*a, *b) < 0; });
  for (size_t start = 0; start < plain.size(); start += kLookupChunk) {
    const size_t n = std::min(kLookupChunk, plain.size() - start);
    const size_t slots = statement_chunks::Slots(n);
    Statement& stmt = LookupStatement(index, slots);
    int param = 1;
    for (size_t k = 0; k < slots; ++k) {
      const Row& key = *plain[start + std::min(k, n - 1)];  // pad with the last key
      for (const Value& v : key) stmt.Bind(param++, v);
    }
    add_results(stmt, nullptr);
  }
  matches.Visit(visit);
}

std::vector<int64_t> SqliteBaseRelationState::Weights(std::span<const Row> rows) {
  if (rows.empty() || !ReadyToRead()) return std::vector<int64_t>(rows.size(), 0);
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
  base_relation_sql::CheckArity(spec_, delta);
}

void SqliteBaseRelationState::Scan(const ScanVisitor& visit) {
  if (!ReadyToRead()) return;
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
