#pragma once

#include <chrono>

#include "loader/reject_writer.h"
#include "loader/run_summary.h"
#include "stores/job_store.h"

namespace zload {

// Groups the consecutive batches of a run without workers into store transactions: a group
// commits once it has been open for `interval` (after every batch when it is zero), so the
// state and view pages that several batches touch are written once. Nothing reported runs
// ahead of the store: rejects are held until their group commits, and a rollback returns the
// summary's counts and the held rejects to the last commit.
class CommitGroup {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: the store, the reject writer and the summary outlive the group.
  CommitGroup(JobStore& store, RejectWriter& rejects, RunSummary& summary,
              std::chrono::milliseconds interval);
  // Rolls back a group left open (its batches were never reported as committed).
  ~CommitGroup();
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  // Makes the next batch's writes part of the open group, opening one when none is.
  void BeginBatch();
  // Marks the batch since BeginBatch() as applied; commits the group when it is due.
  void EndBatch();
  // Commits the open group, if any: its held rejects are written first, so none is lost.
  // On failure the group is rolled back (see Rollback) and the error rethrown.
  void Commit();
  // Undoes every batch of the open group, if any: in the store, the held rejects and the
  // summary's counts.
  void Rollback();
  // Whether a group is open.
  bool open() const { return open_; }

 private:
  JobStore& store_;
  RejectWriter& rejects_;
  RunSummary& summary_;
  std::chrono::milliseconds interval_;
  bool open_ = false;
  Clock::time_point opened_at_;
  RunSummary committed_;  // the summary's counts as of the last commit
};

}  // namespace zload
