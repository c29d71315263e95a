#include "loader/commit_group.h"

#include <algorithm>
#include <exception>

namespace zload {
namespace {

// Copies the counts of what was applied (not times or sizes) from `from` to `to`.
void RestoreCounts(const RunSummary& from, RunSummary& to) {
  to.batches = from.batches;
  to.rejected = from.rejected;
  for (size_t i = 0; i < to.sources.size() && i < from.sources.size(); ++i) {
    to.sources[i].rows_read = from.sources[i].rows_read;
    to.sources[i].inserts = from.sources[i].inserts;
    to.sources[i].deletes = from.sources[i].deletes;
    to.sources[i].rejected = from.sources[i].rejected;
  }
  for (size_t i = 0; i < to.views.size() && i < from.views.size(); ++i) {
    to.views[i].changes = from.views[i].changes;
  }
}

}  // namespace

CommitGroup::CommitGroup(JobStore& store, RejectWriter& rejects, RunSummary& summary,
                         std::chrono::milliseconds interval)
    : store_(store),
      rejects_(rejects),
      summary_(summary),
      interval_(interval),
      committed_(summary) {
  rejects_.Hold();
}

CommitGroup::~CommitGroup() {
  if (!open_) return;
  try {
    Rollback();
  } catch (const std::exception&) {
    // Closing the store's connection rolls back whatever is left.
  }
}

void CommitGroup::BeginBatch() {
  if (open_) return;
  store_.Begin();
  open_ = true;
  opened_at_ = Clock::now();
}

void CommitGroup::EndBatch() {
  if (open_ && Clock::now() - opened_at_ >= interval_) Commit();
}

void CommitGroup::Commit() {
  if (!open_) {
    rejects_.Flush();
    committed_ = summary_;
    return;
  }
  try {
    rejects_.Flush();
    store_.Commit();
  } catch (...) {
    Rollback();
    throw;
  }
  open_ = false;
  committed_ = summary_;
}

void CommitGroup::Rollback() {
  rejects_.Discard();
  RestoreCounts(committed_, summary_);
  if (!open_) return;
  open_ = false;
  store_.Rollback();
}

}  // namespace zload
