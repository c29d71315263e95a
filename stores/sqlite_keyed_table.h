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

// A state table with at most one row per key (spec.one_row_per_key), in two SQLite tables: rows
// whose key (their columns at spec.indexes[0]) is one INTEGER value in `<name>__by_integer`,
// keyed by that integer (its rowid), the others in `<name>`, keyed by the key identity
// (KeyIdentityOf). A row replacing another of the same key is one UPDATE in place and a look-up
// by key reads a primary key. Other indexes are not supported. Throws Error(kInternal) when an
// Apply() would leave two rows with one key. Not thread-safe.
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
  // A row to write, encoded.
  struct EncodedWrite {
    RowIdentity id;
    std::string encoded;
    int64_t weight;
  };
  // One of the two SQLite tables, with its statements (prepared once per chunk size).
  class Part {
   public:
    // Creates the table unless it exists: keyed by an INTEGER rowid or by a BLOB identity.
    Part(sqlite::Database& db, std::string name, bool by_integer);
    // Adds to `out` the stored rows of `ids` (sorted; for the integer part, integer keys only),
    // read with one statement per chunk.
    void Read(const std::vector<RowIdentity>& ids, StoredByKey& out);
    // Writes with multi-row upserts and deletes (for the integer part, ids of integers only).
    void Write(const std::vector<const EncodedWrite*>& writes,
               const std::vector<const RowIdentity*>& removes);
    void Scan(const ScanVisitor& visit);
    size_t Size();

   private:
    // The key column: `k` (INTEGER PRIMARY KEY, the rowid) or `identity`.
    const char* key() const { return by_integer_ ? "k" : "identity"; }
    // Binds the key of `id` to the 1-based parameter `param`.
    void BindKey(sqlite::Statement& stmt, int param, const RowIdentity& id) const;
    sqlite::Statement& ReadStatement(size_t slots);
    sqlite::Statement& UpsertStatement(size_t rows);
    sqlite::Statement& DeleteStatement(size_t rows);

    sqlite::Database& db_;
    std::string name_;
    bool by_integer_;
    std::unique_ptr<sqlite::Statement> scan_, count_;
    std::map<size_t, std::unique_ptr<sqlite::Statement>> reads_, upserts_, deletes_;
  };

  // The stored rows of the given key identities.
  StoredByKey Read(const std::vector<RowIdentity>& ids);
  // Writes to each part what belongs to it.
  void Write(const std::vector<EncodedWrite>& writes, const std::vector<RowIdentity>& removes);
  // Writes `changes` now, or holds them while held_ holds writes (encoded first: the encoding
  // then happens before the write lock is taken).
  void WriteOrHold(keyed_rows::Changes changes);

  sqlite::Database& db_;
  HeldWrites& held_;
  std::string name_;
  StateTableSpec spec_;
  Part by_identity_, by_integer_;
  keyed_rows::LookupMemory memory_;  // what the last Lookup() read
};

}  // namespace zload
