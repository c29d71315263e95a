#pragma once

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/state_store.h"
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
  // Creates the table `name` unless it exists. Throws Error(kInternal) unless `spec` has
  // exactly one index.
  SqliteKeyedTable(sqlite::Database& db, std::string name, StateTableSpec spec);
  ~SqliteKeyedTable() override;

  const StateTableSpec& spec() const override { return spec_; }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override;
  std::vector<int64_t> Weights(std::span<const Row> rows) override;
  void Apply(const ZSet& delta) override;
  void Scan(const ScanVisitor& visit) override;
  size_t Size() override;
  // Forgets the rows remembered from the last Lookup(); call after a rollback.
  void DropCache() { looked_up_.clear(); }

 private:
  // A stored row and its weight.
  struct Stored {
    Row row;
    int64_t weight = 0;
  };
  struct IdentityHash {
    size_t operator()(const RowIdentity& id) const {
      // Key identities may share their leading bytes: mix all sixteen.
      uint64_t a, b;
      std::memcpy(&a, id.data(), sizeof a);
      std::memcpy(&b, id.data() + sizeof a, sizeof b);
      uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
      return static_cast<size_t>(h ^ (h >> 31));
    }
  };
  using StoredByKey = std::unordered_map<RowIdentity, Stored, IdentityHash>;
  // The stored rows of the given key identities, read with one statement per chunk.
  StoredByKey Read(const std::vector<RowIdentity>& ids);
  sqlite::Statement& ReadStatement(size_t slots);
  sqlite::Statement& UpsertStatement(size_t rows);
  sqlite::Statement& DeleteStatement(size_t rows);

  sqlite::Database& db_;
  std::string name_;
  StateTableSpec spec_;
  std::unique_ptr<sqlite::Statement> scan_, count_;
  std::map<size_t, std::unique_ptr<sqlite::Statement>> reads_, upserts_, deletes_;
  // What the last Lookup() read (found or not), so that the Apply() that follows it in the same
  // step reads nothing again; Apply() forgets it.
  StoredByKey looked_up_;
  std::unordered_set<RowIdentity, IdentityHash> looked_up_absent_;
};

}  // namespace zload
