#pragma once

// Runs a job with workers while the shared PostgreSQL cluster restarts under it: the recovery
// and streamed-load tests' way to cut every connection mid-job.
#include <chrono>
#include <string>
#include <thread>

#include "engine/error.h"
#include "tests/cli/cli_harness.h"
#include "tests/cli/recovery_harness.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/pg_query.h"

namespace zload::test {

// What RunWithServerRestart saw.
struct RestartedRun {
  CliResult run;
  bool restarted = false;  // the restart happened (batches 0..7 were done first)
};

// Runs `zload run job.toml -q --workers 2` in `dir` (its store at `url`) with batch 8 waiting
// 3 s before it applies, and restarts the shared cluster once batches 0..7 are done, so that the
// restart falls into that wait.
inline RestartedRun RunWithServerRestart(const ScratchDir& dir, const std::string& url) {
  RestartedRun out;
  std::thread job([&] {
    out.run = RunWithEnv(dir, "ZLOAD_TEST_DELAY_BATCH=8:3000", "run job.toml -q --workers 2");
  });
  for (int poll = 0; poll < 600 && !out.restarted; ++poll) {
    int64_t done = 0;
    try {
      PgReader db(url);
      for (const auto& [row, w] :
           db.Query("SELECT count(*) FROM zload_journal WHERE status = 'done'")) {
        done = row[0].as_integer();
      }
    } catch (const Error&) {
      // The job has not created its tables yet.
    }
    if (done >= 8) {
      PgCluster::Shared().Restart();
      out.restarted = true;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  job.join();
  return out;
}

}  // namespace zload::test
