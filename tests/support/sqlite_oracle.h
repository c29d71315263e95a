#pragma once

#include <sqlite3.h>

#include <map>
#include <string>

#include "engine/schema.h"
#include "engine/zset.h"

namespace zload::test {

// An in-memory SQLite database used as the independent oracle of view results: tables are
// loaded from Z-sets and queries come back as Z-sets. Owns its connection (closed on
// destruction). Not thread-safe.
class SqliteOracle {
 public:
  // Opens a fresh in-memory database. Throws Error(kIo) when SQLite cannot open one.
  SqliteOracle();
  ~SqliteOracle();
  SqliteOracle(const SqliteOracle&) = delete;
  SqliteOracle& operator=(const SqliteOracle&) = delete;

  // Creates table `name` with one column per schema column, declared with the column's SQL type
  // name (INTEGER, REAL, TEXT, BOOLEAN, TIMESTAMP; none for Type::kNull) and NOT NULL when the
  // column is not nullable. Throws Error(kSchema) with SQLite's message on failure.
  void CreateTable(const std::string& name, const Schema& schema);
  // Inserts each (row, w) of `contents` w times into table `name`; BOOLEAN and TIMESTAMP values
  // are bound as integers. REQUIRES: every weight > 0 (throws Error(kInternal) otherwise).
  // Throws Error(kSchema) for a table not created here or a row of the wrong width, and
  // Error(kConstraint) when SQLite rejects a row.
  void Load(const std::string& name, const ZSet& contents);
  // Deletes every row of table `name`, then loads `contents` as Load() does.
  void Replace(const std::string& name, const ZSet& contents);
  // Runs one or more SQL statements whose results are discarded. Throws Error(kSchema) with
  // SQLite's message on failure.
  void Execute(const std::string& sql);
  // Runs one SELECT and returns its rows, each result row counted once (weight = number of
  // equal rows). Values are what SQLite returns: INTEGER, REAL, TEXT or NULL. Throws
  // Error(kSchema) with SQLite's message on failure and Error(kUnsupported) for a BLOB value.
  ZSet Query(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, size_t> arity_;  // the width of each table created here
};

// Returns `z` with every value in the storage class SQLite would return for it: BOOLEAN and
// TIMESTAMP become INTEGER; other values are unchanged. Equal converted rows add their weights.
ZSet ToSqliteStorageClasses(const ZSet& z);

// Quotes `name` as an SQL identifier ("name", with embedded quotes doubled).
std::string QuoteIdentifier(const std::string& name);

}  // namespace zload::test
