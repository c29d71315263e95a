#include "tests/support/sqlite_oracle.h"

#include <memory>

#include "engine/error.h"

namespace zload::test {
namespace {

struct StatementCloser {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementCloser>;

[[noreturn]] void Fail(sqlite3* db, ErrorCode code, const std::string& what) {
  throw Error(code, what + ": " + sqlite3_errmsg(db));
}

Statement Prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt, &tail) !=
      SQLITE_OK) {
    Fail(db, ErrorCode::kSchema, "cannot prepare '" + sql + "'");
  }
  return Statement(stmt);
}

void Bind(sqlite3* db, sqlite3_stmt* stmt, int pos, const Value& v) {
  int rc = SQLITE_OK;
  switch (v.type()) {
    case Type::kNull:
      rc = sqlite3_bind_null(stmt, pos);
      break;
    case Type::kInteger:
    case Type::kBoolean:
    case Type::kTimestamp:
      rc = sqlite3_bind_int64(stmt, pos, v.integral());
      break;
    case Type::kReal:
      rc = sqlite3_bind_double(stmt, pos, v.as_real());
      break;
    case Type::kText:
      rc = sqlite3_bind_text(stmt, pos, v.as_text().data(), static_cast<int>(v.as_text().size()),
                             SQLITE_TRANSIENT);
      break;
  }
  if (rc != SQLITE_OK) Fail(db, ErrorCode::kInternal, "cannot bind " + v.ToString());
}

Value ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return Value::Null();
    case SQLITE_INTEGER:
      return Value::Integer(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT:
      return Value::Real(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return Value::Text(std::string(text, sqlite3_column_bytes(stmt, i)));
    }
    default:
      throw Error(ErrorCode::kUnsupported, "BLOB value in an oracle query result");
  }
}

}  // namespace

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

SqliteOracle::SqliteOracle() {
  if (sqlite3_open(":memory:", &db_) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(ErrorCode::kIo, "cannot open an in-memory SQLite database: " + message);
  }
}

SqliteOracle::~SqliteOracle() { sqlite3_close(db_); }

void SqliteOracle::CreateTable(const std::string& name, const Schema& schema) {
  std::string sql = "CREATE TABLE " + QuoteIdentifier(name) + " (";
  for (size_t i = 0; i < schema.size(); ++i) {
    const Column& c = schema[i];
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(c.name);
    if (c.type != Type::kNull) sql += std::string(" ") + TypeName(c.type);
    if (!c.nullable) sql += " NOT NULL";
  }
  sql += ")";
  Execute(sql);
  arity_[name] = schema.size();
}

void SqliteOracle::Load(const std::string& name, const ZSet& contents) {
  auto it = arity_.find(name);
  if (it == arity_.end()) throw Error(ErrorCode::kSchema, "oracle has no table " + name);
  const size_t arity = it->second;
  for (const auto& [row, w] : contents) {
    if (w <= 0) {
      throw Error(ErrorCode::kInternal, "oracle table " + name + " loaded with " +
                                            RowToString(row) + " x " + std::to_string(w));
    }
    if (row.size() != arity) {
      throw Error(ErrorCode::kSchema, "row " + RowToString(row) + " does not fit table " + name);
    }
  }
  std::string sql = "INSERT INTO " + QuoteIdentifier(name) + " VALUES (";
  for (size_t i = 0; i < arity; ++i) sql += i == 0 ? "?" : ", ?";
  sql += ")";
  Execute("SAVEPOINT oracle_load");
  try {
    Statement insert = Prepare(db_, sql);
    for (const auto& [row, w] : contents) {
      sqlite3_reset(insert.get());
      for (size_t i = 0; i < arity; ++i) Bind(db_, insert.get(), static_cast<int>(i + 1), row[i]);
      for (int64_t n = 0; n < w; ++n) {
        if (sqlite3_step(insert.get()) != SQLITE_DONE) {
          Fail(db_, ErrorCode::kConstraint, "cannot insert " + RowToString(row) + " into " + name);
        }
        sqlite3_reset(insert.get());
      }
    }
  } catch (...) {
    Execute("ROLLBACK TO oracle_load; RELEASE oracle_load");
    throw;
  }
  Execute("RELEASE oracle_load");
}

void SqliteOracle::Replace(const std::string& name, const ZSet& contents) {
  Execute("DELETE FROM " + QuoteIdentifier(name));
  Load(name, contents);
}

void SqliteOracle::Execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(ErrorCode::kSchema, "cannot run '" + sql + "': " + text);
  }
}

ZSet SqliteOracle::Query(const std::string& sql) {
  Statement stmt = Prepare(db_, sql);
  const int columns = sqlite3_column_count(stmt.get());
  ZSet out;
  for (;;) {
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) Fail(db_, ErrorCode::kSchema, "cannot run '" + sql + "'");
    Row row;
    row.reserve(columns);
    for (int i = 0; i < columns; ++i) row.push_back(ColumnValue(stmt.get(), i));
    out.Add(std::move(row), 1);
  }
  return out;
}

ZSet ToSqliteStorageClasses(const ZSet& z) {
  ZSet out;
  for (const auto& [row, w] : z) {
    Row converted = row;
    for (Value& v : converted) {
      if (v.type() == Type::kBoolean || v.type() == Type::kTimestamp) {
        v = Value::Integer(v.integral());
      }
    }
    out.Add(std::move(converted), w);
  }
  return out;
}

}  // namespace zload::test
