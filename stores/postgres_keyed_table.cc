#include "stores/postgres_keyed_table.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "stores/row_codec.h"

namespace zload {
namespace {

constexpr size_t kChunk = 5000;  // keys or rows per statement

std::string_view Bytes(const RowIdentity& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

}  // namespace

PostgresKeyedTable::PostgresKeyedTable(postgres::Database& db, std::string name,
                                       StateTableSpec spec)
    : db_(db),
      name_(std::move(name)),
      q_(postgres::QuoteIdentifier(name_)),
      spec_(std::move(spec)) {
  if (spec_.indexes.size() != 1) {
    throw Error(ErrorCode::kInternal, "a keyed state table needs exactly one index",
                {.table = name_});
  }
}

void PostgresKeyedTable::Ensure() {
  if (ensured_) return;
  db_.EnsureTable(name_, {fmt::format("CREATE TABLE IF NOT EXISTS {} (identity BYTEA PRIMARY KEY, "
                                      "data BYTEA NOT NULL, c BIGINT NOT NULL)",
                                      q_)});
  ensured_ = true;
}

void PostgresKeyedTable::Forget() {
  ensured_ = false;
  memory_.Forget();
}

keyed_rows::StoredByKey PostgresKeyedTable::Read(const std::vector<RowIdentity>& ids) {
  Ensure();
  keyed_rows::StoredByKey out;
  out.reserve(ids.size());
  const std::string sql =
      fmt::format("SELECT identity, data, c FROM {} WHERE identity = ANY($1::bytea[])", q_);
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    postgres::ArrayLiteral array;
    for (size_t k = start; k < std::min(ids.size(), start + kChunk); ++k) {
      array.AddBytea(Bytes(ids[k]));
    }
    pqxx::result rows = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return tx.exec_prepared(db_.Prepared(sql), array.str());
        },
        {.table = name_});
    for (const auto& r : rows) {
      const std::string id_bytes = postgres::FromByteaText({r[0].c_str(), r[0].size()});
      RowIdentity id{};
      if (id_bytes.size() != id.size()) {
        throw Error(ErrorCode::kInternal, "stored identity of the wrong size", {.table = name_});
      }
      std::copy(id_bytes.begin(), id_bytes.end(), id.begin());
      out.insert_or_assign(
          id, keyed_rows::Stored{DecodeRow(postgres::FromByteaText({r[1].c_str(), r[1].size()})),
                                 r[2].as<int64_t>()});
    }
  }
  return out;
}

void PostgresKeyedTable::Lookup(size_t index, std::span<const Row> keys,
                                const LookupVisitor& visit) {
  if (index != 0) throw Error(ErrorCode::kInternal, "no such index", {.table = name_});
  keyed_rows::Lookup(
      keys, [this](const std::vector<RowIdentity>& ids) { return Read(ids); }, memory_, visit);
}

std::vector<int64_t> PostgresKeyedTable::Weights(std::span<const Row> rows) {
  return keyed_rows::Weights(rows, spec_.indexes[0],
                             [this](const std::vector<RowIdentity>& ids) { return Read(ids); });
}

void PostgresKeyedTable::Apply(const ZSet& delta) {
  Ensure();
  const std::vector<RowIdentity> unread = memory_.Unknown(delta, spec_, name_);
  const keyed_rows::StoredByKey stored = memory_.Take(Read(unread));
  Write(keyed_rows::Merge(stored, delta, spec_.indexes[0], name_));
}

void PostgresKeyedTable::Replace(std::vector<Row> rows, std::span<const Row> removed_keys) {
  Ensure();
  memory_.Forget();
  Write(keyed_rows::Replacement(std::move(rows), removed_keys, spec_, name_));
}

void PostgresKeyedTable::Write(const keyed_rows::Changes& changes) {
  const std::string upsert = fmt::format(
      "INSERT INTO {} (identity, data, c) SELECT * FROM unnest($1::bytea[], $2::bytea[], "
      "$3::bigint[]) ON CONFLICT (identity) DO UPDATE SET data = excluded.data, c = excluded.c",
      q_);
  const std::string remove = fmt::format("DELETE FROM {} WHERE identity = ANY($1::bytea[])", q_);
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        std::string encoded;
        for (size_t start = 0; start < changes.writes.size(); start += kChunk) {
          postgres::ArrayLiteral ids, data, weights;
          for (size_t k = start; k < std::min(changes.writes.size(), start + kChunk); ++k) {
            const auto& [id, row] = changes.writes[k];
            encoded.clear();
            EncodeRow(row.row, encoded);
            ids.AddBytea(Bytes(id));
            data.AddBytea(encoded);
            weights.Add(std::to_string(row.weight));
          }
          tx.exec_prepared(db_.Prepared(upsert), ids.str(), data.str(), weights.str());
        }
        for (size_t start = 0; start < changes.removes.size(); start += kChunk) {
          postgres::ArrayLiteral ids;
          for (size_t k = start; k < std::min(changes.removes.size(), start + kChunk); ++k) {
            ids.AddBytea(Bytes(changes.removes[k]));
          }
          tx.exec_prepared(db_.Prepared(remove), ids.str());
        }
      },
      {.table = name_});
}

void PostgresKeyedTable::Scan(const ScanVisitor& visit) {
  Ensure();
  pqxx::result rows = db_.Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared(db_.Prepared(fmt::format("SELECT data, c FROM {}", q_)));
      },
      {.table = name_});
  for (const auto& r : rows) {
    visit(DecodeRow(postgres::FromByteaText({r[0].c_str(), r[0].size()})), r[1].as<int64_t>());
  }
}

size_t PostgresKeyedTable::Size() {
  Ensure();
  return db_.Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared(db_.Prepared(fmt::format("SELECT count(*) FROM {}", q_)))[0][0]
            .as<size_t>();
      },
      {.table = name_});
}

}  // namespace zload
