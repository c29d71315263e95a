#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "loader/job.h"
#include "loader/job_runner.h"
#include "loader/progress.h"
#include "loader/run_summary.h"

namespace zload {

// Loads every source of `job` with run.workers worker processes (`zload worker`) under
// the time/frontier protocol: cuts each file into batches of whole records, gives each batch
// the next logical time, hands batches to idle workers, decides in batch order whether each
// may be applied (rejects, max_errors, abort), and records each file's load. The views end
// exactly as a serial run leaves them. Fills `summary` as it goes. Throws the first batch's
// error in batch order, after every earlier batch has been applied; nothing of a later batch
// is applied (with flush_every_set = false; with true, a store error in the middle of a batch
// leaves the vertices it committed).
// First finishes, one after the other at their own times, the `partial` batches an earlier run
// left partly applied (CloseAbandonedBatches), replaying what they committed.
// REQUIRES: the job is set up in `store` (views built), outside a transaction.
void LoadWithWorkers(Job& job, JobStore& store, const RunConfig& run, const RunOptions& options,
                     ProgressBar& progress, RunSummary& summary,
                     const std::vector<JournalEntry>& partial = {});

}  // namespace zload
