#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/state_store.h"
#include "stores/postgres_db.h"
#include "stores/postgres_keyed_table.h"

namespace zload {

// A StateStore in a PostgreSQL database, with the layout of SqliteStore: one table per delay
// vertex, named TableNameFor(spec), with columns
//   identity BYTEA PRIMARY KEY  the row's identity (stores/row_codec.h)
//   data BYTEA NOT NULL         the row, encoded
//   ixd__<i>_<j> BYTEA NOT NULL the identity of the one-value row holding column j of index i's
//                               key (so NULL matches NULL and -0.0 matches 0.0); one SQL index
//                               per index i
//   c BIGINT NOT NULL           the weight; rows of weight 0 are deleted
// except that a table of one row per key is a PostgresKeyedTable (identity, data, c, keyed by
// the key's identity); plus last_update(table_name TEXT PRIMARY KEY, t BIGINT). Look-ups compare
// ixd__ columns in SQL and keep only rows whose decoded key equals a key asked for. Every call
// runs in the Database's open transaction, or else in one of its own; after a rollback call
// DropCaches().
// Each call sends one statement per chunk of keys or rows, never one per row. Not thread-safe.
class PostgresStore : public StateStore {
 public:
  // Creates last_update unless it exists. REQUIRES: `db` outlives the store.
  explicit PostgresStore(postgres::Database& db);
  ~PostgresStore() override;

  StateTable& Open(const StateTableSpec& spec) override;
  // The SQL table name that holds the state described by `spec`: SqliteStore::TableNameFor,
  // shortened by postgres::FitIdentifier when over 63 bytes.
  static std::string TableNameFor(const StateTableSpec& spec);
  // Forgets which tables are known to exist (a rollback may have undone their creation): each
  // is checked, and created again when missing, on its next use.
  void DropCaches();
  // The frontier of `table`: every change up to and including that time is written
  // (nullopt when never set).
  std::optional<int64_t> LastUpdate(const std::string& table);
  // Sets the frontier of `table` to `time`.
  void SetLastUpdate(const std::string& table, int64_t time);
  postgres::Database& database() { return db_; }

 private:
  class Table;
  void EnsureLastUpdate();

  postgres::Database& db_;
  bool last_update_known_ = false;
  std::map<std::string, std::unique_ptr<Table>> tables_;
  std::map<std::string, std::unique_ptr<PostgresKeyedTable>> keyed_tables_;  // one row per key
};

}  // namespace zload
