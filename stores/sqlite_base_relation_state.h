#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/state_store.h"
#include "engine/value.h"
#include "stores/base_relation.h"
#include "stores/held_writes.h"
#include "stores/sqlite_db.h"

namespace zload {

// A delay vertex's state served by base tables: when the state is the integral of sources
// (joined and projected: a BaseRelation), the loader keeps those rows anyway, so look-ups read
// them with SQL (through indexes on the join and look-up columns, which also hold the other
// columns the relation reads of their table, so that a look-up reads no table row) instead of a
// copy. The indexes are created at the first read that finds every table of the relation
// holding rows, so that a table loaded before anything reads it by those columns is loaded
// without maintaining them (one sorted build later instead of an index insert per row); a read
// finding an empty table answers that the relation is empty. Reads see the tables as they are;
// Apply() writes nothing, because the loader applies each delta to its base table after the
// iteration that read it. Each result row of the SQL adds 1 to that row's weight. Not
// thread-safe.
class SqliteBaseRelationState : public StateTable {
 public:
  // Serves `spec` from `relation` in `db`; `types` are the declared types of the relation's
  // columns and `primary_keys` each table's primary-key column names (no index is added for
  // them). While `held` holds writes, the indexes are created apart from them (committed in a
  // transaction of their own). Throws Error(kInternal) when the widths differ.
  SqliteBaseRelationState(sqlite::Database& db, HeldWrites& held, BaseRelation relation,
                          std::vector<Type> types,
                          const std::vector<std::vector<std::string>>& primary_keys,
                          StateTableSpec spec);
  ~SqliteBaseRelationState() override;

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  // Does nothing: the loader writes the base tables itself.
  void Apply(const ZSet& delta) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;

 private:
  // Whether the relation may hold rows; when so, its indexes exist (created here if needed, in
  // the connection's open transaction if any, or apart from held writes). False: some table is
  // empty, and so is the join.
  bool ReadyToRead();
  Row ReadRow(sqlite::Statement& stmt) const;
  // The columns of base table `table` the relation's SQL reads (output, join and NOT NULL
  // columns), each once, in the order it first names them.
  std::vector<std::string> ColumnsReadOf(const std::string& table) const;
  std::string ColumnSql(size_t column) const;
  std::string Select(const std::string& condition) const;
  sqlite::Statement& LookupStatement(size_t index, size_t slots);
  sqlite::Statement& NullSafeStatement(const std::vector<size_t>& columns, size_t key);

  sqlite::Database& db_;
  HeldWrites& held_;
  BaseRelation relation_;
  std::vector<Type> types_;
  StateTableSpec spec_;
  std::map<std::pair<size_t, size_t>, std::unique_ptr<sqlite::Statement>> statements_;
  std::vector<std::string> index_names_;                        // the indexes serving reads
  std::vector<std::string> index_ddl_;                          // CREATE INDEX IF NOT EXISTS, each
  std::unique_ptr<sqlite::Statement> indexes_present_;          // how many of them exist
  std::vector<std::unique_ptr<sqlite::Statement>> table_rows_;  // per table: a row, if any
};

}  // namespace zload
