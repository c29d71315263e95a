#include "bench/throughput_baselines.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

#include "engine/error.h"
#include "stores/sqlite_db.h"

namespace zload::bench {
namespace {

using Clock = std::chrono::steady_clock;

// SQLite's storage class for a declared column type, as the loop binds it.
enum class BindAs { kInteger, kReal, kText };

// The declared types of a "name TYPE, name TYPE ..." schema, in order.
std::vector<BindAs> ColumnTypes(const std::string& schema) {
  std::vector<BindAs> types;
  size_t start = 0;
  while (start < schema.size()) {
    size_t end = schema.find(',', start);
    if (end == std::string::npos) end = schema.size();
    std::string column = schema.substr(start, end - start);
    if (column.find("INTEGER") != std::string::npos) {
      types.push_back(BindAs::kInteger);
    } else if (column.find("REAL") != std::string::npos) {
      types.push_back(BindAs::kReal);
    } else {
      types.push_back(BindAs::kText);
    }
    start = end + 1;
  }
  return types;
}

void CreateTables(sqlite::Database& db, const std::vector<JobSource>& sources) {
  for (const JobSource& s : sources) db.Exec(fmt::format("CREATE TABLE {} ({})", s.name, s.schema));
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// Loads one CSV file into `table` with one prepared INSERT: the plain C way.
void LoadWithPreparedInsert(sqlite3* db, const JobSource& source) {
  std::vector<BindAs> types = ColumnTypes(source.schema);
  std::string sql = fmt::format("INSERT INTO {} VALUES (?", source.name);
  for (size_t i = 1; i < types.size(); ++i) sql += ", ?";
  sql += ")";
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> insert(raw);
  if (rc != SQLITE_OK) sqlite::ThrowError(db, rc, "prepare " + sql);
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(source.file.c_str(), "rb"));
  if (!in) throw Error(ErrorCode::kIo, "cannot open file", {.file = source.file});

  char* line = nullptr;
  size_t capacity = 0;
  ssize_t length;
  bool header = true;
  std::vector<char*> fields(types.size());
  while ((length = getline(&line, &capacity, in.get())) > 0) {
    if (header) {
      header = false;
      continue;
    }
    if (line[length - 1] == '\n') line[--length] = '\0';
    // A hand-written split: the generated data has no quotes.
    size_t n = 0;
    char* p = line;
    while (n < fields.size()) {
      fields[n++] = p;
      char* comma = std::strchr(p, ',');
      if (!comma) break;
      *comma = '\0';
      p = comma + 1;
    }
    for (size_t i = 0; i < n; ++i) {
      switch (types[i]) {
        case BindAs::kInteger:
          sqlite3_bind_int64(insert.get(), static_cast<int>(i + 1),
                             std::strtoll(fields[i], nullptr, 10));
          break;
        case BindAs::kReal:
          sqlite3_bind_double(insert.get(), static_cast<int>(i + 1),
                              std::strtod(fields[i], nullptr));
          break;
        case BindAs::kText:
          sqlite3_bind_text(insert.get(), static_cast<int>(i + 1), fields[i], -1, SQLITE_STATIC);
          break;
      }
    }
    rc = sqlite3_step(insert.get());
    if (rc != SQLITE_DONE) {
      std::free(line);
      sqlite::ThrowError(db, rc, "insert into " + source.name);
    }
    sqlite3_reset(insert.get());
  }
  std::free(line);
}

// The shared rows of two result sets ordered the same way, compared value by value.
bool SameValue(const Value& a, const Value& b) {
  if (a.type() == Type::kReal || b.type() == Type::kReal) {
    if (!a.is_numeric() || !b.is_numeric()) return false;
    double x = a.numeric(), y = b.numeric();
    return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a == b;
}

}  // namespace

ChildRun RunSqliteImport(const std::string& sqlite3, const std::vector<JobSource>& sources,
                         const std::string& db, const std::string& script) {
  std::string text;
  for (const JobSource& s : sources)
    text += fmt::format("CREATE TABLE {} ({});\n", s.name, s.schema);
  text += ".mode csv\n";
  for (const JobSource& s : sources)
    text += fmt::format(".import --skip 1 {} {}\n", s.file, s.name);
  {
    std::ofstream out(script);
    out << text;
    if (!out.flush()) throw Error(ErrorCode::kIo, "cannot write script", {.file = script});
  }
  std::string log = script + ".log";
  ChildRun run = RunChild({sqlite3, "-bail", db}, log, script);
  if (run.exit_code != 0) {
    throw Error(ErrorCode::kInternal,
                fmt::format("sqlite3 .import exited with {}:\n{}", run.exit_code, FileTail(log)));
  }
  return run;
}

double RunPreparedLoop(const std::vector<JobSource>& sources, const std::string& db) {
  auto start = Clock::now();
  sqlite::Database database(db);
  CreateTables(database, sources);
  sqlite::Transaction transaction(database);
  for (const JobSource& s : sources) LoadWithPreparedInsert(database.handle(), s);
  transaction.Commit();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<double> RunRecompute(const std::string& db, const std::vector<JobView>& views) {
  sqlite::Database database(db);
  std::vector<double> seconds;
  for (const JobView& v : views) {
    auto start = Clock::now();
    database.Exec(
        fmt::format("DROP TABLE IF EXISTS {0}_recomputed; "
                    "CREATE TABLE {0}_recomputed AS {1}",
                    v.name, v.sql));
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  return seconds;
}

std::vector<std::string> CheckViews(const std::string& db, const std::vector<JobView>& views) {
  sqlite::Database database(db);
  std::vector<std::string> problems;
  for (const JobView& v : views) {
    // Every view here has a unique key in its first column (or is a set of 2 columns), so
    // ordering by the first two columns lines the two results up.
    sqlite::Statement stored(database.handle(),
                             fmt::format("SELECT * FROM {} ORDER BY 1, 2", v.name));
    sqlite::Statement fresh(database.handle(),
                            fmt::format("SELECT * FROM ({}) ORDER BY 1, 2", v.sql));
    int64_t row = 0;
    while (true) {
      bool has_stored = stored.Step();
      bool has_fresh = fresh.Step();
      if (!has_stored && !has_fresh) break;
      ++row;
      if (has_stored != has_fresh) {
        problems.push_back(fmt::format("view {}: {} rows where SQLite has {}", v.name,
                                       has_stored ? "more" : "fewer",
                                       has_stored ? "fewer" : "more"));
        break;
      }
      int columns = fresh.ColumnCount();
      bool same = stored.ColumnCount() == columns + 1 && stored.ColumnInt(columns) == 1;
      for (int c = 0; same && c < columns; ++c) {
        same = SameValue(stored.ColumnValue(c), fresh.ColumnValue(c));
      }
      if (!same) {
        problems.push_back(fmt::format("view {}: row {} differs from SQLite's", v.name, row));
        break;
      }
    }
  }
  return problems;
}

int64_t CountRows(const std::string& db, const std::string& name) {
  sqlite::Database database(db);
  sqlite::Statement count(database.handle(), fmt::format("SELECT COUNT(*) FROM {}", name));
  return count.Step() ? count.ColumnInt(0) : 0;
}

}  // namespace zload::bench
