#include "stores/sqlite_store.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <unordered_map>

#include "engine/error.h"
#include "engine/memory_store.h"
#include "stores/row_codec.h"
#include "stores/sqlite_keyed_table.h"
#include "stores/statement_chunks.h"

namespace zload {
namespace {

constexpr size_t kLookupChunk = 128;
constexpr size_t kInsertChunk = 32;  // rows per multi-row INSERT

std::string IndexColumn(size_t index, size_t part) {
  return fmt::format("ixd__{}_{}", index, part);
}

}  // namespace

// One state table. SQL statements are prepared once and reused.
class SqliteStore::Table : public StateTable {
 public:
  Table(sqlite::Database& db, HeldWrites& held, StateTableSpec spec, bool cache)
      : db_(db),
        held_(held),
        spec_(std::move(spec)),
        name_(TableNameFor(spec_)),
        cache_enabled_(cache) {
    std::string q = sqlite::QuoteIdentifier(name_);
    std::string cols = "identity BLOB PRIMARY KEY, data BLOB NOT NULL";
    std::string insert_cols = "identity, data";
    int param = 3;
    for (size_t i = 0; i < spec_.indexes.size(); ++i) {
      for (size_t j = 0; j < spec_.indexes[i].size(); ++j) {
        cols += ", " + IndexColumn(i, j);
        insert_cols += ", " + IndexColumn(i, j);
        ++param;
      }
    }
    weight_param_ = param;
    db_.Exec(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, c INTEGER NOT NULL) WITHOUT ROWID", q,
                         cols));
    for (size_t i = 0; i < spec_.indexes.size(); ++i) {
      std::vector<std::string> parts;
      for (size_t j = 0; j < spec_.indexes[i].size(); ++j) parts.push_back(IndexColumn(i, j));
      db_.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {}({})",
                           sqlite::QuoteIdentifier(fmt::format("{}__ix{}", name_, i)), q,
                           fmt::join(parts, ", ")));
    }
    std::string row_params;
    for (int p = 1; p <= weight_param_; ++p) row_params += p == 1 ? "?" : ", ?";
    std::string many;
    for (size_t k = 0; k < kInsertChunk; ++k) many += (k ? ", (" : "(") + row_params + ")";
    insert_one_ = std::make_unique<sqlite::Statement>(
        db_.handle(),
        fmt::format("INSERT INTO {} ({}, c) VALUES ({})", q, insert_cols, row_params));
    // OR FAIL: no statement journal (see SqliteJobStore's base-table inserts); these rows are
    // new to the table, and an error still fails the batch.
    insert_many_ = std::make_unique<sqlite::Statement>(
        db_.handle(),
        fmt::format("INSERT OR FAIL INTO {} ({}, c) VALUES {}", q, insert_cols, many));
    update_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("UPDATE {} SET c = ?2 WHERE identity = ?1", q));
    delete_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("DELETE FROM {} WHERE identity = ?1", q));
    scan_ =
        std::make_unique<sqlite::Statement>(db_.handle(), fmt::format("SELECT data, c FROM {}", q));
    count_ = std::make_unique<sqlite::Statement>(db_.handle(),
                                                 fmt::format("SELECT count(*) FROM {}", q));
  }

  const StateTableSpec& spec() const override { return spec_; }
  const std::string& name() const { return name_; }
  void DropCache() { cache_.reset(); }

  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
    held_.BeforeRead(this);
    if (StateTable* cache = Cache()) return cache->Lookup(index, keys, visit);
    const std::vector<size_t>& columns = spec_.indexes[index];
    std::unordered_map<Row, std::vector<size_t>, RowHash> positions;
    for (size_t i = 0; i < keys.size(); ++i) positions[keys[i]].push_back(i);
    // SQL's IN never matches NULL: keys holding a NULL are looked up one by one with IS.
    std::vector<const Row*> distinct;
    distinct.reserve(positions.size());
    // SQLite equality is looser than structural equality (1 = 1.0, TRUE = 1): keep only rows
    // whose key is one asked for, and with `only` set, only rows of that key.
    auto visit_matches = [&](sqlite::Statement& stmt, const Row* only) {
      while (stmt.Step()) {
        Row row = DecodeRow(stmt.ColumnBlob(0));
        int64_t w = stmt.ColumnInt(1);
        auto it = positions.find(Pick(row, columns));
        if (it == positions.end() || (only && it->first != *only)) continue;
        for (size_t pos : it->second) visit(pos, row, w);
      }
      stmt.Reset();
    };
    for (const auto& entry : positions) {
      bool has_null = false;
      for (const Value& v : entry.first) has_null |= v.is_null();
      if (!has_null) {
        distinct.push_back(&entry.first);
        continue;
      }
      sqlite::Statement& stmt = NullSafeLookupStatement(index);
      for (size_t j = 0; j < entry.first.size(); ++j)
        stmt.Bind(static_cast<int>(j + 1), entry.first[j]);
      visit_matches(stmt, &entry.first);
    }
    for (size_t start = 0; start < distinct.size(); start += kLookupChunk) {
      size_t n = std::min(kLookupChunk, distinct.size() - start);
      sqlite::Statement& stmt = LookupStatement(index, statement_chunks::Slots(n));
      size_t slots = statement_chunks::Slots(n);
      int param = 1;
      for (size_t k = 0; k < slots; ++k) {
        const Row& key = *distinct[start + std::min(k, n - 1)];  // pad with the last key
        for (const Value& v : key) stmt.Bind(param++, v);
      }
      visit_matches(stmt, nullptr);
    }
  }

  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    held_.BeforeRead(this);
    if (StateTable* cache = Cache()) return cache->Weights(rows);
    std::vector<RowIdentity> ids;
    ids.reserve(rows.size());
    for (const Row& row : rows) ids.push_back(IdentityOf(row));
    return StoredWeights(ids);
  }

  void Apply(const ZSet& delta) override {
    for (const auto& entry : delta) {
      if (entry.first.size() != spec_.arity) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("row of width {} applied to state of width {}", entry.first.size(),
                                spec_.arity),
                    {.table = name_});
      }
    }
    held_.BeforeRead(this);
    if (StateTable* cache = Cache()) {
      std::vector<Row> rows;
      std::vector<RowIdentity> ids;
      rows.reserve(delta.size());
      ids.reserve(delta.size());
      for (const auto& entry : delta) {
        rows.push_back(entry.first);
        ids.push_back(IdentityOf(entry.first));
      }
      ApplyOrHold(delta, std::move(ids), cache->Weights(rows));
      cache->Apply(delta);
      return;
    }
    std::vector<RowIdentity> ids;
    ids.reserve(delta.size());
    for (const auto& entry : delta) ids.push_back(IdentityOf(entry.first));
    std::vector<int64_t> before = StoredWeights(ids);
    ApplyOrHold(delta, std::move(ids), std::move(before));
  }

  void Scan(const ScanVisitor& visit) override {
    held_.BeforeRead(this);
    if (StateTable* cache = Cache()) return cache->Scan(visit);
    ScanDatabase(visit);
  }

  size_t Size() override {
    held_.BeforeRead(this);
    if (StateTable* cache = Cache()) return cache->Size();
    count_->Step();
    size_t n = static_cast<size_t>(count_->ColumnInt(0));
    count_->Reset();
    return n;
  }

 private:
  void ScanDatabase(const ScanVisitor& visit) {
    while (scan_->Step()) visit(DecodeRow(scan_->ColumnBlob(0)), scan_->ColumnInt(1));
    scan_->Reset();
  }

  // Binds identity, data and the index columns of `row` from parameter `first` on.
  int BindRow(sqlite::Statement& stmt, int first, const RowIdentity& id, const std::string& data,
              const Row& row) {
    int param = first;
    stmt.BindBlob(param++, id.data(), id.size());
    stmt.BindBlob(param++, data.data(), data.size());
    for (const auto& columns : spec_.indexes) {
      for (size_t c : columns) stmt.Bind(param++, row[c]);
    }
    return param;
  }

  // The stored weight of each identity (0 when absent), read with one statement per chunk.
  std::vector<int64_t> StoredWeights(const std::vector<RowIdentity>& ids) {
    std::vector<int64_t> out(ids.size(), 0);
    std::unordered_map<std::string_view, size_t> first;  // identity -> its first position
    first.reserve(ids.size());
    std::vector<size_t> distinct;
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string_view id(reinterpret_cast<const char*>(ids[i].data()), ids[i].size());
      if (first.emplace(id, i).second) distinct.push_back(i);
    }
    for (size_t start = 0; start < distinct.size(); start += kLookupChunk) {
      size_t n = std::min(kLookupChunk, distinct.size() - start);
      size_t slots = statement_chunks::Slots(n);
      sqlite::Statement& stmt = WeightsStatement(slots);
      for (size_t k = 0; k < slots; ++k) {
        const RowIdentity& id = ids[distinct[start + std::min(k, n - 1)]];
        stmt.BindBlob(static_cast<int>(k + 1), id.data(), id.size());
      }
      while (stmt.Step()) {
        std::string_view id = stmt.ColumnBlob(0);
        auto it = first.find(id);
        if (it != first.end()) out[it->second] = stmt.ColumnInt(1);
      }
      stmt.Reset();
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string_view id(reinterpret_cast<const char*>(ids[i].data()), ids[i].size());
      out[i] = out[first.at(id)];
    }
    return out;
  }

  // ApplyKnowingWeights now, or held while held_ holds writes.
  void ApplyOrHold(const ZSet& delta, std::vector<RowIdentity> ids, std::vector<int64_t> before) {
    if (!held_.holding()) return ApplyKnowingWeights(delta, ids, before);
    held_.Add(this, [this, delta, ids = std::move(ids), before = std::move(before)] {
      ApplyKnowingWeights(delta, ids, before);
    });
  }

  // With the stored weights known, new rows go in with multi-row INSERTs and the rest are plain
  // UPDATEs or DELETEs: no upsert, no read back. `ids` are the delta rows' identities, in order.
  void ApplyKnowingWeights(const ZSet& delta, const std::vector<RowIdentity>& ids,
                           const std::vector<int64_t>& before) {
    std::vector<std::string> data(kInsertChunk);
    std::vector<size_t> pending;  // positions in the delta of rows new to the table
    auto flush = [&](bool all) {
      while (pending.size() >= kInsertChunk || (all && !pending.empty())) {
        size_t n = pending.size() >= kInsertChunk ? kInsertChunk : 1;
        sqlite::Statement& stmt = n == kInsertChunk ? *insert_many_ : *insert_one_;
        int param = 1;
        for (size_t k = 0; k < n; ++k) {
          size_t pos = pending[pending.size() - n + k];
          const auto& [row, w] = delta.begin()[pos];
          data[k].clear();
          EncodeRow(row, data[k]);
          param = BindRow(stmt, param, ids[pos], data[k], row);
          stmt.BindInt(param++, w);
        }
        stmt.Run();
        pending.resize(pending.size() - n);
      }
    };
    size_t i = 0;
    for (const auto& [row, w] : delta) {
      size_t pos = i++;
      int64_t old = before[pos];
      if (old == 0) {
        pending.push_back(pos);
        flush(false);
        continue;
      }
      const RowIdentity& id = ids[pos];
      if (old + w == 0) {
        delete_->BindBlob(1, id.data(), id.size());
        delete_->Run();
      } else {
        update_->BindBlob(1, id.data(), id.size());
        update_->BindInt(2, old + w);
        update_->Run();
      }
    }
    flush(true);
  }

  // A statement reading the weights of `slots` identities at once.
  sqlite::Statement& WeightsStatement(size_t slots) {
    auto& stmt = weights_[slots];
    if (stmt) return *stmt;
    std::string marks;
    for (size_t k = 0; k < slots; ++k) marks += k ? ",?" : "?";
    stmt = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("SELECT identity, c FROM {} WHERE identity IN ({})",
                                  sqlite::QuoteIdentifier(name_), marks));
    return *stmt;
  }

  StateTable* Cache() {
    if (!cache_enabled_) return nullptr;
    if (!cache_) {
      cache_ = MakeMemoryTable(spec_);
      ZSet all;
      ScanDatabase([&](const Row& row, int64_t w) { all.Add(row, w); });
      cache_->Apply(all);
    }
    return cache_.get();
  }

  sqlite::Statement& NullSafeLookupStatement(size_t index) {
    auto& stmt = lookups_[{index, 0}];
    if (stmt) return *stmt;
    std::vector<std::string> terms;
    for (size_t j = 0; j < spec_.indexes[index].size(); ++j) {
      terms.push_back(fmt::format("{} IS ?{}", IndexColumn(index, j), j + 1));
    }
    stmt = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("SELECT data, c FROM {} WHERE {}", sqlite::QuoteIdentifier(name_),
                                  fmt::join(terms, " AND ")));
    return *stmt;
  }

  // A statement looking up `slots` NULL-free keys at once.
  sqlite::Statement& LookupStatement(size_t index, size_t slots) {
    auto& stmt = lookups_[{index, slots}];
    if (stmt) return *stmt;
    const std::vector<size_t>& columns = spec_.indexes[index];
    std::vector<std::string> names, tuples;
    for (size_t j = 0; j < columns.size(); ++j) names.push_back(IndexColumn(index, j));
    for (size_t k = 0; k < slots; ++k) {
      std::vector<std::string> marks(columns.size(), "?");
      tuples.push_back(columns.size() == 1 ? "?" : fmt::format("({})", fmt::join(marks, ",")));
    }
    std::string sql =
        columns.size() == 1
            ? fmt::format("SELECT data, c FROM {} WHERE {} IN ({})", sqlite::QuoteIdentifier(name_),
                          names[0], fmt::join(tuples, ","))
            : fmt::format("SELECT data, c FROM {} WHERE ({}) IN (VALUES {})",
                          sqlite::QuoteIdentifier(name_), fmt::join(names, ","),
                          fmt::join(tuples, ","));
    stmt = std::make_unique<sqlite::Statement>(db_.handle(), sql);
    return *stmt;
  }

  sqlite::Database& db_;
  HeldWrites& held_;
  StateTableSpec spec_;
  std::string name_;
  bool cache_enabled_;
  int weight_param_ = 3;
  std::unique_ptr<StateTable> cache_;
  std::unique_ptr<sqlite::Statement> delete_, scan_, count_, update_, insert_one_, insert_many_;
  std::map<size_t, std::unique_ptr<sqlite::Statement>> weights_;
  std::map<std::pair<size_t, size_t>, std::unique_ptr<sqlite::Statement>> lookups_;
};

SqliteStore::SqliteStore(sqlite::Database& db, Options options) : db_(db), options_(options) {
  db_.Exec("CREATE TABLE IF NOT EXISTS last_update (table_name TEXT PRIMARY KEY, t BIGINT)");
}

SqliteStore::~SqliteStore() = default;

std::string SqliteStore::TableNameFor(const StateTableSpec& spec) {
  std::string shape = fmt::format("{}", spec.arity);
  for (const auto& index : spec.indexes) shape += fmt::format("|{}", fmt::join(index, ","));
  if (spec.one_row_per_key) shape += "|one row per key";
  return fmt::format("{}__{:08x}", spec.name,
                     static_cast<uint32_t>(XXH3_64bits(shape.data(), shape.size())));
}

StateTable& SqliteStore::Open(const StateTableSpec& spec) {
  StateTable* open = nullptr;
  if (auto it = tables_.find(spec.name); it != tables_.end()) open = it->second.get();
  if (auto it = keyed_tables_.find(spec.name); it != keyed_tables_.end()) open = it->second.get();
  if (open) {
    const StateTableSpec& have = open->spec();
    if (have.arity != spec.arity || have.indexes != spec.indexes ||
        have.one_row_per_key != spec.one_row_per_key) {
      throw Error(ErrorCode::kSchema, "state table reopened with another shape",
                  {.table = spec.name});
    }
    return *open;
  }
  if (spec.one_row_per_key) {
    auto& slot = keyed_tables_[spec.name];
    slot = std::make_unique<SqliteKeyedTable>(db_, held_, TableNameFor(spec), spec);
    return *slot;
  }
  auto& slot = tables_[spec.name];
  slot = std::make_unique<Table>(db_, held_, spec, options_.cache_state);
  return *slot;
}

void SqliteStore::DropCaches() {
  held_.Drop();
  for (auto& entry : tables_) entry.second->DropCache();
  for (auto& entry : keyed_tables_) entry.second->DropCache();
}

std::optional<int64_t> SqliteStore::LastUpdate(const std::string& table) {
  sqlite::Statement stmt(db_.handle(), "SELECT t FROM last_update WHERE table_name = ?1");
  stmt.BindText(1, table);
  if (!stmt.Step()) return std::nullopt;
  return stmt.ColumnInt(0);
}

void SqliteStore::SetLastUpdate(const std::string& table, int64_t time) {
  sqlite::Statement stmt(db_.handle(),
                         "INSERT INTO last_update (table_name, t) VALUES (?1, ?2) "
                         "ON CONFLICT(table_name) DO UPDATE SET t = excluded.t");
  stmt.BindText(1, table);
  stmt.BindInt(2, time);
  stmt.Run();
}

}  // namespace zload
