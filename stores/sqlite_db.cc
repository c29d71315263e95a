#include "stores/sqlite_db.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "engine/error.h"

namespace zload::sqlite {
namespace {

// The page size of a new database file: large pages make fewer B-tree levels and fewer, larger
// writes per batch of random keys.
constexpr int64_t kNewPageSize = 16384;
constexpr int64_t kSortCacheKiB = -8192;  // PRAGMA cache_size while a large sort runs: 8 MiB

// Switches SQLite's memory statistics off for the process, once, before SQLite initializes:
// with them on, every allocation inside SQLite takes a global mutex (the shop job at 1M line
// items ran 4 to 7 % longer). Nothing reads them. Called after SQLite has initialized (another
// caller opened a database first), it changes nothing.
void SkipMemoryStatistics() {
  static const int result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)result;
}

}  // namespace

Value FromStorage(Value v, Type declared) {
  if (v.type() == Type::kInteger) {
    if (declared == Type::kBoolean) return Value::Boolean(v.as_integer() != 0);
    if (declared == Type::kTimestamp) return Value::Time(v.as_integer());
  }
  return v;
}

void ThrowError(sqlite3* db, int rc, const std::string& what) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kTransient;
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      code = ErrorCode::kIo;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kConstraint;
      break;
    default:
      break;
  }
  ErrorContext context;
  if (db) {
    const char* file = sqlite3_db_filename(db, "main");
    if (file) context.file = file;
  }
  throw Error(code, message, std::move(context));
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) ThrowError(db, rc, "preparing " + std::string(sql.substr(0, 200)));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Bind(int index, const Value& v) {
  int rc = SQLITE_OK;
  switch (v.type()) {
    case Type::kNull:
      rc = sqlite3_bind_null(stmt_, index);
      break;
    case Type::kReal:
      rc = sqlite3_bind_double(stmt_, index, v.as_real());
      break;
    case Type::kText:
      rc = sqlite3_bind_text(stmt_, index, v.as_text().data(), static_cast<int>(v.as_text().size()),
                             SQLITE_STATIC);
      break;
    default:
      rc = sqlite3_bind_int64(stmt_, index, v.integral());
      break;
  }
  if (rc != SQLITE_OK) ThrowError(db_, rc, "binding a parameter");
}

void Statement::BindInt(int index, int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, index, v);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "binding a parameter");
}

void Statement::BindBlob(int index, const void* data, size_t size) {
  int rc = sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_STATIC);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "binding a parameter");
}

void Statement::BindText(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "binding a parameter");
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string sql = sqlite3_sql(stmt_);
  sqlite3_reset(stmt_);
  ThrowError(db_, rc, "running " + sql.substr(0, 200));
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view Statement::ColumnBlob(int i) const {
  const void* p = sqlite3_column_blob(stmt_, i);
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}

std::string_view Statement::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}

Value Statement::ColumnValue(int i) const {
  switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_INTEGER:
      return Value::Integer(sqlite3_column_int64(stmt_, i));
    case SQLITE_FLOAT:
      return Value::Real(sqlite3_column_double(stmt_, i));
    case SQLITE_NULL:
      return Value();
    default:
      return Value::Text(std::string(ColumnText(i)));
  }
}

Database::Database(const std::string& path, int busy_timeout_ms)
    : path_(path), busy_timeout_ms_(busy_timeout_ms) {
  SkipMemoryStatistics();
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorCode::kIo, "cannot open SQLite database: " + message, {.file = path});
  }
  sqlite3_busy_handler(db_, &Database::RetryBusy, this);
  // A new file gets pages of kNewPageSize bytes (set before WAL mode, which fixes it; a file
  // that has pages keeps their size). A 64 MiB page cache keeps state-table pages from
  // spilling at every write; checkpoints every ~40 MiB of WAL instead of every 4 MiB halve the
  // pages written twice. Reads of the file's first 64 MiB go through a memory map instead of a
  // read() and a copy per page: a short run on a large store reads most of its pages once, cold.
  Exec(fmt::format("PRAGMA page_size={}; PRAGMA journal_mode=WAL;", kNewPageSize));
  Statement page_size(db_, "PRAGMA page_size");
  page_size.Step();
  const int64_t page_bytes = std::max<int64_t>(page_size.ColumnInt(0), 512);
  Exec(fmt::format(
      "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; "
      "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint={}; PRAGMA mmap_size=67108864;",
      (int64_t{40} << 20) / page_bytes));
}

Database::~Database() { sqlite3_close_v2(db_); }

// Waits 50 us between the first tries, doubling to 0.8 ms: a lock held for the few milliseconds of
// one batch's writes is taken soon after it is released. (SQLite's own busy timeout waits 1, 2,
// 5, 10, 15, 20, 25 ms..., so a worker waiting for another's write lock idled up to tens of
// milliseconds after its release.)
int Database::RetryBusy(void* self, int attempt) {
  auto* db = static_cast<Database*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (attempt == 0) db->busy_since_ = now;
  if (now - db->busy_since_ >= std::chrono::milliseconds(db->busy_timeout_ms_)) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(50 << std::min(attempt, 4)));
  return 1;
}

void Database::ExecWithFlatSortMemory(std::string_view sql) {
  auto setting = [this](const char* pragma) {
    Statement q(db_, std::string("PRAGMA ") + pragma);
    q.Step();
    return q.ColumnInt(0);
  };
  const std::string restore = fmt::format("PRAGMA cache_size={}; PRAGMA temp_store={}",
                                          setting("cache_size"), setting("temp_store"));
  Exec(fmt::format("PRAGMA cache_size={}; PRAGMA temp_store=FILE", kSortCacheKiB));
  try {
    Exec(sql);
  } catch (...) {
    Exec(restore);
    throw;
  }
  Exec(restore);
}

void Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "running " + text.substr(0, 200));
}

Transaction::Transaction(Database& db) : db_(db) { db_.Exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!open_) return;
  try {
    db_.Exec("ROLLBACK");
  } catch (const std::exception&) {
    // The transaction may already be gone (e.g. rolled back by SQLite itself on a full disk).
  }
}

void Transaction::Commit() {
  db_.Exec("COMMIT");
  open_ = false;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace zload::sqlite
