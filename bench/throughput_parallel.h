#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/throughput_data.h"
#include "bench/throughput_report.h"

namespace zload::bench {

// Settings of the parallel section of the throughput driver.
struct ParallelOptions {
  std::vector<int> workers;          // zload --workers values, e.g. {1, 2, 4}
  std::vector<std::string> stores;   // "sqlite" and/or "postgres"
  std::vector<std::string> flushes;  // "false" and/or "true": zload --flush-every-set
  std::vector<std::string> loads;    // "base" and/or "views": the jobs measured
  int runs = 5;
  int64_t batch_rows = 10000;
  int64_t base_batch_rows = 0;  // [run] batch_rows of the base-only job; 0: batch_rows
  std::string zload;            // the zload binary
  std::string psql;             // the psql client, for the \copy baselines
  std::string pgloader;         // the pgloader program
  std::string pg_url;           // an existing server to use; empty: a throwaway cluster
  std::string pg_bindir;        // initdb and pg_ctl of the throwaway cluster
};

// Measures `zload run --workers N --flush-every-set F` of the base-only job and of the 3-views job
// (those of `loads`; the base-only one with `base_batch_rows`) over `data`'s TPC-H-like files, for
// every N, F and store kind, `runs` times each on a fresh store (a new SQLite file; a new
// PostgreSQL database); on PostgreSQL also, in the same runs and into the same typed tables, one
// psql \copy stream, two concurrent \copy streams on the two halves of every file, and pgloader.
// Appends to report.parallel (with speed-ups over 1 worker), report.parallel_ratios (the issue's
// goals) and report.parallel_notes (the server, the machine load, and the checks: every run's base
// row counts, and the views of each configuration's first run against the store's own SELECT).
// Scratch files go under `dir`. Progress goes to stderr. Throws Error when a program fails or a
// check of row counts fails; a view that differs is reported as a note.
void MeasureParallel(const ParallelOptions& options, const DataSet& data, const std::string& dir,
                     Report& report);

}  // namespace zload::bench
