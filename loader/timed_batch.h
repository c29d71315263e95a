#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/iteration.h"
#include "engine/zset.h"
#include "loader/frontier_plan.h"
#include "loader/input_row.h"
#include "loader/job.h"
#include "loader/view_seconds.h"
#include "loader/worker.h"
#include "loader/worker_messages.h"
#include "stores/job_store.h"

namespace zload {

// One batch applied under the time/frontier protocol by one worker.
class TimedBatch {
 public:
  TimedBatch(Job& job, JobStore& store, const FrontierPlan& plan, const WorkerOptions& options,
             Job::Source& source, const BatchOrder& order)
      : job_(job),
        store_(store),
        plan_(plan),
        options_(options),
        source_(source),
        order_(order),
        frontier_closed_(order.frontier_closed),
        view_seconds_(job.graph(), job.ViewOutputs()) {}

  ~TimedBatch() {
    if (open_) store_.Rollback();
  }
  TimedBatch(const TimedBatch&) = delete;
  TimedBatch& operator=(const TimedBatch&) = delete;

  // Parses, waits for what the delta reads, builds the delta; returns the rejected rows.
  std::vector<RejectedRow> Prepare();

  // Told by the coordinator that the batch before this one is done: waits end at once.
  void FrontierClosed() { frontier_closed_ = true; }

  // Applies the prepared batch and advances every table's last_update to its time.
  BatchDone Apply();

  // Closes the batch's time without applying it: every table advances, the journal says why.
  BatchDone Skip(const std::string& reason);

 private:
  // Whether the batch's rows can go into its base table while it is parsed, before its frontier:
  // inserts only (no op column), no primary key, no view reading them, and a store whose other
  // writers do not wait on this open transaction. Nothing reads such a table's rows, so the
  // order in which batches write them does not change it; commits stay in batch order.
  bool CanStream() const;

  // Parses the batch straight into its base table in a transaction left open for Apply().
  std::vector<RejectedRow> Stream();

  // Ends a batch whose rows Stream() wrote: waits for the frontier, then advances every table
  // and commits (one commit, flush_every_set or not: the batch has no vertex work to flush).
  void FinishStreamed();

  // In the batch's one transaction: advances every table's last_update to the batch's time,
  // records the batch as done and commits.
  void CloseAndCommit();

  void Fault(const std::string& point);

  // Returns once every table of `tables` has last_update >= the frontier. One read of
  // last_update serves every table; only a table still behind is polled again.
  void Wait(const std::vector<std::string>& tables);

  SourceInputs Inputs() const;

  // The journal entry of the batch with `status` and its counts.
  JournalEntry Entry(const std::string& status) const;
  // The entry that records the batch as done, written in the transaction that finishes it.
  JournalEntry DoneEntry() const { return Entry("done"); }

  void Journal(const std::string& status) { store_.PutJournalEntry(Entry(status)); }

  // flush_every_set: the first commit of the batch also keeps its source delta and counts, so
  // that a run of the batch again reads them instead of the base table it has changed since.
  void FirstCommitExtras();

  void Insert();

  void WriteBaseTable();

  void RunViews(const std::vector<ZSet>& out, BatchDone& done);

  // flush_every_set: one transaction per delay vertex (with the base tables it reads last),
  // one per view table, and one for the rest. Each vertex's output is kept with its commit, so
  // that a run of the batch again (same time, after a failure) replays what was committed.
  void ApplyVertexByVertex(BatchDone& done);

  Job& job_;
  JobStore& store_;
  const FrontierPlan& plan_;
  const WorkerOptions& options_;
  Job::Source& source_;
  const BatchOrder& order_;
  bool frontier_closed_;  // the previous batch is done: every table has reached the frontier
  std::vector<InputRow> rows_;
  std::set<size_t> bad_;
  ZSet delta_;
  bool plain_ = false;
  bool open_ = false;         // Stream() wrote the rows in a transaction still open
  bool replayed_ = false;     // the source delta came from an earlier run of the batch
  bool kept_source_ = false;  // this run kept the source delta with its first commit
  int vertex_commits_ = 0;    // commits of delay vertices made by this run of the batch
  struct {
    int64_t rows = 0, inserts = 0, deletes = 0;
  } counts_;                  // good rows of the batch
  ViewSeconds view_seconds_;  // each view's share of the time spent applying the batch
};

}  // namespace zload
