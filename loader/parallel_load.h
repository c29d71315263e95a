#pragma once

#include <chrono>
#include <string>

#include "loader/job.h"
#include "loader/job_runner.h"
#include "loader/progress.h"
#include "loader/run_summary.h"

namespace zload {

// Loads every source of `job` with config.run.workers worker processes (`zload worker`) under
// the time/frontier protocol: cuts each file into batches of whole records, gives each batch
// the next logical time, hands batches to idle workers, decides in batch order whether each
// may be applied (rejects, max_errors, abort), and records each file's load. The views end
// exactly as a serial run leaves them. Fills `summary` as it goes. Throws the first batch's
// error in batch order, after every earlier batch has been applied; nothing of a later batch
// is applied (with flush_every_set = false; with true, a store error in the middle of a batch
// leaves the vertices it committed).
// REQUIRES: the job is set up in `store` (views built), outside a transaction.
void LoadWithWorkers(Job& job, JobStore& store, const RunOptions& options, ProgressBar& progress,
                     RunSummary& summary);

}  // namespace zload
