#pragma once

// SQLite itself as the oracle of the expression tests: evaluates `SELECT <sql> FROM t` over a
// one-row table whose columns have the declared types the engine's column references use.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/expr.h"
#include "engine/value.h"

namespace zload::expr_test {

struct ColumnDef {
  const char* name;
  Type type;
};

// The columns of table t, in row order.
inline const std::vector<ColumnDef>& Columns() {
  static const std::vector<ColumnDef> kColumns = {
      {"i", Type::kInteger},    {"r", Type::kReal},     {"s", Type::kText},  {"b", Type::kBoolean},
      {"ts", Type::kTimestamp}, {"i2", Type::kInteger}, {"s2", Type::kText}, {"r2", Type::kReal},
  };
  return kColumns;
}

// A column reference to the column of t named `name`.
inline ExprPtr Col(const std::string& name) {
  const auto& cols = Columns();
  for (size_t i = 0; i < cols.size(); i++) {
    if (name == cols[i].name) return MakeColumn(i, cols[i].type, name);
  }
  throw std::invalid_argument("no column " + name);
}

// A readable rendering of a value with its type, reals with all their digits.
inline std::string Describe(const Value& v) {
  char buf[64];
  switch (v.type()) {
    case Type::kNull:
      return "NULL";
    case Type::kInteger:
      return "INTEGER " + std::to_string(v.as_integer());
    case Type::kBoolean:
      return std::string("BOOLEAN ") + (v.as_boolean() ? "true" : "false");
    case Type::kTimestamp:
      return "TIMESTAMP " + std::to_string(v.as_timestamp());
    case Type::kReal:
      std::snprintf(buf, sizeof buf, "REAL %.17g", v.as_real());
      return buf;
    case Type::kText:
      return "TEXT '" + v.as_text() + "'";
  }
  return "?";
}

// True when the engine's `got` is what SQLite returned: BOOLEAN and TIMESTAMP count as the
// INTEGERs SQLite stores, reals must be bit-identical.
inline bool SameResult(const Value& got, const Value& want) {
  Value g = got;
  if (g.type() == Type::kBoolean || g.type() == Type::kTimestamp) g = Value::Integer(g.integral());
  if (g.type() != want.type()) return false;
  if (g.type() == Type::kReal) {
    double a = g.as_real(), b = want.as_real();
    return std::memcmp(&a, &b, sizeof a) == 0;
  }
  return g == want;
}

class SqliteOracle {
 public:
  SqliteOracle() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
    std::string ddl = "CREATE TABLE t(";
    for (size_t i = 0; i < Columns().size(); i++) {
      if (i > 0) ddl += ", ";
      ddl += std::string(Columns()[i].name) + " " + TypeName(Columns()[i].type);
    }
    Exec(ddl + ")");
  }
  ~SqliteOracle() { sqlite3_close(db_); }
  SqliteOracle(const SqliteOracle&) = delete;
  SqliteOracle& operator=(const SqliteOracle&) = delete;

  // Makes `row` (one value per column of Columns()) the only row of t.
  void SetRow(const Row& row) {
    Exec("DELETE FROM t");
    std::string sql = "INSERT INTO t VALUES(";
    for (size_t i = 0; i < row.size(); i++) sql += i > 0 ? ", ?" : "?";
    sqlite3_stmt* st = Prepare(sql + ")");
    for (size_t i = 0; i < row.size(); i++) {
      int k = static_cast<int>(i + 1);
      const Value& v = row[i];
      switch (v.type()) {
        case Type::kNull:
          sqlite3_bind_null(st, k);
          break;
        case Type::kReal:
          sqlite3_bind_double(st, k, v.as_real());
          break;
        case Type::kText:
          sqlite3_bind_text(st, k, v.as_text().data(), static_cast<int>(v.as_text().size()),
                            SQLITE_TRANSIENT);
          break;
        default:
          sqlite3_bind_int64(st, k, v.integral());
          break;
      }
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
  }

  // The value of `SELECT <expr_sql> FROM t`, or nullopt with *error set when SQLite fails.
  std::optional<Value> Eval(const std::string& expr_sql, std::string* error) {
    sqlite3_stmt* st = nullptr;
    std::string sql = "SELECT " + expr_sql + " FROM t";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      *error = sqlite3_errmsg(db_);
      return std::nullopt;
    }
    int rc = sqlite3_step(st);
    std::optional<Value> out;
    if (rc == SQLITE_ROW) {
      switch (sqlite3_column_type(st, 0)) {
        case SQLITE_INTEGER:
          out = Value::Integer(sqlite3_column_int64(st, 0));
          break;
        case SQLITE_FLOAT:
          out = Value::Real(sqlite3_column_double(st, 0));
          break;
        case SQLITE_TEXT:
          out = Value::Text(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                                        sqlite3_column_bytes(st, 0)));
          break;
        case SQLITE_NULL:
          out = Value();
          break;
        default:
          *error = "unexpected BLOB";
          break;
      }
    } else {
      *error = sqlite3_errmsg(db_);
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  void Exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "?";
      sqlite3_free(msg);
      throw std::runtime_error(m + " in " + sql);
    }
  }
  sqlite3_stmt* Prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sqlite3_errmsg(db_));
    }
    return st;
  }

  sqlite3* db_ = nullptr;
};

// Shorthands for building expressions in tables of cases.
inline ExprPtr I(int64_t v) { return MakeLiteral(Value::Integer(v)); }
inline ExprPtr R(double v) { return MakeLiteral(Value::Real(v)); }
inline ExprPtr T(std::string v) { return MakeLiteral(Value::Text(std::move(v))); }
inline ExprPtr N() { return MakeLiteral(Value()); }
inline ExprPtr Bool(bool v) { return MakeLiteral(Value::Boolean(v)); }
inline ExprPtr Bin(BinaryOp op, ExprPtr a, ExprPtr b) {
  return MakeBinary(op, std::move(a), std::move(b));
}
inline ExprPtr Fn(ScalarFunction fn, std::vector<ExprPtr> args) {
  return MakeFunction(fn, std::move(args));
}
inline ExprPtr Cast(ExprPtr a, Type t) { return MakeCast(std::move(a), t); }
inline ExprPtr In(ExprPtr a, std::vector<ExprPtr> list, bool negated = false) {
  return MakeInList(std::move(a), std::move(list), negated);
}
inline ExprPtr Like(ExprPtr a, ExprPtr p, bool negated = false) {
  return MakeLike(std::move(a), std::move(p), negated);
}

// One table-driven case: hand-written SQL and the same expression built with Make*.
struct Case {
  std::string sql;
  ExprPtr expr;
};

// The row every case reads: i=12, r=1.5, s='12', b=TRUE, ts=1000, i2=NULL, s2='abc', r2=NULL.
inline Row DefaultRow() {
  return Row{Value::Integer(12), Value::Real(1.5), Value::Text("12"),  Value::Boolean(true),
             Value::Time(1000),  Value(),          Value::Text("abc"), Value()};
}

// Evaluates every case over DefaultRow() with the engine and with SQLite (both the SQL and the
// expression's ToString()) and expects identical values and types.
inline void CheckCases(const std::vector<Case>& cases) {
  SqliteOracle oracle;
  Row row = DefaultRow();
  oracle.SetRow(row);
  for (const Case& c : cases) {
    SCOPED_TRACE("SELECT " + c.sql);
    std::string error;
    std::optional<Value> want = oracle.Eval(c.sql, &error);
    ASSERT_TRUE(want.has_value()) << error;
    Value got = c.expr->Eval(row);
    EXPECT_TRUE(SameResult(got, *want))
        << "zload " << Describe(got) << " sqlite " << Describe(*want);
    // The expression's own rendering must mean the same to SQLite.
    std::optional<Value> again = oracle.Eval(c.expr->ToString(), &error);
    ASSERT_TRUE(again.has_value()) << error << " in " << c.expr->ToString();
    EXPECT_TRUE(SameResult(*again, *want)) << c.expr->ToString() << " gives " << Describe(*again);
  }
}

}  // namespace zload::expr_test
