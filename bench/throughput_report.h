#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zload::bench {

// One measured thing: its wall time over every run, and the child's peak RSS where it is one.
struct Measurement {
  std::string key;                   // "a" .. "h", as bench/README.md lists them
  std::string name;                  // what was measured
  int64_t rows = 0;                  // input rows per run (for rows/s)
  std::vector<double> seconds;       // one per run
  std::vector<int64_t> peak_rss_kb;  // one per run; empty when not a child process
  std::vector<double> tool_seconds;  // zload's own --json "seconds", one per run (zload only)

  double Median() const;
  double Min() const;
  double Max() const;
  // The median of tool_seconds (0 when none).
  double ToolMedian() const;
  // rows / median seconds.
  double RowsPerSecond() const;
  // The largest peak RSS over the runs, in KiB (0 when none).
  int64_t MaxRssKb() const;
};

// A figure derived from medians (a ratio, a rate, a size) set against the goal.
struct Ratio {
  std::string name;  // e.g. "(d)/(a): .import time over base-only time"
  double value = 0;
  std::string goal;     // e.g. ">= 1.5"
  std::string verdict;  // "met", "NOT met", or why it cannot be judged at this size
};

// One measurement of the parallel section: a `zload run --workers N` configuration, or a
// PostgreSQL baseline (then `workers` is 0 and `flush` empty).
struct ParallelMeasurement {
  std::string store;   // "sqlite" or "postgres"
  std::string load;    // "zload base", "zload 3 views", "psql \\copy, 1 stream", ...
  int workers = 0;     // zload's --workers; 0 for a baseline
  std::string flush;   // zload's --flush-every-set: "true" or "false"; empty for a baseline
  Measurement m;       // rows, every run's wall seconds and, for zload, its own seconds
  double speedup = 0;  // median of the same load at 1 worker / this median; 0 when unknown
};

// Everything one run of the driver measured.
struct Report {
  int64_t lineitem_rows = 0;
  int runs = 0;
  uint64_t seed = 0;
  std::string order;  // the data generator's KeyOrder: "random" or "clustered"
  int64_t batch_rows = 0;
  uint64_t data_bytes = 0;
  std::vector<Measurement> measurements;
  std::vector<Ratio> ratios;
  std::vector<std::string> notes;  // e.g. view checks against SQLite
  // The parallel section (--workers): empty when it did not run.
  std::vector<ParallelMeasurement> parallel;
  std::vector<Ratio> parallel_ratios;
  std::vector<std::string> parallel_notes;  // server, machine load, row and view checks
};

// An aligned, human-readable table of the report.
std::string RenderReport(const Report& report);
// The report as one JSON object (every run's seconds and RSS included).
std::string ReportJson(const Report& report);

}  // namespace zload::bench
