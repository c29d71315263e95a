#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/value.h"

namespace zload::sqlite {

// Throws the zload::Error for SQLite result `rc` on `db`: kTransient for BUSY/LOCKED,
// kIo for I/O errors and a full disk, kConstraint for constraint violations, else kInternal.
[[noreturn]] void ThrowError(sqlite3* db, int rc, const std::string& what);

// Converts a value read from a column to the column's declared type (BOOLEAN and TIMESTAMP are
// stored as integers).
Value FromStorage(Value v, Type declared);

// A prepared statement; finalized on destruction. Not thread-safe.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds `v` to the 1-based parameter `index`: BOOLEAN binds as 0/1, TIMESTAMP as micros.
  void Bind(int index, const Value& v);
  void BindInt(int index, int64_t v);
  // BindBlob and BindText do not copy: the bytes must stay valid until the statement is reset
  // or the parameter rebound.
  void BindBlob(int index, const void* data, size_t size);
  void BindText(int index, std::string_view text);
  // Advances: true when a row is ready, false when done. Throws on error.
  bool Step();
  // Steps to completion, discarding rows, and resets.
  void Run();
  // Resets for re-execution and clears bindings.
  void Reset();

  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  std::string_view ColumnBlob(int i) const;
  std::string_view ColumnText(int i) const;
  // The column as a Value of SQLite's storage class (INTEGER, REAL, TEXT or NULL).
  Value ColumnValue(int i) const;
  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open database connection; closed on destruction. Not thread-safe.
class Database {
 public:
  // Opens (creating) the file at `path` in WAL mode with a busy timeout of `busy_timeout_ms`.
  // The first one opened in a process, before any other use of SQLite, switches SQLite's memory
  // statistics off for the process (sqlite3_memory_used() then stays 0). Throws Error(kIo) naming
  // the path when it cannot be opened.
  explicit Database(const std::string& path, int busy_timeout_ms = 5000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  void Exec(std::string_view sql);
  // Runs `sql` (an index built over a loaded table) with a small page cache and temporary
  // storage in files, so that its sort spills to disk instead of growing memory with the table;
  // the connection's settings are as before afterwards, also when it throws.
  void ExecWithFlatSortMemory(std::string_view sql);
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  // SQLite's busy handler: whether to try again, after a short wait, to take a lock another
  // connection holds (`attempt` counts the tries for this lock, from 0).
  static int RetryBusy(void* self, int attempt);

  std::string path_;
  sqlite3* db_ = nullptr;
  int busy_timeout_ms_ = 0;
  std::chrono::steady_clock::time_point busy_since_;  // the first try for the lock waited for
};

// A transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Database& db_;
  bool open_ = true;
};

// Quotes an SQL identifier: "name" with embedded quotes doubled.
std::string QuoteIdentifier(std::string_view name);

}  // namespace zload::sqlite
