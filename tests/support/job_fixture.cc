#include "tests/support/job_fixture.h"

#include <sqlite3.h>

#include <memory>

#include "engine/error.h"
#include "tests/support/sqlite_oracle.h"

namespace zload::test {
namespace {

// A connection to a store file (read-only unless `flags` say otherwise), closed on destruction.
// Independent of the store's own connection code, so that the check reads the file as any SQL
// client would.
class ReadConnection {
 public:
  explicit ReadConnection(const std::string& path, int flags = SQLITE_OPEN_READONLY) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw Error(ErrorCode::kIo, "cannot open " + path + ": " + message, {.file = path});
    }
  }
  ~ReadConnection() { sqlite3_close(db_); }
  ReadConnection(const ReadConnection&) = delete;
  ReadConnection& operator=(const ReadConnection&) = delete;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Calls `on_row(statement)` for each result row of `sql`.
template <typename F>
void ForEachRow(const ReadConnection& db, const std::string& sql, F on_row) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw Error(ErrorCode::kSchema, std::string(sqlite3_errmsg(db.handle())) + " in: " + sql);
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) on_row(raw);
  if (rc != SQLITE_DONE) {
    throw Error(ErrorCode::kSchema, std::string(sqlite3_errmsg(db.handle())) + " in: " + sql);
  }
}

Value ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return Value::Integer(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return Value::Real(sqlite3_column_double(stmt, i));
    case SQLITE_NULL:
      return Value();
    case SQLITE_TEXT:
      return Value::Text(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                     static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
    default:
      throw Error(ErrorCode::kUnsupported, "BLOB value in a view or query result");
  }
}

Row RowOf(sqlite3_stmt* stmt, int columns) {
  Row row;
  row.reserve(static_cast<size_t>(columns));
  for (int i = 0; i < columns; ++i) row.push_back(ColumnValue(stmt, i));
  return row;
}

}  // namespace

ZSet QueryStore(const std::string& db_path, const std::string& sql) {
  ReadConnection db(db_path);
  ZSet out;
  ForEachRow(db, sql,
             [&](sqlite3_stmt* stmt) { out.Add(RowOf(stmt, sqlite3_column_count(stmt)), 1); });
  return out;
}

void ExecStore(const std::string& db_path, const std::string& sql) {
  ReadConnection db(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  char* err = nullptr;
  if (sqlite3_exec(db.handle(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db.handle());
    sqlite3_free(err);
    throw Error(ErrorCode::kSchema, message + " in: " + sql);
  }
}

ZSet ReadViewTable(const std::string& db_path, const std::string& view) {
  ReadConnection db(db_path);
  ZSet out;
  ForEachRow(db, "SELECT * FROM " + QuoteIdentifier(view), [&](sqlite3_stmt* stmt) {
    int last = sqlite3_column_count(stmt) - 1;
    if (last < 0 || std::string(sqlite3_column_name(stmt, last)) != "_count_") {
      throw Error(ErrorCode::kSchema, "view table " + view + " does not end with _count_");
    }
    int64_t weight = sqlite3_column_int64(stmt, last);
    out.Add(RowOf(stmt, last), weight);
  });
  return out;
}

int64_t CountNonPositiveWeights(const std::string& db_path, const std::string& view) {
  ReadConnection db(db_path);
  int64_t n = 0;
  ForEachRow(db, "SELECT COUNT(*) FROM " + QuoteIdentifier(view) + " WHERE _count_ <= 0",
             [&](sqlite3_stmt* stmt) { n = sqlite3_column_int64(stmt, 0); });
  return n;
}

::testing::AssertionResult ViewMatchesSelect(const std::string& db_path, const std::string& view,
                                             const std::string& oracle_sql,
                                             const CompareOptions& options) {
  int64_t bad_weights = CountNonPositiveWeights(db_path, view);
  std::string diff = DiffZSets(ReadViewTable(db_path, view), QueryStore(db_path, oracle_sql),
                               options, "view table " + view, "SQLite's SELECT");
  if (bad_weights == 0 && diff.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure()
                 << "view " << view << " differs from\n  " << oracle_sql << "\n";
  if (bad_weights != 0) failure << bad_weights << " rows with _count_ <= 0\n";
  return failure << diff;
}

}  // namespace zload::test
