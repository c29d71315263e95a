#include "stores/sqlite_store.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <unordered_map>

#include "engine/error.h"
#include "engine/memory_store.h"
#include "stores/row_codec.h"

namespace zload {
namespace {

constexpr size_t kLookupChunk = 128;
constexpr size_t kInsertChunk = 32;  // rows per multi-row INSERT

std::string IndexColumn(size_t index, size_t part) {
  return fmt::format("ixd__{}_{}", index, part);
}

size_t RoundUpToPowerOfTwo(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

// One state table. SQL statements are prepared once and reused.
class SqliteStore::Table : public StateTable {
 public:
  Table(sqlite::Database& db, StateTableSpec spec, bool cache)
      : db_(db), spec_(std::move(spec)), name_(TableNameFor(spec_)), cache_enabled_(cache) {
    std::string q = sqlite::QuoteIdentifier(name_);
    std::string cols = "identity BLOB PRIMARY KEY, data BLOB NOT NULL";
    std::string insert_cols = "identity, data", insert_params = "?1, ?2";
    int param = 3;
    for (size_t i = 0; i < spec_.indexes.size(); ++i) {
      for (size_t j = 0; j < spec_.indexes[i].size(); ++j) {
        cols += ", " + IndexColumn(i, j);
        insert_cols += ", " + IndexColumn(i, j);
        insert_params += fmt::format(", ?{}", param++);
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
    upsert_ = std::make_unique<sqlite::Statement>(
        db_.handle(),
        fmt::format("INSERT INTO {} ({}, c) VALUES ({}, ?{}) ON CONFLICT(identity) DO UPDATE "
                    "SET c = c + excluded.c RETURNING c",
                    q, insert_cols, insert_params, weight_param_));
    std::string row_params;
    for (int p = 1; p <= weight_param_; ++p) row_params += p == 1 ? "?" : ", ?";
    std::string many;
    for (size_t k = 0; k < kInsertChunk; ++k) many += (k ? ", (" : "(") + row_params + ")";
    insert_one_ = std::make_unique<sqlite::Statement>(
        db_.handle(),
        fmt::format("INSERT INTO {} ({}, c) VALUES ({})", q, insert_cols, row_params));
    insert_many_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("INSERT INTO {} ({}, c) VALUES {}", q, insert_cols, many));
    update_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("UPDATE {} SET c = ?2 WHERE identity = ?1", q));
    delete_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("DELETE FROM {} WHERE identity = ?1", q));
    weight_ = std::make_unique<sqlite::Statement>(
        db_.handle(), fmt::format("SELECT c FROM {} WHERE identity = ?1", q));
    scan_ =
        std::make_unique<sqlite::Statement>(db_.handle(), fmt::format("SELECT data, c FROM {}", q));
    count_ = std::make_unique<sqlite::Statement>(db_.handle(),
                                                 fmt::format("SELECT count(*) FROM {}", q));
  }

  const StateTableSpec& spec() const override { return spec_; }
  const std::string& name() const { return name_; }
  void DropCache() { cache_.reset(); }

  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
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
      sqlite::Statement& stmt = LookupStatement(index, RoundUpToPowerOfTwo(n));
      size_t slots = RoundUpToPowerOfTwo(n);
      int param = 1;
      for (size_t k = 0; k < slots; ++k) {
        const Row& key = *distinct[start + std::min(k, n - 1)];  // pad with the last key
        for (const Value& v : key) stmt.Bind(param++, v);
      }
      visit_matches(stmt, nullptr);
    }
  }

  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    if (StateTable* cache = Cache()) return cache->Weights(rows);
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const Row& row : rows) {
      RowIdentity id = IdentityOf(row);
      weight_->BindBlob(1, id.data(), id.size());
      out.push_back(weight_->Step() ? weight_->ColumnInt(0) : 0);
      weight_->Reset();
    }
    return out;
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
    if (StateTable* cache = Cache()) {
      ApplyKnowingWeights(delta, *cache);
      cache->Apply(delta);
      return;
    }
    std::string data;
    for (const auto& [row, w] : delta) {
      RowIdentity id = IdentityOf(row);
      data.clear();
      EncodeRow(row, data);
      BindRow(*upsert_, 1, id, data, row);
      upsert_->BindInt(weight_param_, w);
      int64_t now = upsert_->Step() ? upsert_->ColumnInt(0) : w;
      upsert_->Reset();
      if (now == 0) {
        delete_->BindBlob(1, id.data(), id.size());
        delete_->Run();
      }
    }
  }

  void Scan(const ScanVisitor& visit) override {
    if (StateTable* cache = Cache()) return cache->Scan(visit);
    ScanDatabase(visit);
  }

  size_t Size() override {
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

  // With the stored weights known from the cache, new rows go in with multi-row INSERTs and
  // the rest are plain UPDATEs or DELETEs: no upsert, no read back.
  void ApplyKnowingWeights(const ZSet& delta, StateTable& cache) {
    std::vector<Row> rows;
    rows.reserve(delta.size());
    for (const auto& entry : delta) rows.push_back(entry.first);
    std::vector<int64_t> before = cache.Weights(rows);
    std::vector<RowIdentity> ids(kInsertChunk);
    std::vector<std::string> data(kInsertChunk);
    std::vector<std::pair<const Row*, int64_t>> pending;
    auto flush = [&](bool all) {
      while (pending.size() >= kInsertChunk || (all && !pending.empty())) {
        size_t n = pending.size() >= kInsertChunk ? kInsertChunk : 1;
        sqlite::Statement& stmt = n == kInsertChunk ? *insert_many_ : *insert_one_;
        int param = 1;
        for (size_t k = 0; k < n; ++k) {
          const auto& [row, w] = pending[pending.size() - n + k];
          ids[k] = IdentityOf(*row);
          data[k].clear();
          EncodeRow(*row, data[k]);
          param = BindRow(stmt, param, ids[k], data[k], *row);
          stmt.BindInt(param++, w);
        }
        stmt.Run();
        pending.resize(pending.size() - n);
      }
    };
    size_t i = 0;
    for (const auto& [row, w] : delta) {
      int64_t old = before[i++];
      if (old == 0) {
        pending.emplace_back(&row, w);
        flush(false);
        continue;
      }
      RowIdentity id = IdentityOf(row);
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
  StateTableSpec spec_;
  std::string name_;
  bool cache_enabled_;
  int weight_param_ = 3;
  std::unique_ptr<StateTable> cache_;
  std::unique_ptr<sqlite::Statement> upsert_, delete_, weight_, scan_, count_, update_, insert_one_,
      insert_many_;
  std::map<std::pair<size_t, size_t>, std::unique_ptr<sqlite::Statement>> lookups_;
};

SqliteStore::SqliteStore(sqlite::Database& db, Options options) : db_(db), options_(options) {
  db_.Exec("CREATE TABLE IF NOT EXISTS last_update (table_name TEXT PRIMARY KEY, t BIGINT)");
}

SqliteStore::~SqliteStore() = default;

std::string SqliteStore::TableNameFor(const StateTableSpec& spec) {
  std::string shape = fmt::format("{}", spec.arity);
  for (const auto& index : spec.indexes) shape += fmt::format("|{}", fmt::join(index, ","));
  return fmt::format("{}__{:08x}", spec.name,
                     static_cast<uint32_t>(XXH3_64bits(shape.data(), shape.size())));
}

StateTable& SqliteStore::Open(const StateTableSpec& spec) {
  auto it = tables_.find(spec.name);
  if (it != tables_.end()) {
    const StateTableSpec& have = it->second->spec();
    if (have.arity != spec.arity || have.indexes != spec.indexes) {
      throw Error(ErrorCode::kSchema, "state table reopened with another shape",
                  {.table = spec.name});
    }
    return *it->second;
  }
  auto& slot = tables_[spec.name];
  slot = std::make_unique<Table>(db_, spec, options_.cache_state);
  return *slot;
}

void SqliteStore::DropCaches() {
  for (auto& entry : tables_) entry.second->DropCache();
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
