#pragma once

#include <string>
#include <vector>

#include "bench/throughput_child.h"
#include "bench/throughput_zload.h"

namespace zload::bench {

// Baseline (d): one `sqlite3 -bail DB` process that creates the typed tables of `sources` and
// loads each CSV with `.mode csv` / `.import --skip 1`, as a person would, with the CLI's default
// settings. `script` is where the command script is written. Throws Error(kInternal) with the
// log's tail when sqlite3 fails.
ChildRun RunSqliteImport(const std::string& sqlite3, const std::vector<JobSource>& sources,
                         const std::string& db, const std::string& script);

// Baseline (e): creates the typed tables of `sources` in `db` (WAL, synchronous=NORMAL: the
// store's settings) and loads every CSV with one prepared INSERT per table, sqlite3_bind_* per
// field of a hand-split line, in one transaction. Returns the wall seconds of all of it.
// Throws Error on any SQLite or file failure.
double RunPreparedLoop(const std::vector<JobSource>& sources, const std::string& db);

// Baseline (f): recomputes each view from scratch with `CREATE TABLE <name>_recomputed AS
// <sql>` over the base tables in `db`; returns the wall seconds of each view, in order.
std::vector<double> RunRecompute(const std::string& db, const std::vector<JobView>& views);

// Compares every view's table in zload's store `db` (its columns, every _count_ = 1) with the
// view's SELECT run by SQLite over the store's base tables; REAL values may differ by a relative
// 1e-9 (summation order). Returns one line per difference found; empty when all agree.
std::vector<std::string> CheckViews(const std::string& db, const std::vector<JobView>& views);

// The number of rows in table `name` of `db`.
int64_t CountRows(const std::string& db, const std::string& name);

}  // namespace zload::bench
