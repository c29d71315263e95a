// PostgresJobStore's view tables: made, written by deltas and dropped.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "stores/keyed_rows.h"
#include "stores/postgres_job_store.h"
#include "stores/postgres_job_tables.h"
#include "stores/postgres_values.h"

namespace zload {
namespace {

using namespace postgres_job_tables;  // NOLINT(google-build-using-namespace): this store's own

}  // namespace

void PostgresJobStore::CreateViewTable(const std::string& name, const Schema& schema) {
  std::vector<std::string> cols;
  for (const Column& c : schema.columns()) {
    cols.push_back(SqlName(c.name) + " " + PgType(c.type));
  }
  tables_.erase(name);
  db_.EnsureTable(postgres::FitIdentifier(name),
                  {fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, _count_ BIGINT NOT NULL, "
                               "_identity_ BYTEA PRIMARY KEY)",
                               SqlName(name), fmt::join(cols, ", "))});
}

void PostgresJobStore::CreateKeyedViewTable(const std::string& name, const Schema& schema,
                                            const std::vector<size_t>& key) {
  if (key.empty()) return CreateViewTable(name, schema);
  std::vector<std::string> cols;
  for (const Column& c : schema.columns()) {
    cols.push_back(SqlName(c.name) + " " + PgType(c.type));
  }
  tables_.erase(name);
  db_.EnsureTable(
      postgres::FitIdentifier(name),
      {fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, _count_ BIGINT NOT NULL, {} BYTEA PRIMARY "
                   "KEY)",
                   SqlName(name), fmt::join(cols, ", "), kKeyIdentityColumn),
       fmt::format("COMMENT ON COLUMN {}.{} IS '{}{}'", SqlName(name), kKeyIdentityColumn,
                   kViewKeyComment, fmt::join(key, ","))});
}

// A key whose delta is its new row (weight 1, maybe beside its old row's -1) is one upsert by the
// key's identity, and a key whose delta is only its old row's -1 one delete: neither reads the
// table. Keys with other deltas read their stored row and merge (keyed_rows::Merge).
void PostgresJobStore::ApplyToKeyedViewTable(const TableInfo& t, const ZSet& delta) {
  struct KeyEntries {
    const Row* added = nullptr;  // the first entry of weight 1
    bool gone = false;           // an entry of weight -1
    bool other = false;          // an entry of another weight, or a second 1 or -1
  };
  std::unordered_map<RowIdentity, KeyEntries, keyed_rows::IdentityHash> by_key;
  by_key.reserve(delta.size());
  std::vector<RowIdentity> order;  // the keys, as first met
  for (const auto& [row, w] : delta) {
    t.CheckWidth(row);
    const RowIdentity id = keyed_rows::KeyOf(row, t.view_key);
    auto [at, added] = by_key.try_emplace(id);
    if (added) order.push_back(id);
    KeyEntries& k = at->second;
    if (w == 1 && !k.added) {
      k.added = &row;
    } else if (w == -1 && !k.gone) {
      k.gone = true;
    } else {
      k.other = true;
    }
  }
  keyed_rows::Changes simple;
  std::unordered_set<RowIdentity, keyed_rows::IdentityHash> merged;
  for (const RowIdentity& id : order) {
    const KeyEntries& k = by_key.at(id);
    if (k.other) {
      merged.insert(id);
    } else if (k.added) {
      simple.writes.emplace_back(id, keyed_rows::Stored{*k.added, 1});
    } else {
      simple.removes.push_back(id);
    }
  }
  const size_t width = t.schema.size();
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        keyed_rows::Changes changes = simple;
        if (!merged.empty()) {
          keyed_rows::StoredByKey stored;
          const std::vector<RowIdentity> ids(merged.begin(), merged.end());
          for (size_t start = 0; start < ids.size(); start += kLookupChunk) {
            ArrayLiteral array;
            for (size_t k = start; k < std::min(ids.size(), start + kLookupChunk); ++k) {
              array.AddBytea(Bytes(ids[k]));
            }
            for (const auto& r : tx.exec_prepared(db_.Prepared(t.keyed_read_sql), array.str())) {
              const auto column = [](size_t c) { return static_cast<pqxx::row::size_type>(c); };
              const std::string id = postgres::FromByteaText(
                  {r[column(width + 1)].c_str(), r[column(width + 1)].size()});
              RowIdentity key{};
              if (id.size() != key.size()) {
                throw Error(ErrorCode::kInternal, "a key identity of the wrong size",
                            {.table = t.name});
              }
              std::copy(id.begin(), id.end(), key.begin());
              stored[key] = keyed_rows::Stored{t.RowOf(r), r[column(width)].as<int64_t>()};
            }
          }
          ZSet rest;
          for (const auto& [row, w] : delta) {
            if (merged.count(keyed_rows::KeyOf(row, t.view_key))) rest.Add(row, w);
          }
          keyed_rows::Changes more = keyed_rows::Merge(stored, rest, t.view_key, t.name);
          for (auto& w : more.writes) changes.writes.push_back(std::move(w));
          for (const RowIdentity& id : more.removes) changes.removes.push_back(id);
        }
        for (size_t start = 0; start < changes.removes.size(); start += kWriteChunk) {
          ArrayLiteral ids;
          for (size_t k = start; k < std::min(changes.removes.size(), start + kWriteChunk); ++k) {
            ids.AddBytea(Bytes(changes.removes[k]));
          }
          tx.exec_prepared(db_.Prepared(t.delete_sql), ids.str());
        }
        for (size_t start = 0; start < changes.writes.size(); start += kWriteChunk) {
          std::vector<ArrayLiteral> arrays(width + 2);
          for (size_t k = start; k < std::min(changes.writes.size(), start + kWriteChunk); ++k) {
            const auto& [id, row] = changes.writes[k];
            for (size_t c = 0; c < width; ++c) arrays[c].Add(ToText(row.row[c], t.schema[c].type));
            arrays[width].Add(std::to_string(row.weight));
            arrays[width + 1].AddBytea(Bytes(id));
          }
          std::vector<std::string> params;
          for (const ArrayLiteral& a : arrays) params.push_back(a.str());
          ExecPrepared(tx, db_.Prepared(t.upsert_sql), params);
        }
      },
      {.table = t.name});
}

void PostgresJobStore::ApplyToViewTable(const std::string& name, const ZSet& delta) {
  const TableInfo& t = Info(name);
  if (!t.is_view) {
    throw Error(ErrorCode::kSchema, fmt::format("'{}' is a base table, not a view", name));
  }
  if (delta.empty()) return;
  if (t.keyed_view) return ApplyToKeyedViewTable(t, delta);
  std::vector<RowIdentity> ids;
  ids.reserve(delta.size());
  for (const auto& [row, w] : delta) {
    t.CheckWidth(row);
    ids.push_back(IdentityOf(row));
  }
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        // The stored count of every identity the delta touches.
        std::unordered_map<std::string, int64_t> stored;
        for (size_t start = 0; start < ids.size(); start += kLookupChunk) {
          ArrayLiteral array;
          for (size_t k = start; k < std::min(ids.size(), start + kLookupChunk); ++k) {
            array.AddBytea(Bytes(ids[k]));
          }
          for (const auto& r : tx.exec_prepared(db_.Prepared(t.weights_sql), array.str())) {
            stored[postgres::FromByteaText({r[0].c_str(), r[0].size()})] = r[1].as<int64_t>();
          }
        }
        std::vector<size_t> inserts, updates, deletes;
        std::vector<int64_t> after(ids.size());
        for (size_t pos = 0; pos < ids.size(); ++pos) {
          auto it = stored.find(std::string(Bytes(ids[pos])));
          after[pos] = (it == stored.end() ? 0 : it->second) + delta.begin()[pos].second;
          if (it == stored.end()) {
            inserts.push_back(pos);
          } else {
            (after[pos] == 0 ? deletes : updates).push_back(pos);
          }
        }
        postgres::InsertRows(db_, tx, t.q, t.copy_cols, t.insert_sql, inserts.size(),
                             [&](size_t i) {
                               const size_t pos = inserts[i];
                               const Row& row = delta.begin()[pos].first;
                               postgres::RowFields out;
                               for (size_t c = 0; c < row.size(); ++c) {
                                 out.push_back(ToText(row[c], t.schema[c].type));
                               }
                               out.push_back(std::to_string(after[pos]));
                               out.push_back(postgres::ByteaText(Bytes(ids[pos])));
                               return out;
                             });
        for (size_t start = 0; start < updates.size(); start += kWriteChunk) {
          ArrayLiteral id_array, count_array;
          for (size_t k = start; k < std::min(updates.size(), start + kWriteChunk); ++k) {
            id_array.AddBytea(Bytes(ids[updates[k]]));
            count_array.Add(std::to_string(after[updates[k]]));
          }
          tx.exec_prepared(db_.Prepared(t.update_sql), id_array.str(), count_array.str());
        }
        for (size_t start = 0; start < deletes.size(); start += kWriteChunk) {
          ArrayLiteral id_array;
          for (size_t k = start; k < std::min(deletes.size(), start + kWriteChunk); ++k) {
            id_array.AddBytea(Bytes(ids[deletes[k]]));
          }
          tx.exec_prepared(db_.Prepared(t.delete_sql), id_array.str());
        }
      },
      {.table = name});
}

void PostgresJobStore::DropView(const std::string& name) {
  pqxx::result tables = db_.Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared(
            db_.Prepared("SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                         "n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
                         "c.relkind IN ('r', 'p') AND (c.relname = $2 OR "
                         "left(c.relname::text, length($1) + 2) = $1 || '__')"),
            name, postgres::FitIdentifier(name));
      },
      {.table = name});
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        for (const auto& r : tables) {
          tx.exec("DROP TABLE IF EXISTS " + QuoteIdentifier(r[0].c_str()));
          tables_.erase(r[0].c_str());
        }
        tx.exec_prepared(db_.Prepared("DELETE FROM zload_views WHERE name = $1"), name);
        tables_.erase(name);
      },
      {.table = name});
  state_.DropCaches();  // dropped state tables are created again when opened again
}

}  // namespace zload
