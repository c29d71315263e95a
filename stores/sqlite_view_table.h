#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "engine/zset.h"
#include "stores/sqlite_db.h"

namespace zload {

// Creates view table `name` (the view's columns plus `_count_ BIGINT`) unless it exists. With a
// `key` (column positions that identify a row of the view), the table is `WITHOUT ROWID` with the
// key as its primary key, its columns declared NOT NULL, until SqliteViewWriter meets a NULL key
// (from then on rows are unique by the key in an index `<name>__key`); without a key, an index
// over every column finds a row.
void CreateSqliteViewTable(sqlite::Database& db, const std::string& name, const Schema& schema,
                           const std::vector<size_t>& key);

// The key columns of view table `name` as created above, by its index `<name>__key` or its
// primary key (empty when it has neither).
std::vector<size_t> SqliteViewTableKey(sqlite::Database& db, const std::string& name);

// Writes view deltas into one view table: `_count_` moves by each row's weight and rows reaching
// 0 are deleted. A delta with a NULL key for a table kept by its key as primary key first turns
// the table, in the caller's transaction, into a rowid table with the index `<name>__key`. In a
// keyed table, a row that replaces another of its key is one multi-row upsert and a row that leaves
// is one multi-row delete by key; rows with a NULL key column, and any key whose delta is not such
// a replacement, take the general path. Not thread-safe.
class SqliteViewWriter {
 public:
  // REQUIRES: the table exists with `schema`; `key` is what SqliteViewTableKey() returns.
  SqliteViewWriter(sqlite::Database& db, std::string name, Schema schema, std::vector<size_t> key);
  ~SqliteViewWriter();

  // Adds `delta` to the table.
  void Apply(const ZSet& delta);

 private:
  // Prepares the statements of the general path.
  void Prepare();
  void ApplyRow(const Row& row, int64_t weight);
  void ApplyKeyed(const ZSet& delta);
  sqlite::Statement& UpsertStatement(size_t rows);
  sqlite::Statement& DeleteByKeyStatement(size_t rows);

  sqlite::Database& db_;
  std::string name_;
  Schema schema_;
  std::vector<size_t> key_;
  std::unique_ptr<sqlite::Statement> update_, insert_, delete_;
  std::map<size_t, std::unique_ptr<sqlite::Statement>> upserts_, deletes_by_key_;
};

}  // namespace zload
