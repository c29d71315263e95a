#include "stores/postgres_job_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "stores/keyed_rows.h"
#include "stores/postgres_base_relation_state.h"
#include "stores/postgres_base_row_stream.h"
#include "stores/postgres_values.h"
#include "stores/row_codec.h"

namespace zload {
namespace {

using postgres::ArrayLiteral;
using postgres::FieldValue;
using postgres::PgType;
using postgres::QuoteIdentifier;
using postgres::ToText;
using postgres::TypeOfPg;

constexpr size_t kLookupChunk = 1000;  // keys per look-up statement
constexpr size_t kWriteChunk = 2000;   // rows per INSERT, UPDATE or DELETE statement
constexpr size_t kCopyRows = 500;      // from this many new rows on, they go in with COPY

// The column of a keyed view's table that holds the identity of each row's key; its comment,
// kViewKeyComment followed by the key's column positions ("0,2"), names the key.
constexpr const char* kKeyIdentityColumn = "_key_identity_";
constexpr std::string_view kViewKeyComment = "zload view key columns: ";

// The key column positions of the comment of `table`'s key identity column. Throws
// Error(kSchema) for a comment of another form.
std::vector<size_t> ParseViewKeyComment(std::string_view comment, const std::string& table) {
  std::vector<size_t> key;
  bool ok = comment.substr(0, kViewKeyComment.size()) == kViewKeyComment;
  std::string_view rest = ok ? comment.substr(kViewKeyComment.size()) : std::string_view();
  while (ok) {
    const std::string_view token = rest.substr(0, rest.find(','));
    size_t position = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), position);
    ok = !token.empty() && ec == std::errc() && end == token.data() + token.size();
    key.push_back(position);
    if (token.size() == rest.size()) break;
    rest.remove_prefix(token.size() + 1);
  }
  if (!ok) {
    throw Error(ErrorCode::kSchema,
                fmt::format("the key identity column of view table '{}' has the comment '{}', "
                            "not one that names its key columns",
                            table, comment),
                {.table = table});
  }
  return key;
}

// The quoted SQL name of a table or column: names over 63 bytes are shortened, keeping distinct
// names distinct, rather than refused (view columns are often named by long expressions).
std::string SqlName(std::string_view name) {
  return QuoteIdentifier(postgres::FitIdentifier(name));
}

std::string_view Bytes(const RowIdentity& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name,
                          const std::vector<std::string>& params) {
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

}  // namespace

// The shape of one base or view table and the texts of its statements.
struct PostgresJobStore::TableInfo {
  std::string name, q;              // the name, and quoted
  Schema schema;                    // without `_count_` and `_identity_`
  std::vector<std::string> types;   // per column: its PostgreSQL type, for casts
  std::vector<std::string> cols;    // per column: its quoted name
  bool is_view = false;             // has `_count_` and `_identity_` or `_key_identity_`
  bool keyed_view = false;          // a view table of one row per key: `_key_identity_`
  std::vector<size_t> primary_key;  // column positions, in key order
  std::vector<size_t> view_key;     // a keyed view's key columns, from the comment
  std::string read_sql, insert_sql, lookup_sql, weights_sql, update_sql, delete_sql;
  std::string upsert_sql, keyed_read_sql;  // a keyed view's
  std::vector<std::string> copy_cols;      // the columns an insert fills, quoted

  // "$<first>::<type>[]" for each column in `positions`.
  std::string Arrays(const std::vector<size_t>& positions, size_t first) const {
    std::vector<std::string> out;
    for (size_t k = 0; k < positions.size(); ++k) {
      out.push_back(fmt::format("${}::{}[]", first + k, types[positions[k]]));
    }
    return fmt::format("{}", fmt::join(out, ", "));
  }
  // WHERE terms matching every column of `row`: `= $k` for values, IS NULL for NULLs.
  std::string MatchRow(const Row& row) const {
    std::vector<std::string> terms;
    int param = 1;
    for (size_t c = 0; c < cols.size(); ++c) {
      terms.push_back(row[c].is_null() ? cols[c] + " IS NULL"
                                       : fmt::format("{} = ${}::{}", cols[c], param++, types[c]));
    }
    return fmt::format("{}", fmt::join(terms, " AND "));
  }
  // The texts of the non-NULL values of `row`, as MatchRow numbers them.
  std::vector<std::string> MatchParams(const Row& row) const {
    std::vector<std::string> out;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (auto text = ToText(row[c], schema[c].type)) out.push_back(std::move(*text));
    }
    return out;
  }
  // The row as read by read_sql's columns from `r`.
  Row RowOf(const pqxx::row& r) const {
    Row row;
    row.reserve(schema.size());
    for (size_t c = 0; c < schema.size(); ++c)
      row.push_back(FieldValue(r[static_cast<pqxx::row::size_type>(c)], schema[c].type));
    return row;
  }
  void CheckWidth(const Row& row) const {
    if (row.size() != schema.size()) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} for a table of width {}", row.size(), schema.size()),
                  {.table = name});
    }
  }
};

PostgresJobStore::PostgresJobStore(const std::string& url) : db_(url), state_(db_) {
  db_.EnsureTables(
      {{"zload_sources",
        {"CREATE TABLE IF NOT EXISTS zload_sources (name TEXT PRIMARY KEY, schema TEXT "
         "NOT NULL, primary_key TEXT NOT NULL)"}},
       {"zload_views",
        {"CREATE TABLE IF NOT EXISTS zload_views (name TEXT PRIMARY KEY, sql TEXT NOT "
         "NULL, shape TEXT NOT NULL)"}},
       {"zload_files",
        {"CREATE TABLE IF NOT EXISTS zload_files (id BIGINT GENERATED BY DEFAULT AS IDENTITY "
         "PRIMARY KEY, source TEXT NOT NULL, path TEXT NOT NULL, size BIGINT NOT NULL, hash TEXT "
         "NOT NULL, rows BIGINT NOT NULL, status TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL "
         "DEFAULT clock_timestamp(), updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())",
         "CREATE INDEX IF NOT EXISTS zload_files__hash ON zload_files (source, hash)"}},
       {"zload_journal",
        {"CREATE TABLE IF NOT EXISTS zload_journal (time BIGINT PRIMARY KEY, load_id "
         "BIGINT NOT NULL, first_record BIGINT NOT NULL, records BIGINT NOT NULL, status "
         "TEXT NOT NULL, rows BIGINT NOT NULL, error TEXT NOT NULL, inserts BIGINT NOT NULL, "
         "deletes BIGINT NOT NULL, frontier BIGINT NOT NULL, updated_at "
         "TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())"}},
       {"zload_batch_deltas",
        {"CREATE TABLE IF NOT EXISTS zload_batch_deltas (time BIGINT NOT NULL, name TEXT "
         "NOT NULL, row BYTEA NOT NULL, weight BIGINT NOT NULL)",
         // A batch's delta is one value of up to megabytes: stored out of line, uncompressed.
         "ALTER TABLE zload_batch_deltas ALTER COLUMN row SET STORAGE EXTERNAL",
         "CREATE INDEX IF NOT EXISTS zload_batch_deltas__time ON zload_batch_deltas "
         "(time, name)"}}});
}

PostgresJobStore::~PostgresJobStore() { db_.Rollback(); }

void PostgresJobStore::Begin() { db_.Begin(); }

void PostgresJobStore::Commit() { db_.Commit(); }

void PostgresJobStore::Rollback() {
  db_.Rollback();
  // Tables created in the transaction are gone: look everything up again.
  state_.DropCaches();
  tables_.clear();
}

PostgresJobStore::TableInfo& PostgresJobStore::Info(const std::string& table) {
  auto& slot = tables_[table];
  if (slot) return *slot;
  auto t = std::make_unique<TableInfo>();
  t->name = table;
  t->q = SqlName(table);
  pqxx::result columns = db_.Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared(
            db_.Prepared(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
                "COALESCE(array_position(i.indkey::int2[], a.attnum), -1), "
                "COALESCE(pg_catalog.col_description(c.oid, a.attnum), '') "
                "FROM pg_catalog.pg_attribute a "
                "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_catalog.pg_index i ON i.indrelid = c.oid AND i.indisprimary "
                "WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind IN ('r', "
                "'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"),
            postgres::FitIdentifier(table));
      },
      {.table = table});
  std::vector<std::pair<int64_t, size_t>> key_order;
  bool has_count = false, has_identity = false;
  for (const auto& r : columns) {
    std::string name = r[0].c_str();
    if (name == "_count_" || name == "_identity_") {
      (name == "_count_" ? has_count : has_identity) = true;
      continue;
    }
    if (name == kKeyIdentityColumn) {
      t->keyed_view = true;
      t->view_key = ParseViewKeyComment(r[4].c_str(), table);
      continue;
    }
    if (r[3].as<int64_t>() >= 0) key_order.emplace_back(r[3].as<int64_t>(), t->schema.size());
    Type type = TypeOfPg(r[1].c_str());
    t->types.push_back(type == Type::kText ? "text" : r[1].c_str());
    t->schema.Add({name, type, r[2].c_str() != std::string_view("t")});
    t->cols.push_back(QuoteIdentifier(name));
  }
  if (t->schema.size() == 0) {
    tables_.erase(table);
    throw Error(ErrorCode::kSchema, "no table named '" + table + "' in the store",
                {.file = db_.url()});
  }
  t->is_view = has_count && (has_identity || t->keyed_view);
  for (size_t k : t->view_key) {
    if (k >= t->schema.size()) {
      throw Error(
          ErrorCode::kSchema,
          fmt::format("view table '{}' names key column {} of {}", table, k, t->schema.size()),
          {.table = table});
    }
  }
  std::sort(key_order.begin(), key_order.end());
  if (!t->is_view) {
    for (const auto& k : key_order) t->primary_key.push_back(k.second);
  }

  std::vector<std::string> reads;
  std::vector<size_t> all;
  for (size_t c = 0; c < t->cols.size(); ++c) {
    reads.push_back(fmt::format("{}::{}", t->cols[c], t->types[c]));
    all.push_back(c);
  }
  if (t->is_view) reads.push_back("_count_");
  t->read_sql = fmt::format("SELECT {} FROM {}", fmt::join(reads, ", "), t->q);
  t->copy_cols = t->cols;
  if (t->keyed_view) {
    t->copy_cols.push_back("_count_");
    t->copy_cols.push_back(kKeyIdentityColumn);
    t->insert_sql = fmt::format(
        "INSERT INTO {} ({}) SELECT * FROM unnest({}, ${}::bigint[], ${}::bytea[])", t->q,
        fmt::join(t->copy_cols, ", "), t->Arrays(all, 1), all.size() + 1, all.size() + 2);
    std::vector<std::string> sets;
    for (const std::string& c : t->cols) sets.push_back(fmt::format("{0} = EXCLUDED.{0}", c));
    sets.emplace_back("_count_ = EXCLUDED._count_");
    t->upsert_sql = fmt::format("{} ON CONFLICT ({}) DO UPDATE SET {}", t->insert_sql,
                                kKeyIdentityColumn, fmt::join(sets, ", "));
    t->keyed_read_sql =
        fmt::format("SELECT {}, {} FROM {} WHERE {} = ANY($1::bytea[])", fmt::join(reads, ", "),
                    kKeyIdentityColumn, t->q, kKeyIdentityColumn);
    t->delete_sql =
        fmt::format("DELETE FROM {} WHERE {} = ANY($1::bytea[])", t->q, kKeyIdentityColumn);
  } else if (t->is_view) {
    t->copy_cols.push_back("_count_");
    t->copy_cols.push_back("_identity_");
    t->insert_sql = fmt::format(
        "INSERT INTO {} ({}) SELECT * FROM unnest({}, ${}::bigint[], ${}::bytea[])", t->q,
        fmt::join(t->copy_cols, ", "), t->Arrays(all, 1), all.size() + 1, all.size() + 2);
    t->weights_sql =
        fmt::format("SELECT _identity_, _count_ FROM {} WHERE _identity_ = ANY($1::bytea[])", t->q);
    t->update_sql = fmt::format(
        "UPDATE {} AS t SET _count_ = u.c FROM unnest($1::bytea[], $2::bigint[]) AS u(id, c) "
        "WHERE t._identity_ = u.id",
        t->q);
    t->delete_sql = fmt::format("DELETE FROM {} WHERE _identity_ = ANY($1::bytea[])", t->q);
  } else {
    t->insert_sql = fmt::format("INSERT INTO {} ({}) SELECT * FROM unnest({})", t->q,
                                fmt::join(t->cols, ", "), t->Arrays(all, 1));
    if (t->primary_key.size() == 1) {
      t->lookup_sql = fmt::format("{} WHERE {} = ANY({})", t->read_sql, t->cols[t->primary_key[0]],
                                  t->Arrays(t->primary_key, 1));
    } else if (!t->primary_key.empty()) {
      std::vector<std::string> key_cols;
      for (size_t k : t->primary_key) key_cols.push_back(t->cols[k]);
      t->lookup_sql = fmt::format("{} WHERE ({}) IN (SELECT * FROM unnest({}))", t->read_sql,
                                  fmt::join(key_cols, ", "), t->Arrays(t->primary_key, 1));
    }
  }
  slot = std::move(t);
  return *slot;
}

void PostgresJobStore::CreateBaseTable(const SourceDefinition& source, const Schema& schema,
                                       bool deletes) {
  std::vector<std::string> cols, key, names;
  for (const Column& c : schema.columns()) {
    names.push_back(SqlName(c.name));
    cols.push_back(names.back() + " " + PgType(c.type) + (c.nullable ? "" : " NOT NULL"));
  }
  for (const std::string& k : source.primary_key) key.push_back(SqlName(k));
  if (!key.empty()) cols.push_back(fmt::format("PRIMARY KEY ({})", fmt::join(key, ", ")));
  const std::string q = SqlName(source.name);
  tables_.erase(source.name);
  db_.EnsureTable(postgres::FitIdentifier(source.name),
                  {fmt::format("CREATE TABLE IF NOT EXISTS {} ({})", q, fmt::join(cols, ", "))});
  if (deletes && key.empty()) {
    db_.Exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                         QuoteIdentifier(postgres::FitIdentifier(source.name + "__rows")), q,
                         fmt::join(names, ", ")),
             {.table = source.name});
  }
}

ZSet PostgresJobStore::LookupBaseRows(const std::string& source, const std::vector<Row>& keys) {
  const TableInfo& t = Info(source);
  if (t.primary_key.empty()) {
    throw Error(ErrorCode::kInternal, "table has no primary key", {.table = source});
  }
  // Key columns are NOT NULL: a key holding a NULL matches nothing.
  std::unordered_map<Row, int64_t, RowHash> times;  // how often each key is asked for
  std::vector<const Row*> distinct;
  for (const Row& key : keys) {
    bool has_null = false;
    for (const Value& v : key) has_null |= v.is_null();
    if (has_null) continue;
    auto [it, fresh] = times.emplace(key, 0);
    if (fresh) distinct.push_back(&it->first);
    ++it->second;
  }
  ZSet out;
  for (size_t start = 0; start < distinct.size(); start += kLookupChunk) {
    std::vector<ArrayLiteral> arrays(t.primary_key.size());
    for (size_t k = start; k < std::min(distinct.size(), start + kLookupChunk); ++k) {
      for (size_t j = 0; j < t.primary_key.size(); ++j) {
        arrays[j].Add(ToText((*distinct[k])[j], t.schema[t.primary_key[j]].type));
      }
    }
    std::vector<std::string> params;
    for (const ArrayLiteral& a : arrays) params.push_back(a.str());
    pqxx::result rows = db_.Read(
        [&](pqxx::transaction_base& tx) {
          return ExecPrepared(tx, db_.Prepared(t.lookup_sql), params);
        },
        {.table = source});
    for (const auto& r : rows) {
      Row row = t.RowOf(r);
      auto it = times.find(Pick(row, t.primary_key));
      out.Add(std::move(row), it == times.end() ? 1 : it->second);
    }
  }
  return out;
}

std::vector<int64_t> PostgresJobStore::CountBaseRows(const std::string& source,
                                                     const std::vector<Row>& rows) {
  const TableInfo& t = Info(source);
  // Rows with NULLs in the same columns share one statement: a correlated count per row of the
  // unnested arrays, one statement per chunk (NULL columns match with IS NULL).
  std::map<std::vector<bool>, std::vector<size_t>> by_nulls;
  for (size_t i = 0; i < rows.size(); ++i) {
    t.CheckWidth(rows[i]);
    std::vector<bool> nulls;
    for (const Value& v : rows[i]) nulls.push_back(v.is_null());
    by_nulls[nulls].push_back(i);
  }
  std::vector<int64_t> out(rows.size(), 0);
  db_.Read(
      [&](pqxx::transaction_base& tx) {
        for (const auto& [nulls, positions] : by_nulls) {
          std::vector<size_t> present;  // the columns bound, in order
          std::vector<std::string> terms, names;
          for (size_t c = 0; c < nulls.size(); ++c) {
            if (nulls[c]) {
              terms.push_back(fmt::format("t.{} IS NULL", t.cols[c]));
            } else {
              terms.push_back(fmt::format("t.{} = d.v{}", t.cols[c], present.size()));
              names.push_back(fmt::format("v{}", present.size()));
              present.push_back(c);
            }
          }
          const std::string count =
              fmt::format("SELECT count(*) FROM {} AS t WHERE {}", t.q, fmt::join(terms, " AND "));
          if (present.empty()) {  // every column NULL: one count answers them all
            int64_t n = tx.exec_prepared(db_.Prepared(count))[0][0].as<int64_t>();
            for (size_t pos : positions) out[pos] = n;
            continue;
          }
          const std::string& stmt = db_.Prepared(
              fmt::format("SELECT ({}) FROM unnest({}) WITH ORDINALITY AS d({}, i) ORDER BY d.i",
                          count, t.Arrays(present, 1), fmt::join(names, ", ")));
          for (size_t start = 0; start < positions.size(); start += kLookupChunk) {
            size_t end = std::min(positions.size(), start + kLookupChunk);
            std::vector<ArrayLiteral> arrays(present.size());
            for (size_t k = start; k < end; ++k) {
              for (size_t j = 0; j < present.size(); ++j) {
                arrays[j].Add(ToText(rows[positions[k]][present[j]], t.schema[present[j]].type));
              }
            }
            std::vector<std::string> params;
            for (const ArrayLiteral& a : arrays) params.push_back(a.str());
            pqxx::result counts = ExecPrepared(tx, stmt, params);
            for (size_t k = start; k < end; ++k) {
              out[positions[k]] = counts[static_cast<int>(k - start)][0].as<int64_t>();
            }
          }
        }
      },
      {.table = source});
  return out;
}

void PostgresJobStore::ApplyToBaseTable(const std::string& source, const ZSet& delta) {
  const TableInfo& t = Info(source);
  std::vector<const Row*> inserts;
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        for (const auto& [row, w] : delta) {
          t.CheckWidth(row);
          if (w > 0) {
            for (int64_t k = 0; k < w; ++k) inserts.push_back(&row);
            continue;
          }
          std::vector<std::string> params = t.MatchParams(row);
          params.push_back(std::to_string(-w));
          const std::string& stmt = db_.Prepared(fmt::format(
              "DELETE FROM {0} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {0} WHERE {1} LIMIT ${2}))",
              t.q, t.MatchRow(row), params.size()));
          if (ExecPrepared(tx, stmt, params).affected_rows() != static_cast<size_t>(-w)) {
            throw Error(ErrorCode::kConstraint,
                        fmt::format("cannot delete {} copies of {}: fewer are stored", -w,
                                    RowToString(row)),
                        {.table = source});
          }
        }
        Insert(t, inserts);
      },
      {.table = source});
}

void PostgresJobStore::InsertBaseRows(const std::string& source, const std::vector<Row>& rows) {
  const TableInfo& t = Info(source);
  std::vector<const Row*> pointers;
  pointers.reserve(rows.size());
  for (const Row& row : rows) {
    t.CheckWidth(row);
    pointers.push_back(&row);
  }
  Insert(t, pointers);
}

std::unique_ptr<StateTable> PostgresJobStore::OpenBaseRelationState(const BaseRelation& relation,
                                                                    const StateTableSpec& spec) {
  std::vector<std::vector<std::string>> primary_keys;
  for (const std::string& table : relation.tables) {
    const TableInfo& t = Info(table);
    if (t.is_view) throw Error(ErrorCode::kInternal, "not a base table", {.table = table});
    std::vector<std::string> key;
    for (size_t c : t.primary_key) key.push_back(t.schema[c].name);
    primary_keys.push_back(std::move(key));
  }
  std::vector<PostgresBaseRelationState::ColumnType> types;
  for (const BaseRelation::Column& c : relation.columns) {
    const TableInfo& t = Info(relation.tables.at(c.table));
    std::optional<size_t> pos = t.schema.IndexOf(c.name);
    if (!pos) {
      throw Error(ErrorCode::kInternal, "no column '" + c.name + "' in base table",
                  {.table = t.name});
    }
    types.push_back({t.schema[*pos].type, t.types[*pos]});
  }
  return std::make_unique<PostgresBaseRelationState>(db_, relation, std::move(types), primary_keys,
                                                     spec);
}

std::unique_ptr<BaseRowStream> PostgresJobStore::StreamBaseRows(const std::string& source) {
  const TableInfo& t = Info(source);
  return std::make_unique<PostgresBaseRowStream>(db_, source, t.q, t.cols, t.schema);
}

void PostgresJobStore::Insert(const TableInfo& t, const std::vector<const Row*>& rows) {
  if (rows.empty()) return;
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        if (rows.size() >= kCopyRows) {
          postgres::CopyWriter copy(tx, t.q, t.cols);
          std::string line;
          for (const Row* row : rows) {
            line.clear();
            for (size_t c = 0; c < row->size(); ++c) {
              postgres::AppendCopyValue(line, (*row)[c], t.schema[c].type, c == 0);
            }
            copy.WriteLine(line);
          }
          copy.Finish();
          return;
        }
        for (size_t start = 0; start < rows.size(); start += kWriteChunk) {
          std::vector<ArrayLiteral> arrays(t.cols.size());
          for (size_t k = start; k < std::min(rows.size(), start + kWriteChunk); ++k) {
            for (size_t c = 0; c < t.cols.size(); ++c) {
              arrays[c].Add(ToText((*rows[k])[c], t.schema[c].type));
            }
          }
          std::vector<std::string> params;
          for (const ArrayLiteral& a : arrays) params.push_back(a.str());
          ExecPrepared(tx, db_.Prepared(t.insert_sql), params);
        }
      },
      {.table = t.name});
}

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
        auto fields = [&](size_t pos) {
          const Row& row = delta.begin()[pos].first;
          std::vector<std::optional<std::string>> out;
          for (size_t c = 0; c < row.size(); ++c) out.push_back(ToText(row[c], t.schema[c].type));
          out.push_back(std::to_string(after[pos]));
          out.push_back(postgres::ByteaText(Bytes(ids[pos])));
          return out;
        };
        if (inserts.size() >= kCopyRows) {
          postgres::CopyWriter copy(tx, t.q, t.copy_cols);
          std::string line;
          for (size_t pos : inserts) {
            line.clear();
            bool first = true;
            for (const auto& f : fields(pos)) {
              postgres::AppendCopyField(line, f, first);
              first = false;
            }
            copy.WriteLine(line);
          }
          copy.Finish();
        } else {
          for (size_t start = 0; start < inserts.size(); start += kWriteChunk) {
            std::vector<ArrayLiteral> arrays(t.copy_cols.size());
            for (size_t k = start; k < std::min(inserts.size(), start + kWriteChunk); ++k) {
              auto f = fields(inserts[k]);
              for (size_t c = 0; c < f.size(); ++c) arrays[c].Add(f[c]);
            }
            std::vector<std::string> params;
            for (const ArrayLiteral& a : arrays) params.push_back(a.str());
            ExecPrepared(tx, db_.Prepared(t.insert_sql), params);
          }
        }
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

ZSet PostgresJobStore::ReadTable(const std::string& name, bool is_view) {
  const TableInfo& t = Info(name);
  if (t.is_view != is_view) {
    throw Error(ErrorCode::kSchema,
                fmt::format("'{}' is a {}, not a {}", name, t.is_view ? "view" : "base table",
                            is_view ? "view" : "base table"));
  }
  pqxx::result rows = db_.Read(
      [&](pqxx::transaction_base& tx) { return tx.exec_prepared(db_.Prepared(t.read_sql)); },
      {.table = name});
  ZSet out;
  out.Reserve(rows.size());
  for (const auto& r : rows) {
    out.Add(t.RowOf(r), is_view ? r[static_cast<int>(t.schema.size())].as<int64_t>() : 1);
  }
  return out;
}

std::optional<Schema> PostgresJobStore::TableSchema(const std::string& name) {
  if (name.empty()) return std::nullopt;
  try {
    return Info(name).schema;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kSchema) return std::nullopt;
    throw;
  }
}

}  // namespace zload
