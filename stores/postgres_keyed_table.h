#pragma once

#include <string>
#include <vector>

#include "engine/state_store.h"
#include "stores/keyed_rows.h"
#include "stores/postgres_db.h"

namespace zload {

// SqliteKeyedTable on PostgreSQL: a state table with at most one row per key
// (spec.one_row_per_key), keyed by the key identity of the row's key (its columns at
// spec.indexes[0]): `identity BYTEA PRIMARY KEY, data BYTEA NOT NULL, c BIGINT NOT NULL`. A row
// replacing another of the same key is an upsert in place; a look-up by the key reads the
// primary key, and the Apply() after it reads nothing again. Other indexes are not supported.
// Throws Error(kInternal) when an Apply() would leave two rows with one key. Not thread-safe.
class PostgresKeyedTable : public StateTable {
 public:
  // Throws Error(kInternal) unless `spec` has exactly one index. The table is created by Ensure().
  PostgresKeyedTable(postgres::Database& db, std::string name, StateTableSpec spec);

  // Creates the table unless it is known to exist.
  void Ensure();
  // Forgets that the table exists and what the last look-up read (after a rollback).
  void Forget();

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  void Apply(const ZSet& delta) override;
  void Replace(std::vector<Row> rows, std::span<const Row> removed_keys) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;

 private:
  // The stored rows of the given key identities, one statement per chunk.
  keyed_rows::StoredByKey Read(const std::vector<RowIdentity>& ids);
  // Writes `changes`: upserts and deletes of chunks of rows.
  void Write(const keyed_rows::Changes& changes);

  postgres::Database& db_;
  std::string name_, q_;
  StateTableSpec spec_;
  bool ensured_ = false;
  keyed_rows::LookupMemory memory_;
};

}  // namespace zload
