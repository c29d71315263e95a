#pragma once

// A randomized end-to-end property of the loader: a shop job (products with a primary key,
// line items and baskets with per-row deletes) is run several times on one SQLite store, each
// run with new random input files, a random batch size and a random source order; some runs
// reject bad rows, some stop at one (keeping the batches before it), and some views join the
// config only in a later run (built from the stored base tables). After every run the store is
// checked: base tables against a model of what the files say, and every view table against
// SQLite's own SELECT of the view's SQL over the base tables.
#include <cstdint>
#include <string>
#include <vector>

namespace zload::test {

// How much one property run draws.
struct ShopPropertyOptions {
  int runs = 4;                  // RunJob calls on the same store, each with new files
  int max_rows_per_file = 40;    // each source's file has 0..this many rows
  int max_batch_rows = 50;       // each run's batch_rows is drawn from 1..this
  double late_view_rate = 0.3;   // the chance that a view joins the config only in a later run
  int first_view_run = 0;        // no view joins before this run (views are built over data)
  double reject_run_rate = 0.2;  // the chance that a run has bad rows, rejected
  double abort_run_rate = 0.15;  // the chance that a run stops at a bad row in one of its files
  // Worker processes applying the batches (0: RunJob applies them itself), whether they commit
  // after each delay vertex, and the zload binary they run.
  int workers = 0;
  bool flush_every_set = false;
  std::string worker_binary;
  // When not empty: on a failure, the job's directory (configs job_<run>.toml, input files and
  // store) is copied to <keep_failed_in>/seed_<seed> to replay with the zload binary.
  std::string keep_failed_in;
};

// One view of the shop job, with the SQL SQLite evaluates as its oracle.
struct ShopView {
  std::string name;
  std::string sql;         // the view's definition in the job config
  std::string oracle_sql;  // what SQLite runs over the base tables (the same as `sql` unless
                           // the view reads another view, which is then inlined)
  std::string reads_view;  // the view this one reads, if any: it must be in the config too
};

// The views every property run maintains, in config order.
const std::vector<ShopView>& ShopViews();

// Runs the shop job for `seed` as the file comment says, reporting every mismatch as a gtest
// failure that names the seed, the run and the batch size. Stops at the first failing run.
void RunShopProperty(uint64_t seed, const ShopPropertyOptions& options = {});

}  // namespace zload::test
