#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "coordinator/frontier.h"
#include "loader/job_config.h"

namespace zload {

// How a worker process applies its batches.
struct WorkerOptions {
  // false: a batch is one transaction; true: a commit after each delay vertex and view table.
  bool flush_every_set = false;
  FrontierWait wait;  // how long and how often to wait for a table's last_update
  // Test hooks that break the protocol on purpose, to show that it matters: apply without
  // waiting for the frontier, and sleep before applying batch `delay_batch`.
  bool skip_frontier_wait = false;
  std::optional<int64_t> delay_batch;
  int64_t delay_ms = 0;
  // Fault injection for tests: called at named points of batch `batch` ("after-parse",
  // "after-vertex-commit" (flush_every_set), "before-commit" and "after-commit" of the batch's
  // last transaction); it may end the process.
  std::function<void(const std::string& point, int64_t batch)> fault;
};

// The worker side of `zload run --workers N`: opens the job's store (config.store_url), then
// serves the BatchOrders read line by line from `in` (loader/worker_messages.h) until `in`
// ends: parses the batch's byte range, waits until each table it reads has last_update >=
// frontier, reports the rows it rejects (BatchReady), and on the coordinator's go applies the
// batch, setting every table's last_update to the batch's time; reports each outcome on `out`.
// A failing batch is reported (BatchFailed) and rolled back; the worker goes on serving.
// Throws Error for a config or store that cannot be opened.
void ServeBatches(const JobConfig& config, const WorkerOptions& options, std::istream& in,
                  std::ostream& out);

}  // namespace zload
