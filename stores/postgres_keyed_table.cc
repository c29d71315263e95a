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

// Appends the key of `id` to an array of a key column: its integer (by_integer) or its bytes.
void AddKey(bool by_integer, postgres::ArrayLiteral& array, const RowIdentity& id) {
  if (by_integer) {
    array.Add(std::to_string(*IntegerOfKeyIdentity(id)));
  } else {
    array.AddBytea(Bytes(id));
  }
}

}  // namespace

PostgresKeyedTable::PostgresKeyedTable(postgres::Database& db, std::string name,
                                       std::string integer_name, StateTableSpec spec)
    : db_(db),
      name_(std::move(name)),
      spec_(std::move(spec)),
      by_identity_{name_, postgres::QuoteIdentifier(name_), false},
      by_integer_{integer_name, postgres::QuoteIdentifier(integer_name), true} {
  if (spec_.indexes.size() != 1) {
    throw Error(ErrorCode::kInternal, "a keyed state table needs exactly one index",
                {.table = name_});
  }
}

void PostgresKeyedTable::Ensure() {
  if (ensured_) return;
  std::vector<std::pair<std::string, std::vector<std::string>>> tables;
  for (const Part* part : {&by_identity_, &by_integer_}) {
    tables.push_back(
        {part->name,
         {fmt::format("CREATE TABLE IF NOT EXISTS {} ({} {} PRIMARY KEY, data BYTEA NOT NULL, c "
                      "BIGINT NOT NULL)",
                      part->q, part->key(), part->key_type())}});
  }
  db_.EnsureTables(tables);
  ensured_ = true;
}

void PostgresKeyedTable::Forget() {
  ensured_ = false;
  memory_.Forget();
}

keyed_rows::StoredByKey PostgresKeyedTable::Read(const std::vector<RowIdentity>& ids) {
  Ensure();
  const keyed_rows::PartedKeys parted = keyed_rows::PartByIntegerKey(ids);
  keyed_rows::StoredByKey out;
  out.reserve(ids.size());
  ReadPart(by_integer_, parted.integers, out);
  ReadPart(by_identity_, parted.others, out);
  return out;
}

void PostgresKeyedTable::ReadPart(const Part& part, const std::vector<RowIdentity>& ids,
                                  keyed_rows::StoredByKey& out) {
  const std::string sql = fmt::format("SELECT {0}, data, c FROM {1} WHERE {0} = ANY($1::{2}[])",
                                      part.key(), part.q, part.key_type());
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    postgres::ArrayLiteral array;
    for (size_t k = start; k < std::min(ids.size(), start + kChunk); ++k) {
      AddKey(part.by_integer, array, ids[k]);
    }
    pqxx::result rows = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return tx.exec_prepared(db_.Prepared(sql), array.str());
        },
        {.table = part.name});
    for (const auto& r : rows) {
      RowIdentity id{};
      if (part.by_integer) {
        id = IntegerKeyIdentity(r[0].as<int64_t>());
      } else {
        const std::string id_bytes = postgres::FromByteaText({r[0].c_str(), r[0].size()});
        if (id_bytes.size() != id.size()) {
          throw Error(ErrorCode::kInternal, "stored identity of the wrong size",
                      {.table = part.name});
        }
        std::copy(id_bytes.begin(), id_bytes.end(), id.begin());
      }
      out.insert_or_assign(
          id, keyed_rows::Stored{DecodeRow(postgres::FromByteaText({r[1].c_str(), r[1].size()})),
                                 r[2].as<int64_t>()});
    }
  }
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
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        WritePart(tx, by_integer_, changes);
        WritePart(tx, by_identity_, changes);
      },
      {.table = name_});
}

void PostgresKeyedTable::WritePart(pqxx::transaction_base& tx, const Part& part,
                                   const keyed_rows::Changes& changes) {
  const std::string upsert = fmt::format(
      "INSERT INTO {1} ({0}, data, c) SELECT * FROM unnest($1::{2}[], $2::bytea[], $3::bigint[]) "
      "ON CONFLICT ({0}) DO UPDATE SET data = excluded.data, c = excluded.c",
      part.key(), part.q, part.key_type());
  const std::string remove = fmt::format("DELETE FROM {1} WHERE {0} = ANY($1::{2}[])", part.key(),
                                         part.q, part.key_type());
  postgres::ArrayLiteral ids, data, weights;
  std::string encoded;
  for (size_t i = 0; i < changes.writes.size(); ++i) {
    const auto& [id, row] = changes.writes[i];
    if (keyed_rows::HasIntegerKey(id) == part.by_integer) {
      encoded.clear();
      EncodeRow(row.row, encoded);
      AddKey(part.by_integer, ids, id);
      data.AddBytea(encoded);
      weights.Add(std::to_string(row.weight));
    }
    if (ids.size() > 0 && (ids.size() == kChunk || i + 1 == changes.writes.size())) {
      tx.exec_prepared(db_.Prepared(upsert), ids.str(), data.str(), weights.str());
      ids = {};
      data = {};
      weights = {};
    }
  }
  for (size_t i = 0; i < changes.removes.size(); ++i) {
    if (keyed_rows::HasIntegerKey(changes.removes[i]) == part.by_integer) {
      AddKey(part.by_integer, ids, changes.removes[i]);
    }
    if (ids.size() > 0 && (ids.size() == kChunk || i + 1 == changes.removes.size())) {
      tx.exec_prepared(db_.Prepared(remove), ids.str());
      ids = {};
    }
  }
}

void PostgresKeyedTable::Scan(const ScanVisitor& visit) {
  Ensure();
  for (const Part* part : {&by_integer_, &by_identity_}) {
    pqxx::result rows = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return tx.exec_prepared(db_.Prepared(fmt::format("SELECT data, c FROM {}", part->q)));
        },
        {.table = part->name});
    for (const auto& r : rows) {
      visit(DecodeRow(postgres::FromByteaText({r[0].c_str(), r[0].size()})), r[1].as<int64_t>());
    }
  }
}

size_t PostgresKeyedTable::Size() {
  Ensure();
  size_t n = 0;
  for (const Part* part : {&by_integer_, &by_identity_}) {
    n += db_.Read(
        [&](pqxx::transaction_base& tx) {
          return tx
              .exec_prepared(db_.Prepared(fmt::format("SELECT count(*) FROM {}", part->q)))[0][0]
              .as<size_t>();
        },
        {.table = part->name});
  }
  return n;
}

}  // namespace zload
