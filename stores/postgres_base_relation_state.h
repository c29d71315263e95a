#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/state_store.h"
#include "engine/value.h"
#include "stores/base_relation.h"
#include "stores/postgres_db.h"

namespace zload {

// SqliteBaseRelationState on PostgreSQL: a delay vertex's state that is the integral of sources
// (joined and projected: a BaseRelation) is read from those base tables with SQL (through
// indexes on the join and look-up columns) instead of kept in a copy. Reads see the tables as
// they are; Apply() writes nothing, because the loader applies each delta to its base table
// after the iteration that read it. Each result row adds 1 to that row's weight. Not
// thread-safe.
//
// The indexes are created by the first read that can find rows (every table of the relation
// holding one), in that read's transaction: a table loaded while the relation is empty, or never
// read, is loaded without maintaining them. Until then a read finds nothing without asking.
class PostgresBaseRelationState : public StateTable {
 public:
  // One column of the relation: its declared type and its PostgreSQL type.
  struct ColumnType {
    Type type;
    std::string pg_type;
  };
  // Serves `spec` from `relation` in `db`; `types` describe the relation's columns and
  // `primary_keys` each table's primary-key column names (no index is added for them). Creates
  // nothing and takes no lock. Throws Error(kInternal) when the widths differ.
  PostgresBaseRelationState(postgres::Database& db, BaseRelation relation,
                            std::vector<ColumnType> types,
                            const std::vector<std::vector<std::string>>& primary_keys,
                            StateTableSpec spec);

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  // Does nothing: the loader writes the base tables itself.
  void Apply(const ZSet& delta) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;

 private:
  std::string ColumnSql(size_t column) const;
  std::string Select(const std::string& condition) const;
  Row ReadRow(const pqxx::row& r) const;
  // The SELECT of the rows whose `columns` equal `key` (IS NULL for its NULLs), and in `params`
  // the texts it binds.
  std::string Matching(const std::vector<size_t>& columns, const Row& key,
                       std::vector<std::string>& params) const;

  // An index that serves the relation.
  struct WantedIndex {
    std::string name;
    std::string table;
    std::string ddl;
  };
  // Whether a read can find rows: true once the indexes exist (missing ones are created, each
  // under an advisory lock, when every table of the relation holds a row); false while a table
  // is empty (an inner join with an empty table is empty).
  bool ReadyToRead();

  postgres::Database& db_;
  BaseRelation relation_;
  std::vector<ColumnType> types_;
  StateTableSpec spec_;
  std::map<size_t, std::string> lookup_sql_;  // by index: keys without NULLs, bound as arrays
  std::vector<WantedIndex> indexes_;          // each name once
  bool indexes_seen_ = false;                 // all of indexes_ were found in the catalog
  bool created_ = false;                      // this state created them, maybe uncommitted
};

}  // namespace zload
