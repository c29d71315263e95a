#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "engine/state_store.h"
#include "stores/sqlite_db.h"

namespace zload {

// A delay vertex's state served by a base table: the integral of a source is the table the
// loader keeps anyway, so a join reads it (through an index on the look-up columns, created
// here) instead of keeping a copy. Reads see the table as it is; Apply() writes nothing, because
// the loader applies the same delta to the table after the iteration that read it. Each stored
// copy of a row adds 1 to its weight. Not thread-safe.
class SqliteBaseTableState : public StateTable {
 public:
  // Serves `spec` from table `table` of `schema` in `db`. Throws Error(kInternal) when the
  // widths differ.
  SqliteBaseTableState(sqlite::Database& db, std::string table, Schema schema,
                       std::vector<size_t> primary_key, StateTableSpec spec);
  ~SqliteBaseTableState() override;

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  // Does nothing: the loader writes the base table itself.
  void Apply(const ZSet& delta) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;

 private:
  Row ReadRow(sqlite::Statement& stmt) const;
  sqlite::Statement& LookupStatement(size_t index, size_t slots);
  sqlite::Statement& NullSafeStatement(const std::vector<size_t>& columns, size_t key);

  sqlite::Database& db_;
  std::string table_;
  Schema schema_;
  StateTableSpec spec_;
  std::string columns_sql_;  // every column, quoted, in order
  std::map<std::pair<size_t, size_t>, std::unique_ptr<sqlite::Statement>> statements_;
};

}  // namespace zload
