#pragma once

#include <string>
#include <vector>

#include "engine/state_store.h"
#include "stores/keyed_rows.h"
#include "stores/postgres_db.h"

namespace zload {

// SqliteKeyedTable on PostgreSQL: a state table with at most one row per key
// (spec.one_row_per_key). A row whose key (its columns at spec.indexes[0]) is one INTEGER value
// is in the table `integer_name`, `k BIGINT PRIMARY KEY, data BYTEA NOT NULL, c BIGINT NOT NULL`
// (k: the key's value); every other row in `name`, keyed by the key identity of its key:
// `identity BYTEA PRIMARY KEY, data BYTEA NOT NULL, c BIGINT NOT NULL`. A row replacing another
// of the same key is an upsert in place; a look-up by the key reads a primary key, and the
// Apply() after it reads nothing again. Other indexes are not supported. Throws Error(kInternal)
// when an Apply() would leave two rows with one key. Not thread-safe.
class PostgresKeyedTable : public StateTable {
 public:
  // Throws Error(kInternal) unless `spec` has exactly one index. The tables are created by
  // Ensure().
  PostgresKeyedTable(postgres::Database& db, std::string name, std::string integer_name,
                     StateTableSpec spec);

  // Creates the tables unless they are known to exist.
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

  // One of the two tables: its name, quoted, and whether it is keyed by integer.
  struct Part {
    std::string name, q;
    bool by_integer;
    // The key column and its SQL type.
    const char* key() const { return by_integer ? "k" : "identity"; }
    const char* key_type() const { return by_integer ? "bigint" : "bytea"; }
  };
  // Adds to `out` the stored rows of `ids` (all of `part`'s kind) from `part`.
  void ReadPart(const Part& part, const std::vector<RowIdentity>& ids,
                keyed_rows::StoredByKey& out);
  // Writes the rows of `changes` that `part` keeps.
  void WritePart(pqxx::transaction_base& tx, const Part& part, const keyed_rows::Changes& changes);

  postgres::Database& db_;
  std::string name_;
  StateTableSpec spec_;
  Part by_identity_, by_integer_;
  bool ensured_ = false;
  keyed_rows::LookupMemory memory_;
};

}  // namespace zload
