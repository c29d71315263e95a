#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/state_store.h"
#include "stores/held_writes.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_keyed_table.h"

namespace zload {

// A StateStore in an SQLite database file (layout in stores/FORMATS.md): one table per delay
// vertex named `<spec.name>__<shape-hash>` with columns identity, data, one ixd__ column per
// index column, and c (the weight), or for a table of one row per key (identity of the key,
// data, c), never mirrored in memory; plus last_update(table_name, t).
// Writes go to SQLite at once (or, while held_writes() holds them, when it releases them); wrap a
// batch in a sqlite::Transaction to make it atomic. With
// `cache_state`, each table is also mirrored in memory (loaded on Open) and read from there:
// correct only while this connection is the only writer; call DropCaches() after a rollback.
// Not thread-safe.
class SqliteStore : public StateStore {
 public:
  struct Options {
    bool cache_state = false;
  };
  // REQUIRES: `db` outlives the store.
  explicit SqliteStore(sqlite::Database& db) : SqliteStore(db, Options{}) {}
  SqliteStore(sqlite::Database& db, Options options);
  ~SqliteStore() override;

  StateTable& Open(const StateTableSpec& spec) override;
  // The SQL table name that holds the state described by `spec`.
  static std::string TableNameFor(const StateTableSpec& spec);
  // Forgets the in-memory mirrors, remembered look-ups and held writes; they reload from the
  // database on next use. Call after a rollback.
  void DropCaches();
  // The frontier of `table`: every change up to and including that time is written
  // (nullopt when never set).
  std::optional<int64_t> LastUpdate(const std::string& table);
  // Sets the frontier of `table` to `time`.
  void SetLastUpdate(const std::string& table, int64_t time);
  sqlite::Database& database() { return db_; }
  // The writes its tables hold back while a transaction only reads (none unless told to).
  HeldWrites& held_writes() { return held_; }

 private:
  class Table;
  sqlite::Database& db_;
  Options options_;
  HeldWrites held_;
  std::map<std::string, std::unique_ptr<Table>> tables_;
  std::map<std::string, std::unique_ptr<SqliteKeyedTable>> keyed_tables_;  // one row per key
};

}  // namespace zload
