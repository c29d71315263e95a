#include "stores/sqlite_keyed_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/error.h"
#include "stores/statement_chunks.h"

namespace zload {
namespace {

constexpr size_t kReadChunk = 128;  // keys per look-up statement

// `spec`, checked before any table is made: a keyed table has exactly one index.
StateTableSpec KeyedSpec(StateTableSpec spec, const std::string& table) {
  if (spec.indexes.size() != 1) {
    throw Error(ErrorCode::kInternal, "a keyed state table needs exactly one index",
                {.table = table});
  }
  return spec;
}

}  // namespace

SqliteKeyedTable::Part::Part(sqlite::Database& db, std::string name, bool by_integer)
    : db_(db), name_(std::move(name)), by_integer_(by_integer) {
  const std::string q = sqlite::QuoteIdentifier(name_);
  db_.Exec(by_integer_
               ? fmt::format("CREATE TABLE IF NOT EXISTS {} (k INTEGER PRIMARY KEY, data BLOB NOT "
                             "NULL, c INTEGER NOT NULL)",
                             q)
               : fmt::format("CREATE TABLE IF NOT EXISTS {} (identity BLOB PRIMARY KEY, data BLOB "
                             "NOT NULL, c INTEGER NOT NULL) WITHOUT ROWID",
                             q));
  sqlite3* h = db_.handle();
  scan_ = std::make_unique<sqlite::Statement>(h, fmt::format("SELECT data, c FROM {}", q));
  count_ = std::make_unique<sqlite::Statement>(h, fmt::format("SELECT count(*) FROM {}", q));
}

void SqliteKeyedTable::Part::BindKey(sqlite::Statement& stmt, int param,
                                     const RowIdentity& id) const {
  if (by_integer_) {
    stmt.BindInt(param, *IntegerOfKeyIdentity(id));
  } else {
    stmt.BindBlob(param, id.data(), id.size());
  }
}

void SqliteKeyedTable::Part::Read(const std::vector<RowIdentity>& ids, StoredByKey& out) {
  for (size_t start = 0; start < ids.size(); start += kReadChunk) {
    const size_t n = std::min(kReadChunk, ids.size() - start);
    const size_t slots = statement_chunks::Slots(n);
    sqlite::Statement& stmt = ReadStatement(slots);
    for (size_t k = 0; k < slots; ++k) {
      BindKey(stmt, static_cast<int>(k + 1), ids[start + std::min(k, n - 1)]);  // pad: last key
    }
    while (stmt.Step()) {
      RowIdentity id{};
      if (by_integer_) {
        id = IntegerKeyIdentity(stmt.ColumnInt(0));
      } else {
        std::string_view blob = stmt.ColumnBlob(0);
        if (blob.size() != id.size()) {
          throw Error(ErrorCode::kInternal, "stored identity of the wrong size", {.table = name_});
        }
        std::copy(blob.begin(), blob.end(), id.begin());
      }
      out.insert_or_assign(id,
                           keyed_rows::Stored{DecodeRow(stmt.ColumnBlob(1)), stmt.ColumnInt(2)});
    }
    stmt.Reset();
  }
}

void SqliteKeyedTable::Part::Write(const std::vector<const EncodedWrite*>& writes,
                                   const std::vector<const RowIdentity*>& removes) {
  for (size_t i = 0; i < writes.size();) {
    const size_t n = statement_chunks::WriteChunk(writes.size() - i);
    sqlite::Statement& stmt = UpsertStatement(n);
    int param = 1;
    for (size_t k = 0; k < n; ++k) {
      const EncodedWrite& write = *writes[i + k];
      BindKey(stmt, param++, write.id);
      stmt.BindBlob(param++, write.encoded.data(), write.encoded.size());
      stmt.BindInt(param++, write.weight);
    }
    stmt.Run();
    i += n;
  }
  for (size_t i = 0; i < removes.size();) {
    const size_t n = statement_chunks::WriteChunk(removes.size() - i);
    sqlite::Statement& stmt = DeleteStatement(n);
    for (size_t k = 0; k < n; ++k) BindKey(stmt, static_cast<int>(k + 1), *removes[i + k]);
    stmt.Run();
    i += n;
  }
}

void SqliteKeyedTable::Part::Scan(const ScanVisitor& visit) {
  while (scan_->Step()) visit(DecodeRow(scan_->ColumnBlob(0)), scan_->ColumnInt(1));
  scan_->Reset();
}

size_t SqliteKeyedTable::Part::Size() {
  count_->Step();
  const size_t n = static_cast<size_t>(count_->ColumnInt(0));
  count_->Reset();
  return n;
}

sqlite::Statement& SqliteKeyedTable::Part::ReadStatement(size_t slots) {
  auto& stmt = reads_[slots];
  if (stmt) return *stmt;
  std::string marks;
  for (size_t k = 0; k < slots; ++k) marks += k ? ",?" : "?";
  stmt = std::make_unique<sqlite::Statement>(
      db_.handle(), fmt::format("SELECT {0}, data, c FROM {1} WHERE {0} IN ({2})", key(),
                                sqlite::QuoteIdentifier(name_), marks));
  return *stmt;
}

sqlite::Statement& SqliteKeyedTable::Part::UpsertStatement(size_t rows) {
  auto& stmt = upserts_[rows];
  if (stmt) return *stmt;
  std::string values;
  for (size_t k = 0; k < rows; ++k) values += k ? ", (?, ?, ?)" : "(?, ?, ?)";
  stmt = std::make_unique<sqlite::Statement>(
      db_.handle(),
      fmt::format("INSERT INTO {1} ({0}, data, c) VALUES {2} ON CONFLICT({0}) DO UPDATE "
                  "SET data = excluded.data, c = excluded.c",
                  key(), sqlite::QuoteIdentifier(name_), values));
  return *stmt;
}

sqlite::Statement& SqliteKeyedTable::Part::DeleteStatement(size_t rows) {
  auto& stmt = deletes_[rows];
  if (stmt) return *stmt;
  std::string marks;
  for (size_t k = 0; k < rows; ++k) marks += k ? ",?" : "?";
  stmt = std::make_unique<sqlite::Statement>(
      db_.handle(),
      fmt::format("DELETE FROM {} WHERE {} IN ({})", sqlite::QuoteIdentifier(name_), key(), marks));
  return *stmt;
}

SqliteKeyedTable::SqliteKeyedTable(sqlite::Database& db, HeldWrites& held, std::string name,
                                   StateTableSpec spec)
    : db_(db),
      held_(held),
      name_(std::move(name)),
      spec_(KeyedSpec(std::move(spec), name_)),
      by_identity_(db, name_, false),
      by_integer_(db, name_ + std::string(keyed_rows::kIntegerTableSuffix), true) {}

SqliteKeyedTable::~SqliteKeyedTable() = default;

SqliteKeyedTable::StoredByKey SqliteKeyedTable::Read(const std::vector<RowIdentity>& keys) {
  // In key order (each table's order), chunk after chunk walks each table forward.
  const keyed_rows::PartedKeys parted = keyed_rows::PartByIntegerKey(keys);
  StoredByKey out;
  out.reserve(keys.size());
  by_integer_.Read(parted.integers, out);
  by_identity_.Read(parted.others, out);
  return out;
}

void SqliteKeyedTable::Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) {
  if (index != 0) throw Error(ErrorCode::kInternal, "no such index", {.table = name_});
  held_.BeforeRead(this);
  keyed_rows::Lookup(
      keys, [this](const std::vector<RowIdentity>& ids) { return Read(ids); }, memory_, visit);
}

std::vector<int64_t> SqliteKeyedTable::Weights(std::span<const Row> rows) {
  held_.BeforeRead(this);
  return keyed_rows::Weights(rows, spec_.indexes[0],
                             [this](const std::vector<RowIdentity>& ids) { return Read(ids); });
}

void SqliteKeyedTable::Apply(const ZSet& delta) {
  held_.BeforeRead(this);
  const std::vector<RowIdentity> unread = memory_.Unknown(delta, spec_, name_);
  const StoredByKey stored = memory_.Take(Read(unread));
  WriteOrHold(keyed_rows::Merge(stored, delta, spec_.indexes[0], name_));
}

void SqliteKeyedTable::Replace(std::vector<Row> rows, std::span<const Row> removed_keys) {
  memory_.Forget();
  WriteOrHold(keyed_rows::Replacement(std::move(rows), removed_keys, spec_, name_));
}

void SqliteKeyedTable::WriteOrHold(keyed_rows::Changes changes) {
  std::vector<EncodedWrite> writes;
  writes.reserve(changes.writes.size());
  for (const auto& [id, stored] : changes.writes) {
    EncodedWrite& write = writes.emplace_back(EncodedWrite{id, {}, stored.weight});
    EncodeRow(stored.row, write.encoded);
  }
  if (!held_.holding()) return Write(writes, changes.removes);
  held_.Add(this, [this, writes = std::move(writes), removes = std::move(changes.removes)] {
    Write(writes, removes);
  });
}

void SqliteKeyedTable::Write(const std::vector<EncodedWrite>& writes,
                             const std::vector<RowIdentity>& removes) {
  std::vector<const EncodedWrite*> integer_writes, other_writes;
  for (const EncodedWrite& write : writes) {
    (keyed_rows::HasIntegerKey(write.id) ? integer_writes : other_writes).push_back(&write);
  }
  std::vector<const RowIdentity*> integer_removes, other_removes;
  for (const RowIdentity& id : removes) {
    (keyed_rows::HasIntegerKey(id) ? integer_removes : other_removes).push_back(&id);
  }
  by_integer_.Write(integer_writes, integer_removes);
  by_identity_.Write(other_writes, other_removes);
}

void SqliteKeyedTable::Scan(const ScanVisitor& visit) {
  held_.BeforeRead(this);
  by_integer_.Scan(visit);
  by_identity_.Scan(visit);
}

size_t SqliteKeyedTable::Size() {
  held_.BeforeRead(this);
  return by_integer_.Size() + by_identity_.Size();
}

}  // namespace zload
