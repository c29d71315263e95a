#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/time_source.h"
#include "coordinator/worker_pool.h"
#include "engine/error.h"
#include "loader/job.h"
#include "loader/job_runner.h"
#include "loader/progress.h"
#include "loader/reconnecting_store.h"
#include "loader/reject_writer.h"
#include "loader/run_summary.h"
#include "loader/source_cursor.h"
#include "loader/worker_messages.h"

namespace zload {

// The coordinator of a run with worker processes, as LoadWithWorkers (loader/parallel_load.h)
// describes it: hands batches out in order, decides each in batch order, and recovers from a
// worker's failure or death as [run] on_error says. Internal to loader/; one object per run.
// How batches are handed out and the run ends is in batch_coordinator.cc; how each batch's
// outcome is decided and recovered in batch_outcomes.cc.
class BatchCoordinator {
 public:
  // A run of `job` into `store` as `run` says, filling `summary`; `partial` are the batches an
  // earlier run left partly applied, finished first.
  BatchCoordinator(Job& job, JobStore& store, const RunConfig& run, const RunOptions& options,
                   ProgressBar& progress, RunSummary& summary,
                   const std::vector<JournalEntry>& partial);

  // Hands out every batch of the job to the workers and records the outcome; throws the
  // first failure in batch order.
  void Run();

 private:
  using Clock = std::chrono::steady_clock;

  // What this run did with one source's file: batches handed out and done, progress.
  struct SourceProgress {
    int64_t batches = 0;  // handed out
    int64_t batches_done = 0;
    bool progress_unsaved = false;  // rows applied since the registry last recorded them
    Clock::time_point started;      // when its file was registered
  };

  // One batch from hand-out to outcome.
  struct Batch {
    BatchOrder order;  // as handed out, to hand out again
    int64_t retries = 0;
    bool skipping = false;         // handed out again to be closed without being applied
    Clock::time_point handed_out;  // when its worker got it (last)
    bool timed_out = false;        // its worker was killed for holding it too long
    size_t worker = 0;
    std::optional<BatchReady> ready;
    bool decided = false;
    bool go = false;
    bool finished = false;
    bool closed = false;  // done: every table's last_update is at least its time
  };

  // Runs a batch an earlier run left partly applied again at its own time and frontier, on
  // worker 0, and waits for it: the worker replays what was committed and applies the rest.
  // Its rows were decided (and its rejects written) by that run.
  void FinishPartialBatch(const JournalEntry& e);

  // Hands out batches and handles reports until every batch has its outcome.
  void Loop();

  // Kills each worker that has held its batch longer than worker_timeout_s: a hung worker
  // never gums up the job, its end is handled as any worker's death (on_error).
  void KillHungWorkers();

  // Whether every batch before the failing or stopped one has its outcome.
  bool EarlierBatchesFinished() const;

  // Records in the file registry the rows applied so far of each file that has new ones (after
  // handing out batches, so that workers do not wait for it), at most every kProgressInterval:
  // it is for people watching (a resume counts from the journal), and each record is a write
  // that waits for the store's write lock on SQLite.
  void SaveProgress();

  // Whether the batch before batch `id` of this run is done: its time, batch `id`'s frontier,
  // is closed in the store.
  bool FrontierClosed(int64_t id) const;

  // Cuts the batch after the one taken ahead while every worker is busy, so that taking it
  // does not scan for it.
  void Precut();

  // Starts a registered file's progress and time.
  void Registered(size_t source);

  // Gives the next batch to an idle worker; false when there is none left.
  bool HandOut();

  // The next range as an order with its time, recorded in the journal as taken (the id and
  // whether its frontier is closed are set when it is handed out); nullopt when none is left.
  std::optional<BatchOrder> TakeNext();

  // Takes the next batch while every worker is busy, so that the next hand-out only sends it:
  // its cut, its time and its journal entry are not waited for by an idle worker. A failure is
  // kept for that hand-out to report, so that the batches in flight end first.
  void TakeAhead();

  // Records a batch taken ahead that no worker got (the run stopped first) as not applied.
  void DropAhead();

  // Runs batch `id` again after its worker failed (or died, `dead`) on it, as [run] on_error
  // says: the same order again up to max_retries times, then (skip) an order to close its
  // time without applying it. False when the batch must fail instead.
  bool Recover(int64_t id, size_t worker, const Error& error, bool dead);

  // Whether some table holds `time`: a batch committing per delay vertex got that far.
  bool PartlyApplied(int64_t time);

  // The journal entry of batch `id` when a worker committed it (status "done").
  std::optional<JournalEntry> AppliedAlready(int64_t id);

  // Ends batch `id` as failed: journal, failure, worker free.
  void GiveUp(int64_t id, const Error& error);

  // Writes the rows of a skipped batch to the reject file with the reason.
  void RejectSkippedRows(int64_t id);

  void Handle(size_t worker, const WorkerReport& report);

  // Decides, in batch order, each batch whose rejects are known: go, or stop at the first bad
  // row (abort) or past max_errors (reject).
  void Decide();

  // Records the failure of batch `id` (the earliest one counts) and stops handing out batches.
  void Fail(int64_t id, Error error);

  // Records the outcome of batch `id` that no worker recorded.
  void Journal(int64_t id, const std::string& status, const std::string& error);

  // The next logical time; a PostgreSQL time source whose connection was lost (a server
  // restarting) connects again, with back-off, before the error passes through.
  int64_t NextTime();

  // Records each file's load as complete or interrupted and ends the summary. A load is
  // recorded complete only in a transaction that finds every batch this run saw done in the
  // journal (LostBatches), so that its commit, which waits for the disk, makes them durable;
  // a server that crashed and lost some fails the run instead, the files interrupted.
  void Close();

  // The times of the batches this run saw done (or skipped) that `store`'s journal lacks: a
  // PostgreSQL batch commits without waiting for the disk (JobStore::SetLastUpdates), so a
  // server that crashes can lose the last ones.
  std::vector<int64_t> LostBatches(JobStore& store) const;
  // The error of a run whose store lost the batches at times `lost` (ascending, not empty).
  static Error LostBatchesError(const std::vector<int64_t>& lost);
  // Throws LostBatchesError when the store, once reachable, lacks batches this run saw done;
  // until it could look, FrontierClosed says no.
  void RequireNoLostBatches();
  // Whether the store was found whole since the last transient failure and on db_'s current
  // connection.
  bool StoreChecked() const { return checked_at_reconnects_ == db_.reconnects(); }

  Job& job_;
  JobStore& store_;
  const RunOptions& options_;
  ProgressBar& progress_;
  RunSummary& summary_;
  const RunConfig run_;
  const std::vector<JournalEntry> partial_;
  RejectWriter rejects_;
  ReconnectingStore db_;  // the coordinator's connection, reconnected when the store restarted
  const bool postgres_;   // a PostgreSQL store (its sequence gives times), else SQLite (this host)
  SourceCursor cursor_;
  std::vector<SourceProgress> progress_of_;  // by source
  Clock::time_point progress_saved_;         // when SaveProgress last wrote
  std::optional<BatchOrder> ahead_;          // taken ahead, not yet handed out (see TakeAhead)
  std::exception_ptr ahead_error_;           // why taking ahead failed, for the next hand-out
  std::unique_ptr<TimeSource> time_;
  int64_t last_time_ = 0;
  std::unique_ptr<WorkerPool> pool_;
  std::vector<size_t> idle_;
  std::map<size_t, int64_t> worker_batch_;  // worker -> batch it holds
  std::vector<Batch> batches_;
  size_t decided_ = 0;
  int64_t next_id_ = 0;
  int64_t in_flight_ = 0;
  size_t dead_workers_ = 0;
  bool stopping_ = false;
  int64_t stop_at_ = 0;
  std::optional<Error> failure_;
  // db_'s reconnections when the store was last found to hold every batch seen done; -1 from a
  // transient failure until it is found so again.
  int64_t checked_at_reconnects_ = 0;
  std::map<int64_t, Error> skip_reasons_;  // batch -> why it was skipped
};

}  // namespace zload
