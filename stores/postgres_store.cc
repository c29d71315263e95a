#include "stores/postgres_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "engine/error.h"
#include "stores/keyed_rows.h"
#include "stores/row_codec.h"
#include "stores/sqlite_store.h"

namespace zload {
namespace {

using postgres::ArrayLiteral;
using postgres::QuoteIdentifier;

using postgres::ExecPrepared;
using postgres::kWriteChunk;

constexpr size_t kLookupChunk = 1000;  // keys or identities per look-up statement

std::string IndexColumn(size_t index, size_t part) {
  return fmt::format("ixd__{}_{}", index, part);
}

std::string_view Bytes(const RowIdentity& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

// What ixd__ columns hold for a key value: the identity of the one-value row, so that values
// equal as Values (NULL and NULL, -0.0 and 0.0, two NaNs) store equal bytes.
RowIdentity KeyIdentity(const Value& v) { return IdentityOf(Row{v}); }

// Throws Error(kSchema) when a state table is opened again with another shape.
void CheckSameShape(const StateTableSpec& have, const StateTableSpec& spec) {
  if (have.arity != spec.arity || have.indexes != spec.indexes ||
      have.one_row_per_key != spec.one_row_per_key) {
    throw Error(ErrorCode::kSchema, "state table reopened with another shape",
                {.table = spec.name});
  }
}

}  // namespace

// One state table. Statement texts are built once; the Database prepares each on first use.
class PostgresStore::Table : public StateTable {
 public:
  Table(postgres::Database& db, StateTableSpec spec)
      : db_(db), spec_(std::move(spec)), name_(TableNameFor(spec_)), q_(QuoteIdentifier(name_)) {
    std::vector<std::string> index_columns;
    for (size_t i = 0; i < spec_.indexes.size(); ++i) {
      for (size_t j = 0; j < spec_.indexes[i].size(); ++j)
        index_columns.push_back(IndexColumn(i, j));
    }
    std::string cols = "identity BYTEA PRIMARY KEY, data BYTEA NOT NULL";
    for (const std::string& c : index_columns) cols += ", " + c + " BYTEA NOT NULL";
    ddl_.push_back(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, c BIGINT NOT NULL)", q_, cols));
    for (size_t i = 0; i < spec_.indexes.size(); ++i) {
      std::vector<std::string> parts;
      for (size_t j = 0; j < spec_.indexes[i].size(); ++j) parts.push_back(IndexColumn(i, j));
      if (parts.empty()) {  // every row has the empty key
        lookup_sql_.push_back(fmt::format("SELECT data, c FROM {}", q_));
        continue;
      }
      ddl_.push_back(
          fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                      QuoteIdentifier(postgres::FitIdentifier(fmt::format("{}__ix{}", name_, i))),
                      q_, fmt::join(parts, ", ")));
      if (parts.size() == 1) {
        lookup_sql_.push_back(
            fmt::format("SELECT data, c FROM {} WHERE {} = ANY($1::bytea[])", q_, parts[0]));
      } else {
        std::vector<std::string> arrays;
        for (size_t j = 0; j < parts.size(); ++j)
          arrays.push_back(fmt::format("${}::bytea[]", j + 1));
        lookup_sql_.push_back(
            fmt::format("SELECT data, c FROM {} WHERE ({}) IN (SELECT * FROM unnest({}))", q_,
                        fmt::join(parts, ", "), fmt::join(arrays, ", ")));
      }
    }
    copy_columns_ = {"identity", "data"};
    copy_columns_.insert(copy_columns_.end(), index_columns.begin(), index_columns.end());
    copy_columns_.push_back("c");
    std::vector<std::string> arrays;
    for (size_t k = 0; k + 1 < copy_columns_.size(); ++k)
      arrays.push_back(fmt::format("${}::bytea[]", k + 1));
    arrays.push_back(fmt::format("${}::bigint[]", copy_columns_.size()));
    insert_sql_ = fmt::format("INSERT INTO {} ({}) SELECT * FROM unnest({})", q_,
                              fmt::join(copy_columns_, ", "), fmt::join(arrays, ", "));
    weights_sql_ = fmt::format("SELECT identity, c FROM {} WHERE identity = ANY($1::bytea[])", q_);
    update_sql_ = fmt::format(
        "UPDATE {} AS t SET c = u.c FROM unnest($1::bytea[], $2::bigint[]) AS u(id, c) "
        "WHERE t.identity = u.id",
        q_);
    delete_sql_ = fmt::format("DELETE FROM {} WHERE identity = ANY($1::bytea[])", q_);
    scan_sql_ = fmt::format("SELECT data, c FROM {}", q_);
    count_sql_ = fmt::format("SELECT count(*) FROM {}", q_);
  }

  const StateTableSpec& spec() const override { return spec_; }
  void Forget() { ensured_ = false; }

  // Creates the table unless it is known to exist.
  void Ensure() {
    if (ensured_) return;
    db_.EnsureTable(name_, ddl_);
    ensured_ = true;
  }

  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
    Ensure();
    const std::vector<size_t>& columns = spec_.indexes[index];
    std::unordered_map<Row, std::vector<size_t>, RowHash> positions;
    for (size_t i = 0; i < keys.size(); ++i) positions[keys[i]].push_back(i);
    std::vector<const Row*> distinct;
    distinct.reserve(positions.size());
    for (const auto& entry : positions) distinct.push_back(&entry.first);
    for (size_t start = 0; start < distinct.size(); start += kLookupChunk) {
      size_t end = std::min(distinct.size(), start + kLookupChunk);
      std::vector<ArrayLiteral> arrays(columns.size());
      for (size_t k = start; k < end; ++k) {
        for (size_t j = 0; j < columns.size(); ++j) {
          arrays[j].AddBytea(Bytes(KeyIdentity((*distinct[k])[j])));
        }
      }
      std::vector<std::string> params;
      for (const ArrayLiteral& a : arrays) params.push_back(a.str());
      pqxx::result rows = db_.Read(
          [&](pqxx::transaction_base& tx) {
            return ExecPrepared(tx, db_.Prepared(lookup_sql_[index]), params);
          },
          {.table = name_});
      for (const auto& r : rows) {
        Row row = DecodeRow(postgres::FromByteaText({r[0].c_str(), r[0].size()}));
        auto it = positions.find(Pick(row, columns));
        if (it == positions.end()) continue;  // another key with a colliding identity
        int64_t w = r[1].as<int64_t>();
        for (size_t pos : it->second) visit(pos, row, w);
      }
    }
  }

  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    Ensure();
    std::vector<RowIdentity> ids;
    ids.reserve(rows.size());
    for (const Row& row : rows) ids.push_back(IdentityOf(row));
    return db_.Read([&](pqxx::transaction_base& tx) { return StoredWeights(tx, ids); },
                    {.table = name_});
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
    Ensure();
    if (delta.empty()) return;
    std::vector<RowIdentity> ids;
    ids.reserve(delta.size());
    for (const auto& entry : delta) ids.push_back(IdentityOf(entry.first));
    db_.Write(
        [&](pqxx::transaction_base& tx) {
          ApplyKnowingWeights(tx, delta, ids, StoredWeights(tx, ids));
        },
        {.table = name_});
  }

  void Scan(const ScanVisitor& visit) override {
    Ensure();
    pqxx::result rows = db_.Read(
        [&](pqxx::transaction_base& tx) { return tx.exec_prepared(db_.Prepared(scan_sql_)); },
        {.table = name_});
    for (const auto& r : rows) {
      visit(DecodeRow(postgres::FromByteaText({r[0].c_str(), r[0].size()})), r[1].as<int64_t>());
    }
  }

  size_t Size() override {
    Ensure();
    return db_.Read(
        [&](pqxx::transaction_base& tx) {
          return tx.exec_prepared(db_.Prepared(count_sql_))[0][0].as<size_t>();
        },
        {.table = name_});
  }

 private:
  // The stored weight of each identity (0 when absent), one statement per chunk.
  std::vector<int64_t> StoredWeights(pqxx::transaction_base& tx,
                                     const std::vector<RowIdentity>& ids) {
    std::unordered_map<std::string_view, int64_t> stored;
    std::unordered_map<std::string_view, bool> asked;
    std::vector<size_t> distinct;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (asked.emplace(Bytes(ids[i]), true).second) distinct.push_back(i);
    }
    std::vector<std::string> found;  // owns the identities read back
    found.reserve(distinct.size());
    for (size_t start = 0; start < distinct.size(); start += kLookupChunk) {
      ArrayLiteral array;
      for (size_t k = start; k < std::min(distinct.size(), start + kLookupChunk); ++k) {
        array.AddBytea(Bytes(ids[distinct[k]]));
      }
      pqxx::result rows = tx.exec_prepared(db_.Prepared(weights_sql_), array.str());
      for (const auto& r : rows) {
        found.push_back(postgres::FromByteaText({r[0].c_str(), r[0].size()}));
        stored[found.back()] = r[1].as<int64_t>();
      }
    }
    std::vector<int64_t> out(ids.size(), 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto it = stored.find(Bytes(ids[i]));
      if (it != stored.end()) out[i] = it->second;
    }
    return out;
  }

  // With the stored weights known, new rows are inserted (with COPY when many), changed rows
  // updated and emptied rows deleted: a few statements per chunk of rows, no upsert.
  void ApplyKnowingWeights(pqxx::transaction_base& tx, const ZSet& delta,
                           const std::vector<RowIdentity>& ids,
                           const std::vector<int64_t>& before) {
    std::vector<size_t> inserts, updates, deletes;  // positions in the delta
    for (size_t pos = 0; pos < ids.size(); ++pos) {
      int64_t after = before[pos] + delta.begin()[pos].second;
      if (before[pos] == 0) {
        inserts.push_back(pos);
      } else if (after == 0) {
        deletes.push_back(pos);
      } else {
        updates.push_back(pos);
      }
    }
    // The fields of a new row, in copy_columns_ order, as text.
    postgres::InsertRows(db_, tx, q_, copy_columns_, insert_sql_, inserts.size(), [&](size_t i) {
      const auto& [row, w] = delta.begin()[inserts[i]];
      postgres::RowFields out;
      out.reserve(copy_columns_.size());
      out.push_back(postgres::ByteaText(Bytes(ids[inserts[i]])));
      out.push_back(postgres::ByteaText(EncodeRow(row)));
      for (const auto& columns : spec_.indexes) {
        for (size_t c : columns) out.push_back(postgres::ByteaText(Bytes(KeyIdentity(row[c]))));
      }
      out.push_back(std::to_string(w));
      return out;
    });
    for (size_t start = 0; start < updates.size(); start += kWriteChunk) {
      ArrayLiteral id_array, weight_array;
      for (size_t k = start; k < std::min(updates.size(), start + kWriteChunk); ++k) {
        size_t pos = updates[k];
        id_array.AddBytea(Bytes(ids[pos]));
        weight_array.Add(std::to_string(before[pos] + delta.begin()[pos].second));
      }
      tx.exec_prepared(db_.Prepared(update_sql_), id_array.str(), weight_array.str());
    }
    for (size_t start = 0; start < deletes.size(); start += kWriteChunk) {
      ArrayLiteral id_array;
      for (size_t k = start; k < std::min(deletes.size(), start + kWriteChunk); ++k) {
        id_array.AddBytea(Bytes(ids[deletes[k]]));
      }
      tx.exec_prepared(db_.Prepared(delete_sql_), id_array.str());
    }
  }

  postgres::Database& db_;
  StateTableSpec spec_;
  std::string name_, q_;
  bool ensured_ = false;
  std::vector<std::string> ddl_, lookup_sql_, copy_columns_;
  std::string insert_sql_, weights_sql_, update_sql_, delete_sql_, scan_sql_, count_sql_;
};

PostgresStore::PostgresStore(postgres::Database& db) : db_(db) { EnsureLastUpdate(); }

PostgresStore::~PostgresStore() = default;

void PostgresStore::EnsureLastUpdate() {
  if (last_update_known_) return;
  db_.EnsureTable("last_update",
                  {"CREATE TABLE IF NOT EXISTS last_update (table_name TEXT PRIMARY KEY, "
                   "t BIGINT NOT NULL)"});
  last_update_known_ = true;
}

std::string PostgresStore::TableNameFor(const StateTableSpec& spec) {
  return postgres::FitIdentifier(SqliteStore::TableNameFor(spec));
}

StateTable& PostgresStore::Open(const StateTableSpec& spec) {
  if (auto it = keyed_tables_.find(spec.name); it != keyed_tables_.end()) {
    CheckSameShape(it->second->spec(), spec);
    it->second->Ensure();
    return *it->second;
  }
  if (auto it = tables_.find(spec.name); it != tables_.end()) {
    CheckSameShape(it->second->spec(), spec);
    it->second->Ensure();
    return *it->second;
  }
  if (spec.one_row_per_key) {
    auto table = std::make_unique<PostgresKeyedTable>(
        db_, TableNameFor(spec),
        postgres::FitIdentifier(SqliteStore::TableNameFor(spec) +
                                std::string(keyed_rows::kIntegerTableSuffix)),
        spec);
    table->Ensure();
    return *(keyed_tables_[spec.name] = std::move(table));
  }
  auto table = std::make_unique<Table>(db_, spec);
  table->Ensure();
  return *(tables_[spec.name] = std::move(table));
}

void PostgresStore::DropCaches() {
  last_update_known_ = false;
  for (auto& entry : tables_) entry.second->Forget();
  for (auto& entry : keyed_tables_) entry.second->Forget();
}

std::optional<int64_t> PostgresStore::LastUpdate(const std::string& table) {
  EnsureLastUpdate();
  return db_.Read(
      [&](pqxx::transaction_base& tx) -> std::optional<int64_t> {
        pqxx::result r = tx.exec_prepared(
            db_.Prepared("SELECT t FROM last_update WHERE table_name = $1"), table);
        if (r.empty()) return std::nullopt;
        return r[0][0].as<int64_t>();
      },
      {.table = table});
}

void PostgresStore::SetLastUpdate(const std::string& table, int64_t time) {
  EnsureLastUpdate();
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        tx.exec_prepared(db_.Prepared("INSERT INTO last_update (table_name, t) VALUES ($1, $2) "
                                      "ON CONFLICT (table_name) DO UPDATE SET t = excluded.t"),
                         table, time);
      },
      {.table = table});
}

}  // namespace zload
