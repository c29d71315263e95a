#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "loader/job_config.h"
#include "loader/progress.h"
#include "loader/run_summary.h"

namespace zload {

// Command-line settings of `zload run` that override or extend the job config.
struct RunOptions {
  std::optional<std::string> store_url;  // replaces [store] url
  std::optional<int64_t> batch_rows;     // replaces [run] batch_rows
  std::optional<int64_t> limit;          // load at most this many rows in all
  bool dry_run = false;                  // check config, SQL and inputs; load nothing
  bool reload = false;                   // load files this store has loaded before
  // Continue the job's unfinished loads after the batches the journal has as done, and load
  // the files not loaded yet; a file whose load completed is not read again.
  bool resume = false;
  std::optional<int64_t> workers;       // replaces [run] workers
  std::optional<bool> flush_every_set;  // replaces [run] flush_every_set
  // The zload executable that worker processes run ("zload worker"); empty: this program.
  std::string worker_binary;
  // Fault injection for tests: called at named points of the coordinator ("after-handout" and
  // "after-done" of batch `batch`; without workers, "after-done" once a batch is applied, its
  // commit group possibly still open); it may end the process.
  std::function<void(const std::string& point, int64_t batch)> fault;
};

// Runs a job: loads every source's file in batches (one graph iteration a batch; without
// workers, consecutive batches share a transaction for [run] commit_interval_ms) into the store,
// keeping every view's table exact. Fills `summary` as it goes, so that
// it describes what was applied even when an error ends the run. Throws Error: before anything is
// loaded for config, schema, SQL, input-header and missing-file errors (summary.batches == 0),
// and at the first bad row under on_bad_row = "abort" or past max_errors rejects under
// "reject", in which case nothing of the failing batch is applied.
void RunJob(JobConfig config, const RunOptions& options, ProgressBar& progress,
            RunSummary& summary);

// Recomputes view `name` of the job at `config` from the base tables in its store (store_url
// overrides the config's). Throws Error(kConfig) for an unknown view.
void RebuildView(const JobConfig& config, const std::optional<std::string>& store_url,
                 const std::string& name);

}  // namespace zload
