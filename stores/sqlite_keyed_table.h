#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/state_store.h"
#include "stores/held_writes.h"
#include "stores/keyed_rows.h"
#include "stores/row_codec.h"
#include "stores/sqlite_db.h"

namespace zload {

// A state table with at most one row per key (spec.one_row_per_key): an SQLite table keyed by
// the key identity (KeyIdentityOf) of the row's key (its columns at spec.indexes[0]), so that a row
// replacing another of the same key is one UPDATE in place and a look-up by that key reads the
// primary key. Other indexes are not supported. Throws Error(kInternal) when an Apply() would leave
// two rows with one key. Not thread-safe.
class SqliteKeyedTable : public StateTable {
 public:
  // Creates the table `name` unless it exists. Its writes are held while `held` holds them.
  // Throws Error(kInternal) unless `spec` has exactly one index.
  SqliteKeyedTable(sqlite::Database& db, HeldWrites& held, std::string name, StateTableSpec spec);
  ~SqliteKeyedTable() override;

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  void Apply(const ZSet& delta) override;
  void Replace(std::vector<Row> rows, std::span<const Row> removed_keys) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;
  // Forgets the rows remembered from the last Lookup(); call after a rollback.
  void DropCache() { memory_.Forget(); }

 private:
  using StoredByKey = keyed_rows::StoredByKey;
  // The stored rows of the given key identities, read with one statement per chunk.
  StoredByKey Read(const std::vector<RowIdentity>& ids);
  // A row to write, encoded.
  struct EncodedWrite {
    RowIdentity id;
    std::string encoded;
    int64_t weight;
  };
  // Writes with multi-row upserts and deletes.
  void Write(const std::vector<EncodedWrite>& writes, const std::vector<RowIdentity>& removes);
  // Writes `changes` now, or holds them while held_ holds writes (encoded first: the encoding
  // then happens before the write lock is taken).
  void WriteOrHold(keyed_rows::Changes changes);
  sqlite::Statement& ReadStatement(size_t slots);
  sqlite::Statement& UpsertStatement(size_t rows);
  sqlite::Statement& DeleteStatement(size_t rows);

  sqlite::Database& db_;
  HeldWrites& held_;
  std::string name_;
  StateTableSpec spec_;
  std::unique_ptr<sqlite::Statement> scan_, count_;
  std::map<size_t, std::unique_ptr<sqlite::Statement>> reads_, upserts_, deletes_;
  keyed_rows::LookupMemory memory_;  // what the last Lookup() read
};

}  // namespace zload
