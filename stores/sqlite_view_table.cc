#include "stores/sqlite_view_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "engine/error.h"
#include "stores/statement_chunks.h"

namespace zload {
namespace {

using sqlite::QuoteIdentifier;
using sqlite::Statement;

std::string DeclaredType(Type t) { return t == Type::kNull ? "" : std::string(" ") + TypeName(t); }

std::string Tuple(size_t width) {
  std::string out = "(";
  for (size_t c = 0; c < width; ++c) out += c ? ", ?" : "?";
  return out + ")";
}

// The positions 0 .. n-1 ordered by the key columns `key` of `row_at(position)` (TotalOrder).
// A key of one column whose values are all integers is sorted as plain integers, beside the
// positions, instead of through the rows.
template <typename RowAt>
std::vector<uint32_t> KeyOrder(size_t n, const std::vector<size_t>& key, const RowAt& row_at) {
  std::vector<uint32_t> order(n);
  if (key.size() == 1) {
    std::vector<std::pair<int64_t, uint32_t>> integers;
    integers.reserve(n);
    for (uint32_t p = 0; p < n; ++p) {
      const Value& v = row_at(p)[key[0]];
      if (v.type() != Type::kInteger) break;
      integers.emplace_back(v.as_integer(), p);
    }
    if (integers.size() == n) {
      std::sort(integers.begin(), integers.end());
      for (size_t i = 0; i < n; ++i) order[i] = integers[i].second;
      return order;
    }
  }
  for (uint32_t p = 0; p < n; ++p) order[p] = p;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Row& ra = row_at(a);
    const Row& rb = row_at(b);
    for (size_t c : key) {
      const auto cmp = TotalOrder(ra[c], rb[c]);
      if (cmp != 0) return cmp < 0;
    }
    return false;
  });
  return order;
}

}  // namespace

namespace {

// Creates the table as CreateSqliteViewTable() says, keyed by its primary key when
// `primary_key`, else by the index `<name>__key` (with a key) or `<name>__rows` (without).
void CreateViewTable(sqlite::Database& db, const std::string& name, const Schema& schema,
                     const std::vector<size_t>& key, bool primary_key) {
  std::vector<std::string> cols, names, key_names;
  for (const Column& c : schema.columns()) {
    cols.push_back(QuoteIdentifier(c.name) + DeclaredType(c.type));
    names.push_back(QuoteIdentifier(c.name));
  }
  for (size_t k : key) {
    key_names.push_back(names.at(k));
    if (primary_key) cols.at(k) += " NOT NULL";
  }
  const std::string table_end =
      primary_key ? fmt::format(", PRIMARY KEY ({})) WITHOUT ROWID", fmt::join(key_names, ", "))
                  : std::string(")");
  db.Exec(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, _count_ BIGINT NOT NULL{}",
                      QuoteIdentifier(name), fmt::join(cols, ", "), table_end));
  if (primary_key) return;
  if (key.empty()) {
    db.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                        QuoteIdentifier(name + "__rows"), QuoteIdentifier(name),
                        fmt::join(names, ", ")));
  } else {
    db.Exec(fmt::format("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} ({})",
                        QuoteIdentifier(name + "__key"), QuoteIdentifier(name),
                        fmt::join(key_names, ", ")));
  }
}

// Whether view table `name` finds its rows through the index `<name>__key`.
bool HasKeyIndex(sqlite::Database& db, const std::string& name) {
  const std::string index = name + "__key";  // bound in place: lives while the statement runs
  Statement q(db.handle(), "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1");
  q.BindText(1, index);
  return q.Step();
}

// Turns keyed view table `name`, kept by its primary key, into a rowid table with the unique
// index `<name>__key`, which takes NULL keys, in the caller's transaction: its rows go to a copy,
// the table is made again in that layout, and the rows come back. (Not ALTER TABLE ... RENAME,
// which opens the connection's temporary database: from then on the transaction could not set
// PRAGMA temp_store, as building a base table's indexes does.)
void AllowNullKeys(sqlite::Database& db, const std::string& name, const Schema& schema,
                   const std::vector<size_t>& key) {
  const std::string q = QuoteIdentifier(name), copy = QuoteIdentifier(name + "__null_keys_copy");
  std::vector<std::string> cols;
  for (const Column& c : schema.columns()) cols.push_back(QuoteIdentifier(c.name));
  const std::string col_list = fmt::format("{}, _count_", fmt::join(cols, ", "));
  db.Exec(
      fmt::format("CREATE TABLE {0} AS SELECT {1} FROM {2}; DROP TABLE {2}", copy, col_list, q));
  Schema nullable;
  for (size_t c = 0; c < schema.size(); ++c) {
    Column column = schema[c];
    if (std::find(key.begin(), key.end(), c) != key.end()) column.nullable = true;
    nullable.Add(column);
  }
  CreateViewTable(db, name, nullable, key, false);
  db.Exec(
      fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {2}; DROP TABLE {2}", q, col_list, copy));
}

}  // namespace

void CreateSqliteViewTable(sqlite::Database& db, const std::string& name, const Schema& schema,
                           const std::vector<size_t>& key) {
  // A key can be the primary key of a table without rowids: one b-tree, where a rowid table
  // needs a second one, its unique index, to find a row by its key (and each look-up searches
  // both). A key that may be NULL starts so as well (its columns declared NOT NULL): the first
  // NULL key moves the rows to a table with the index (SqliteViewWriter). So do keys of REAL
  // columns, never NULL or not: arithmetic that yields NaN yields NULL.
  const bool primary_key = !key.empty();
  CreateViewTable(db, name, schema, key, primary_key);
}

std::vector<size_t> SqliteViewTableKey(sqlite::Database& db, const std::string& name) {
  const std::string index = name + "__key";
  Statement info(db.handle(), "SELECT cid FROM pragma_index_info(?1) ORDER BY seqno");
  info.BindText(1, index);
  std::vector<size_t> key;
  while (info.Step()) key.push_back(static_cast<size_t>(info.ColumnInt(0)));
  if (!key.empty()) return key;
  Statement primary(db.handle(), "SELECT cid FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk");
  primary.BindText(1, name);
  while (primary.Step()) key.push_back(static_cast<size_t>(primary.ColumnInt(0)));
  return key;
}

SqliteViewWriter::SqliteViewWriter(sqlite::Database& db, std::string name, Schema schema,
                                   std::vector<size_t> key)
    : db_(db), name_(std::move(name)), schema_(std::move(schema)), key_(std::move(key)) {
  Prepare();
}

void SqliteViewWriter::Prepare() {
  const std::string q = QuoteIdentifier(name_);
  const size_t n = schema_.size();
  std::vector<std::string> cols, match;
  for (size_t i = 0; i < n; ++i) {
    cols.push_back(QuoteIdentifier(schema_[i].name));
    match.push_back(fmt::format("{} IS ?{}", cols.back(), i + 1));
  }
  const std::string where = fmt::format("{}", fmt::join(match, " AND "));
  sqlite3* h = db_.handle();
  update_ = std::make_unique<Statement>(
      h, fmt::format("UPDATE {} SET _count_ = _count_ + ?{} WHERE {}", q, n + 1, where));
  insert_ = std::make_unique<Statement>(h, fmt::format("INSERT INTO {} ({}, _count_) VALUES {}", q,
                                                       fmt::join(cols, ", "), Tuple(n + 1)));
  delete_ = std::make_unique<Statement>(
      h, fmt::format("DELETE FROM {} WHERE {} AND _count_ = ?{}", q, where, n + 1));
}

SqliteViewWriter::~SqliteViewWriter() = default;

void SqliteViewWriter::Apply(const ZSet& delta) {
  if (!key_.empty()) {
    // A table kept by its key as primary key takes no NULL key: the first one turns it into a
    // table with the key's index (rare; the look-up of the layout is only made then).
    const bool null_key = std::any_of(delta.begin(), delta.end(), [&](const ZSet::Entry& e) {
      return std::any_of(key_.begin(), key_.end(), [&](size_t c) { return e.first[c].is_null(); });
    });
    if (null_key && !HasKeyIndex(db_, name_)) {
      // The statements go first: a table with statements under way cannot be dropped.
      update_.reset();
      insert_.reset();
      delete_.reset();
      upserts_.clear();
      deletes_by_key_.clear();
      AllowNullKeys(db_, name_, schema_, key_);
      Prepare();
    }
    return ApplyKeyed(delta);
  }
  for (const auto& [row, w] : delta) ApplyRow(row, w);
}

// A row whose count reaches 0 is deleted in one statement; otherwise its count moves, and a row
// not yet there is inserted.
void SqliteViewWriter::ApplyRow(const Row& row, int64_t w) {
  const int n = static_cast<int>(schema_.size());
  sqlite3* h = db_.handle();
  if (w < 0) {
    for (int c = 0; c < n; ++c) delete_->Bind(c + 1, row[c]);
    delete_->BindInt(n + 1, -w);
    delete_->Run();
    if (sqlite3_changes64(h) > 0) return;
  }
  for (int c = 0; c < n; ++c) update_->Bind(c + 1, row[c]);
  update_->BindInt(n + 1, w);
  update_->Run();
  if (sqlite3_changes64(h) > 0) return;
  for (int c = 0; c < n; ++c) insert_->Bind(c + 1, row[c]);
  insert_->BindInt(n + 1, w);
  insert_->Run();
}

void SqliteViewWriter::ApplyKeyed(const ZSet& delta) {
  // The delta's entries grouped by non-NULL key, found through a hash of the key columns in
  // place: grouping copies no key.
  struct KeyGroup {
    const Row* row = nullptr;            // an entry's row: its key columns are the key
    const ZSet::Entry* added = nullptr;  // the first entry of weight 1
    const ZSet::Entry* gone = nullptr;   // the first entry of weight -1
    uint32_t entries = 0;
    bool other = false;  // an entry of another weight, or a second 1 or -1
  };
  std::vector<KeyGroup> groups;
  groups.reserve(delta.size());
  std::vector<uint32_t> group_of(delta.size(), PositionIndex::kNone);  // per entry
  PositionIndex index;
  index.Reserve(delta.size());
  auto same_key = [this](const Row& a, const Row& b) {
    for (size_t c : key_) {
      if (!(a[c] == b[c])) return false;
    }
    return true;
  };
  size_t position = 0;
  for (const ZSet::Entry& entry : delta) {
    const Row& row = entry.first;
    const size_t at = position++;
    bool has_null = false;
    for (size_t c : key_) has_null |= row[c].is_null();
    if (has_null) {
      ApplyRow(row, entry.second);
      continue;
    }
    const uint64_t hash = HashColumns(row, key_);
    const PositionIndex::Probe probe =
        index.Find(hash, [&](uint32_t g) { return same_key(row, *groups[g].row); });
    uint32_t g = 0;
    if (probe.found) {
      g = index.at(probe.slot);
    } else {
      g = static_cast<uint32_t>(groups.size());
      index.Fill(probe.slot, hash, g);
      groups.push_back(KeyGroup{.row = &row});
    }
    group_of[at] = g;
    KeyGroup& group = groups[g];
    ++group.entries;
    if (entry.second == 1 && !group.added) {
      group.added = &entry;
    } else if (entry.second == -1 && !group.gone) {
      group.gone = &entry;
    } else {
      group.other = true;
    }
  }
  // In key order, as the table's index on the key holds them: neighbouring keys share pages.
  const std::vector<uint32_t> order =
      KeyOrder(groups.size(), key_, [&](uint32_t g) -> const Row& { return *groups[g].row; });
  std::vector<const Row*> upserts;  // rows of weight 1 replacing their key's row, if any
  std::vector<const Row*> removed;  // rows whose key's one row leaves
  std::vector<uint32_t> general;    // keys whose entries are applied one by one
  for (uint32_t g : order) {
    const KeyGroup& group = groups[g];
    const bool simple = !group.other && group.entries <= 2;
    if (simple && group.added) {
      upserts.push_back(&group.added->first);
    } else if (simple && group.gone) {
      removed.push_back(&group.gone->first);
    } else {
      general.push_back(g);
    }
  }
  if (!general.empty()) {
    // Each such key's entries, removals first.
    std::vector<std::vector<const ZSet::Entry*>> entries(groups.size());
    position = 0;
    for (const ZSet::Entry& entry : delta) {
      const uint32_t g = group_of[position++];
      if (g != PositionIndex::kNone) entries[g].push_back(&entry);
    }
    for (uint32_t g : general) {
      for (const ZSet::Entry* e : entries[g]) {
        if (e->second < 0) ApplyRow(e->first, e->second);
      }
      for (const ZSet::Entry* e : entries[g]) {
        if (e->second > 0) ApplyRow(e->first, e->second);
      }
    }
  }
  for (size_t i = 0; i < removed.size();) {
    const size_t n = statement_chunks::WriteChunk(removed.size() - i);
    Statement& stmt = DeleteByKeyStatement(n);
    int param = 1;
    for (size_t k = 0; k < n; ++k) {
      for (size_t c : key_) stmt.Bind(param++, (*removed[i + k])[c]);
    }
    stmt.Run();
    i += n;
  }
  for (size_t i = 0; i < upserts.size();) {
    const size_t n = statement_chunks::WriteChunk(upserts.size() - i);
    Statement& stmt = UpsertStatement(n);
    int param = 1;
    for (size_t k = 0; k < n; ++k) {
      for (const Value& v : *upserts[i + k]) stmt.Bind(param++, v);
      stmt.BindInt(param++, 1);
    }
    stmt.Run();
    i += n;
  }
}

Statement& SqliteViewWriter::UpsertStatement(size_t rows) {
  auto& stmt = upserts_[rows];
  if (stmt) return *stmt;
  std::vector<std::string> cols, keys, sets;
  for (const Column& c : schema_.columns()) cols.push_back(QuoteIdentifier(c.name));
  for (size_t k : key_) keys.push_back(cols[k]);
  // The key columns keep their values (the conflict says they are equal): assigning them would
  // make SQLite rewrite the key's index entry too. `_count_` keeps its value as well: a key's
  // one row has weight 1, before and after.
  for (size_t c = 0; c < cols.size(); ++c) {
    if (std::find(key_.begin(), key_.end(), c) == key_.end()) {
      sets.push_back(fmt::format("{0} = excluded.{0}", cols[c]));
    }
  }
  const std::string on_conflict = sets.empty()
                                      ? std::string("DO NOTHING")
                                      : fmt::format("DO UPDATE SET {}", fmt::join(sets, ", "));
  std::string values;
  for (size_t r = 0; r < rows; ++r) values += (r ? ", " : "") + Tuple(cols.size() + 1);
  // No statement of many rows that may abort halfway: SQLite would copy every page the
  // statement changes into a statement journal first, to undo it alone, and a rowid table's
  // rows of neighbouring keys lie on different pages. OR FAIL (the NOT NULL columns are
  // written only by the insert) and an update of nullable columns alone never abort; an
  // error still fails the batch's transaction.
  stmt = std::make_unique<Statement>(
      db_.handle(), fmt::format("INSERT OR FAIL INTO {} ({}, _count_) VALUES {} ON CONFLICT({}) {}",
                                QuoteIdentifier(name_), fmt::join(cols, ", "), values,
                                fmt::join(keys, ", "), on_conflict));
  return *stmt;
}

Statement& SqliteViewWriter::DeleteByKeyStatement(size_t rows) {
  auto& stmt = deletes_by_key_[rows];
  if (stmt) return *stmt;
  std::vector<std::string> keys;
  for (size_t k : key_) keys.push_back(QuoteIdentifier(schema_[k].name));
  std::string tuples;
  for (size_t r = 0; r < rows; ++r) {
    tuples += (r ? ", " : "") + (key_.size() == 1 ? std::string("?") : Tuple(key_.size()));
  }
  stmt = std::make_unique<Statement>(
      db_.handle(),
      key_.size() == 1
          ? fmt::format("DELETE FROM {} WHERE {} IN ({})", QuoteIdentifier(name_), keys[0], tuples)
          : fmt::format("DELETE FROM {} WHERE ({}) IN (VALUES {})", QuoteIdentifier(name_),
                        fmt::join(keys, ", "), tuples));
  return *stmt;
}

}  // namespace zload
