#include "stores/sqlite_job_store.h"

#include <fmt/format.h>
#include <strings.h>

#include "engine/error.h"
#include "stores/sqlite_base_relation_state.h"
#include "stores/sqlite_log_checkpointer.h"
#include "stores/sqlite_view_table.h"

namespace zload {
namespace {

using sqlite::FromStorage;
using sqlite::QuoteIdentifier;
using sqlite::Statement;

constexpr size_t kInsertChunk = 64;  // rows per multi-row INSERT

std::string DeclaredType(Type t) { return t == Type::kNull ? "" : std::string(" ") + TypeName(t); }

Type ParseDeclaredType(const std::string& decl) {
  for (Type t : {Type::kInteger, Type::kReal, Type::kText, Type::kBoolean, Type::kTimestamp}) {
    if (strcasecmp(decl.c_str(), TypeName(t)) == 0) return t;
  }
  return decl.empty() ? Type::kNull : Type::kText;
}

}  // namespace

// The shape of one base or view table and the statements prepared for it.
struct SqliteJobStore::TableStatements {
  Schema schema;                    // without `_count_`
  bool is_view = false;             // has a `_count_` column
  std::vector<size_t> primary_key;  // column positions, in key order
  std::unique_ptr<Statement> insert_one, insert_many, delete_copies, count, lookup_key, read_all;
  std::unique_ptr<SqliteViewWriter> view_writer;
};

SqliteJobStore::SqliteJobStore(const std::string& path)
    : db_(path), state_(db_, SqliteStore::Options{.cache_state = false}) {
  db_.Exec(
      "CREATE TABLE IF NOT EXISTS zload_sources (name TEXT PRIMARY KEY, schema TEXT NOT NULL, "
      "primary_key TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS zload_views (name TEXT PRIMARY KEY, sql TEXT NOT NULL, "
      "shape TEXT NOT NULL);"
      "CREATE TABLE IF NOT EXISTS zload_files (id INTEGER PRIMARY KEY, source TEXT NOT NULL, "
      "path TEXT NOT NULL, size BIGINT NOT NULL, hash TEXT NOT NULL, rows BIGINT NOT NULL, "
      "status TEXT NOT NULL, started_at TEXT NOT NULL DEFAULT (datetime('now')), "
      "updated_at TEXT NOT NULL DEFAULT (datetime('now')));"
      "CREATE TABLE IF NOT EXISTS zload_journal (time INTEGER PRIMARY KEY, load_id BIGINT NOT "
      "NULL, first_record BIGINT NOT NULL, records BIGINT NOT NULL, status TEXT NOT NULL, rows "
      "BIGINT NOT NULL, error TEXT NOT NULL, inserts BIGINT NOT NULL, deletes BIGINT NOT NULL, "
      "frontier BIGINT NOT NULL, updated_at TEXT NOT NULL DEFAULT "
      "(datetime('now')));"
      "CREATE TABLE IF NOT EXISTS zload_batch_deltas (time BIGINT NOT NULL, name TEXT NOT NULL, "
      "row BLOB NOT NULL, weight BIGINT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS zload_batch_deltas__time ON zload_batch_deltas (time, name);");
}

SqliteJobStore::~SqliteJobStore() {
  statements_.clear();
  if (in_transaction_) {
    try {
      SqliteJobStore::Rollback();
    } catch (const std::exception&) {
      // Closing the connection rolls back whatever is left.
    }
  }
}

void SqliteJobStore::Begin() {
  db_.Exec("BEGIN IMMEDIATE");
  in_transaction_ = true;
}

void SqliteJobStore::Commit() {
  db_.Exec("COMMIT");
  in_transaction_ = false;
}

void SqliteJobStore::Rollback() {
  in_transaction_ = false;
  state_.DropCaches();
  if (!sqlite3_get_autocommit(db_.handle())) db_.Exec("ROLLBACK");
}

// A deferred transaction reads from one snapshot of the file, taken at its first read, and takes
// no lock. Moving to writing ends it (it wrote nothing) and begins an immediate one: what it read
// is still current, as the caller's frontier keeps other writers off those tables.
void SqliteJobStore::BeginHoldingWrites() {
  db_.Exec("BEGIN");
  in_transaction_ = true;
  state_.held_writes().Hold(HeldWrites::Moves{
      .to_writing = [this] { db_.Exec("COMMIT; BEGIN IMMEDIATE"); },
      .apart =
          [this](const std::function<void()>& write) {
            db_.Exec("COMMIT; BEGIN IMMEDIATE");
            write();
            db_.Exec("COMMIT; BEGIN");
          },
  });
}

void SqliteJobStore::WriteHeld() { state_.held_writes().Release(); }

void SqliteJobStore::WaitApart(const std::function<void()>& wait) {
  if (!state_.held_writes().holding()) return wait();
  db_.Exec("COMMIT");
  wait();
  db_.Exec("BEGIN");
}

void SqliteJobStore::LeaveCheckpoints() { db_.Exec("PRAGMA wal_autocheckpoint=0"); }

std::unique_ptr<BackgroundWork> SqliteJobStore::CheckpointInBackground() {
  return std::make_unique<SqliteLogCheckpointer>(db_.path(), kBackgroundCheckpointPeriod);
}

SqliteJobStore::TableStatements& SqliteJobStore::Statements(const std::string& table) {
  auto& slot = statements_[table];
  if (slot) return *slot;
  auto s = std::make_unique<TableStatements>();
  std::vector<std::pair<int64_t, size_t>> key_order;
  {
    Statement info(db_.handle(), "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)");
    info.BindText(1, table);
    while (info.Step()) {
      std::string name(info.ColumnText(0));
      if (name == "_count_") {
        s->is_view = true;
        continue;
      }
      if (info.ColumnInt(3) > 0) key_order.emplace_back(info.ColumnInt(3), s->schema.size());
      s->schema.Add(
          {name, ParseDeclaredType(std::string(info.ColumnText(1))), info.ColumnInt(2) == 0});
    }
  }
  if (s->schema.size() == 0) {
    statements_.erase(table);
    throw Error(ErrorCode::kSchema, "no table named '" + table + "' in the store",
                {.file = db_.path()});
  }
  std::sort(key_order.begin(), key_order.end());
  for (const auto& k : key_order) s->primary_key.push_back(k.second);

  const std::string q = QuoteIdentifier(table);
  std::vector<std::string> cols, match, key_match;
  for (size_t i = 0; i < s->schema.size(); ++i) {
    cols.push_back(QuoteIdentifier(s->schema[i].name));
    match.push_back(fmt::format("{} IS ?{}", cols.back(), i + 1));
  }
  for (size_t k = 0; k < s->primary_key.size(); ++k) {
    key_match.push_back(fmt::format("{} IS ?{}", cols[s->primary_key[k]], k + 1));
  }
  const std::string col_list = fmt::format("{}", fmt::join(cols, ", "));
  const std::string where = fmt::format("{}", fmt::join(match, " AND "));
  auto values = [&](size_t rows, size_t width) {
    std::string out;
    for (size_t r = 0; r < rows; ++r) {
      out += r ? ", (" : "(";
      for (size_t c = 0; c < width; ++c) out += c ? ", ?" : "?";
      out += ")";
    }
    return out;
  };
  sqlite3* h = db_.handle();
  s->read_all = std::make_unique<Statement>(
      h, fmt::format("SELECT {}{} FROM {}", col_list, s->is_view ? ", _count_" : "", q));
  if (s->is_view) {
    s->view_writer =
        std::make_unique<SqliteViewWriter>(db_, table, s->schema, SqliteViewTableKey(db_, table));
  } else {
    size_t n = s->schema.size();
    s->insert_one = std::make_unique<Statement>(
        h, fmt::format("INSERT INTO {} ({}) VALUES {}", q, col_list, values(1, n)));
    // OR FAIL: a statement of many rows that may abort halfway (a NOT NULL column, a primary
    // key) makes SQLite copy each page it changes into a statement journal first, and rows of
    // random keys change as many pages of the key's index; a failure still fails the batch.
    s->insert_many = std::make_unique<Statement>(
        h,
        fmt::format("INSERT OR FAIL INTO {} ({}) VALUES {}", q, col_list, values(kInsertChunk, n)));
    s->delete_copies = std::make_unique<Statement>(
        h,
        fmt::format("DELETE FROM {0} WHERE rowid IN (SELECT rowid FROM {0} WHERE {1} LIMIT ?{2})",
                    q, where, n + 1));
    s->count =
        std::make_unique<Statement>(h, fmt::format("SELECT count(*) FROM {} WHERE {}", q, where));
    if (!s->primary_key.empty()) {
      s->lookup_key = std::make_unique<Statement>(
          h, fmt::format("SELECT {} FROM {} WHERE {}", col_list, q, fmt::join(key_match, " AND ")));
    }
  }
  slot = std::move(s);
  return *slot;
}

void SqliteJobStore::CreateBaseTable(const SourceDefinition& source, const Schema& schema,
                                     bool deletes) {
  std::vector<std::string> cols, key;
  for (const Column& c : schema.columns()) {
    cols.push_back(QuoteIdentifier(c.name) + DeclaredType(c.type) +
                   (c.nullable ? "" : " NOT NULL"));
  }
  for (const std::string& k : source.primary_key) key.push_back(QuoteIdentifier(k));
  if (!key.empty()) cols.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(key, ", ")));
  db_.Exec(fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", QuoteIdentifier(source.name),
                       fmt::join(cols, ", ")));
  if (deletes && key.empty()) {
    std::vector<std::string> names;
    for (const Column& c : schema.columns()) names.push_back(QuoteIdentifier(c.name));
    db_.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                         QuoteIdentifier(source.name + "__rows"), QuoteIdentifier(source.name),
                         fmt::join(names, ", ")));
  }
  statements_.erase(source.name);
}

ZSet SqliteJobStore::LookupBaseRows(const std::string& source, const std::vector<Row>& keys) {
  TableStatements& s = Statements(source);
  if (!s.lookup_key)
    throw Error(ErrorCode::kInternal, "table has no primary key", {.table = source});
  ZSet out;
  for (const Row& key : keys) {
    for (size_t k = 0; k < key.size(); ++k) s.lookup_key->Bind(static_cast<int>(k + 1), key[k]);
    while (s.lookup_key->Step()) {
      Row row;
      for (size_t c = 0; c < s.schema.size(); ++c) {
        row.push_back(
            FromStorage(s.lookup_key->ColumnValue(static_cast<int>(c)), s.schema[c].type));
      }
      out.Add(std::move(row), 1);
    }
    s.lookup_key->Reset();
  }
  return out;
}

std::vector<int64_t> SqliteJobStore::CountBaseRows(const std::string& source,
                                                   const std::vector<Row>& rows) {
  TableStatements& s = Statements(source);
  std::vector<int64_t> out;
  for (const Row& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) s.count->Bind(static_cast<int>(c + 1), row[c]);
    s.count->Step();
    out.push_back(s.count->ColumnInt(0));
    s.count->Reset();
  }
  return out;
}

void SqliteJobStore::ApplyToBaseTable(const std::string& source, const ZSet& delta) {
  TableStatements& s = Statements(source);
  const size_t n = s.schema.size();
  std::vector<const Row*> inserts;
  for (const auto& [row, w] : delta) {
    if (w > 0) {
      for (int64_t k = 0; k < w; ++k) inserts.push_back(&row);
      continue;
    }
    for (size_t c = 0; c < n; ++c) s.delete_copies->Bind(static_cast<int>(c + 1), row[c]);
    s.delete_copies->BindInt(static_cast<int>(n + 1), -w);
    s.delete_copies->Run();
    if (sqlite3_changes64(db_.handle()) != -w) {
      throw Error(
          ErrorCode::kConstraint,
          fmt::format("cannot delete {} copies of {}: fewer are stored", -w, RowToString(row)),
          {.table = source});
    }
  }
  Insert(s, inserts);
}

void SqliteJobStore::InsertBaseRows(const std::string& source, const std::vector<Row>& rows) {
  std::vector<const Row*> pointers;
  pointers.reserve(rows.size());
  for (const Row& row : rows) pointers.push_back(&row);
  Insert(Statements(source), pointers);
}

std::unique_ptr<StateTable> SqliteJobStore::OpenBaseRelationState(const BaseRelation& relation,
                                                                  const StateTableSpec& spec) {
  std::vector<std::vector<std::string>> primary_keys;
  for (const std::string& table : relation.tables) {
    TableStatements& s = Statements(table);
    if (s.is_view) throw Error(ErrorCode::kInternal, "not a base table", {.table = table});
    std::vector<std::string> key;
    for (size_t c : s.primary_key) key.push_back(s.schema[c].name);
    primary_keys.push_back(std::move(key));
  }
  std::vector<Type> types;
  for (const BaseRelation::Column& c : relation.columns) {
    const std::string& table = relation.tables.at(c.table);
    std::optional<size_t> pos = Statements(table).schema.IndexOf(c.name);
    if (!pos) {
      throw Error(ErrorCode::kInternal, "no column '" + c.name + "' in base table",
                  {.table = table});
    }
    types.push_back(Statements(table).schema[*pos].type);
  }
  return std::make_unique<SqliteBaseRelationState>(db_, state_.held_writes(), relation,
                                                   std::move(types), primary_keys, spec);
}

void SqliteJobStore::Insert(TableStatements& s, const std::vector<const Row*>& rows) {
  size_t i = 0;
  for (; i + kInsertChunk <= rows.size(); i += kInsertChunk) {
    int param = 1;
    for (size_t r = 0; r < kInsertChunk; ++r) {
      for (const Value& v : *rows[i + r]) s.insert_many->Bind(param++, v);
    }
    s.insert_many->Run();
  }
  for (; i < rows.size(); ++i) {
    int param = 1;
    for (const Value& v : *rows[i]) s.insert_one->Bind(param++, v);
    s.insert_one->Run();
  }
}

void SqliteJobStore::CreateViewTable(const std::string& name, const Schema& schema) {
  CreateSqliteViewTable(db_, name, schema, {});
  statements_.erase(name);
}

void SqliteJobStore::CreateKeyedViewTable(const std::string& name, const Schema& schema,
                                          const std::vector<size_t>& key) {
  CreateSqliteViewTable(db_, name, schema, key);
  statements_.erase(name);
}

void SqliteJobStore::ApplyToViewTable(const std::string& name, const ZSet& delta) {
  Statements(name).view_writer->Apply(delta);
}

void SqliteJobStore::DropView(const std::string& name) {
  statements_.erase(name);
  std::vector<std::string> tables;
  {
    Statement list(db_.handle(),
                   "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                   "(name = ?1 OR substr(name, 1, length(?1) + 2) = ?1 || '__')");
    list.BindText(1, name);
    while (list.Step()) tables.emplace_back(list.ColumnText(0));
  }
  for (const std::string& t : tables) db_.Exec("DROP TABLE IF EXISTS " + QuoteIdentifier(t));
  Statement del(db_.handle(), "DELETE FROM zload_views WHERE name = ?1");
  del.BindText(1, name);
  del.Run();
}

ZSet SqliteJobStore::ReadTable(const std::string& name, bool is_view) {
  TableStatements& s = Statements(name);
  if (s.is_view != is_view) {
    throw Error(ErrorCode::kSchema,
                fmt::format("'{}' is a {}, not a {}", name, s.is_view ? "view" : "base table",
                            is_view ? "view" : "base table"));
  }
  ZSet out;
  while (s.read_all->Step()) {
    Row row;
    for (size_t c = 0; c < s.schema.size(); ++c) {
      row.push_back(FromStorage(s.read_all->ColumnValue(static_cast<int>(c)), s.schema[c].type));
    }
    out.Add(std::move(row), is_view ? s.read_all->ColumnInt(static_cast<int>(s.schema.size())) : 1);
  }
  s.read_all->Reset();
  return out;
}

std::optional<Schema> SqliteJobStore::TableSchema(const std::string& name) {
  try {
    return Statements(name).schema;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kSchema) return std::nullopt;
    throw;
  }
}

}  // namespace zload
