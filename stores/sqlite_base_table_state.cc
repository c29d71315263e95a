#include "stores/sqlite_base_table_state.h"

#include <fmt/format.h>

#include <unordered_map>

#include "engine/error.h"

namespace zload {
namespace {

using sqlite::QuoteIdentifier;
using sqlite::Statement;

constexpr size_t kLookupChunk = 128;
constexpr size_t kNullSafe = 0;           // statements_ key: IS-matching of one index
constexpr size_t kAllColumns = SIZE_MAX;  // statements_ index: every column (Weights)

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

SqliteBaseTableState::SqliteBaseTableState(sqlite::Database& db, std::string table, Schema schema,
                                           std::vector<size_t> primary_key, StateTableSpec spec)
    : db_(db), table_(std::move(table)), schema_(std::move(schema)), spec_(std::move(spec)) {
  if (spec_.arity != schema_.size()) {
    throw Error(ErrorCode::kInternal,
                fmt::format("state of width {} served by a base table of width {}", spec_.arity,
                            schema_.size()),
                {.table = table_});
  }
  std::vector<std::string> cols;
  for (const Column& c : schema_.columns()) cols.push_back(QuoteIdentifier(c.name));
  columns_sql_ = fmt::format("{}", fmt::join(cols, ", "));
  // An index per look-up key, unless the primary key already is one.
  for (const std::vector<size_t>& index : spec_.indexes) {
    if (index == primary_key) continue;
    std::vector<std::string> names;
    std::string suffix;
    for (size_t c : index) {
      names.push_back(cols[c]);
      suffix += "_" + std::to_string(c);
    }
    db_.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                         QuoteIdentifier(table_ + "__by" + suffix), QuoteIdentifier(table_),
                         fmt::join(names, ", ")));
  }
}

SqliteBaseTableState::~SqliteBaseTableState() = default;

Row SqliteBaseTableState::ReadRow(Statement& stmt) const {
  Row row;
  row.reserve(schema_.size());
  for (size_t c = 0; c < schema_.size(); ++c) {
    row.push_back(sqlite::FromStorage(stmt.ColumnValue(static_cast<int>(c)), schema_[c].type));
  }
  return row;
}

void SqliteBaseTableState::Lookup(size_t index, std::span<const Row> keys,
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
    const size_t slots = RoundUpToPowerOfTwo(n);
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

std::vector<int64_t> SqliteBaseTableState::Weights(std::span<const Row> rows) {
  std::vector<size_t> all(schema_.size());
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

void SqliteBaseTableState::Apply(const ZSet& delta) {
  for (const auto& entry : delta) {
    if (entry.first.size() != spec_.arity) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} applied to state of width {}", entry.first.size(),
                              spec_.arity),
                  {.table = table_});
    }
  }
}

void SqliteBaseTableState::Scan(const ScanVisitor& visit) {
  ZSet all;
  Statement stmt(db_.handle(),
                 fmt::format("SELECT {} FROM {}", columns_sql_, QuoteIdentifier(table_)));
  while (stmt.Step()) all.Add(ReadRow(stmt), 1);
  for (const auto& [row, w] : all) visit(row, w);
}

size_t SqliteBaseTableState::Size() {
  size_t n = 0;
  Scan([&](const Row&, int64_t) { ++n; });
  return n;
}

Statement& SqliteBaseTableState::LookupStatement(size_t index, size_t slots) {
  auto& stmt = statements_[{index, slots}];
  if (stmt) return *stmt;
  const std::vector<size_t>& columns = spec_.indexes[index];
  std::vector<std::string> names, tuples;
  for (size_t c : columns) names.push_back(QuoteIdentifier(schema_[c].name));
  for (size_t k = 0; k < slots; ++k) {
    std::vector<std::string> marks(columns.size(), "?");
    tuples.push_back(columns.size() == 1 ? "?" : fmt::format("({})", fmt::join(marks, ",")));
  }
  std::string sql =
      columns.size() == 1
          ? fmt::format("SELECT {} FROM {} WHERE {} IN ({})", columns_sql_, QuoteIdentifier(table_),
                        names[0], fmt::join(tuples, ","))
          : fmt::format("SELECT {} FROM {} WHERE ({}) IN (VALUES {})", columns_sql_,
                        QuoteIdentifier(table_), fmt::join(names, ","), fmt::join(tuples, ","));
  stmt = std::make_unique<Statement>(db_.handle(), sql);
  return *stmt;
}

Statement& SqliteBaseTableState::NullSafeStatement(const std::vector<size_t>& columns, size_t key) {
  auto& stmt = statements_[{key, kNullSafe}];
  if (stmt) return *stmt;
  std::vector<std::string> terms;
  for (size_t j = 0; j < columns.size(); ++j) {
    terms.push_back(fmt::format("{} IS ?{}", QuoteIdentifier(schema_[columns[j]].name), j + 1));
  }
  stmt = std::make_unique<Statement>(
      db_.handle(), fmt::format("SELECT {} FROM {} WHERE {}", columns_sql_, QuoteIdentifier(table_),
                                fmt::join(terms, " AND ")));
  return *stmt;
}

}  // namespace zload
