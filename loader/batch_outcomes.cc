#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <variant>

#include "engine/error.h"
#include "loader/batch_coordinator.h"
#include "loader/row_reader.h"
#include "loader/transient_retry.h"

// How BatchCoordinator decides each batch's outcome in batch order and recovers from a
// worker's failure or death.
namespace zload {

// Runs a batch an earlier run left partly applied again at its own time and frontier, on
// worker 0, and waits for it: the worker replays what was committed and applies the rest.
// Its rows were decided (and its rejects written) by that run.
void BatchCoordinator::FinishPartialBatch(const JournalEntry& e) {
  const SourceCursor::Cut cut = cursor_.Recut(e, store_.FileLoads());
  const size_t index = cut.source;
  BatchOrder order;
  order.id = -1 - static_cast<int64_t>(&e - partial_.data());
  order.source = index;
  order.file = cursor_.source(index).file;
  order.header = cut.header;
  order.begin = cut.range.begin;
  order.end = cut.range.end;
  order.first_line = cut.range.first_line;
  order.time = e.time;
  order.frontier = e.frontier;
  order.load_id = e.load_id;
  order.first_record = e.first_record;
  order.records = e.records;
  pool_->Send(0, EncodeOrder(order));
  while (true) {
    WorkerPool::Message m = pool_->Receive();
    if (!m.line) {
      throw Error(ErrorCode::kWorkerDied,
                  fmt::format("worker {} exited with status {} while finishing the batch at "
                              "time {}",
                              m.worker + 1, m.exit_code, e.time));
    }
    WorkerReport report = DecodeReport(*m.line);
    if (std::holds_alternative<BatchReady>(report)) {
      pool_->Send(0, EncodeOrder(BatchDecision{order.id, true}));
    } else if (const auto* done = std::get_if<BatchDone>(&report)) {
      SourceSummary& out = summary_.sources[index];
      out.rows_read += done->rows;
      out.inserts += done->inserts;
      out.deletes += done->deletes;
      ++summary_.batches;
      return;
    } else if (const auto* failed = std::get_if<BatchFailed>(&report)) {
      throw failed->error;
    } else {
      throw Error(ErrorCode::kInternal, "a partly applied batch was stopped");
    }
  }
}

// Runs batch `id` again after its worker failed (or died, `dead`) on it, as [run] on_error
// says: the same order again up to max_retries times, then (skip) an order to close its
// time without applying it. False when the batch must fail instead.
bool BatchCoordinator::Recover(int64_t id, size_t worker, const Error& error, bool dead) {
  Batch& b = batches_.at(static_cast<size_t>(id));
  // A transient store error (a lost connection, busy past its timeout) is retried under any
  // policy; the policy decides for other errors and for retries used up.
  const bool transient = IsTransient(error);
  if (transient) RequireNoLostBatches();
  if ((run_.on_error == ErrorPolicy::kAbort && !transient) || b.skipping) return false;
  if (stopping_ && id > stop_at_) return false;
  BatchOrder order = b.order;
  if (b.retries < run_.max_retries) {
    ++b.retries;
  } else if (run_.on_error == ErrorPolicy::kSkip && !PartlyApplied(b.order.time)) {
    b.skipping = true;
    order.skip = fmt::format("skipped after {} retries: {}", b.retries, error.what());
    skip_reasons_.insert_or_assign(id, error);
  } else {
    return false;
  }
  if (IsTransient(error)) {
    // A store restarting or a connection lost: give it time before the batch runs again
    // (0.5 s, doubling with each retry).
    std::this_thread::sleep_for(std::chrono::milliseconds(500) *
                                (1 << std::min<int64_t>(b.retries - 1, 5)));
  }
  if (dead) pool_->Restart(worker);
  b.handed_out = Clock::now();
  b.timed_out = false;
  order.frontier_closed = FrontierClosed(id);
  pool_->Send(worker, EncodeOrder(order));
  if (b.skipping) Decide();
  return true;
}

// A transient error can be a server that crashed and lost the last batches this run saw done.
// Until the store is read again, no worker is told that a frontier is closed (each waits for
// the tables' own last_update), so no batch goes in on top of a lost one.
void BatchCoordinator::RequireNoLostBatches() {
  checked_at_reconnects_ = -1;
  std::vector<int64_t> lost;
  try {
    lost = db_([&](JobStore& st) { return LostBatches(st); });
  } catch (const Error& e) {
    if (!IsTransient(e)) throw;
    return;  // not back yet: looked at again at the next hand-out or failure
  }
  if (!lost.empty()) throw LostBatchesError(lost);
  checked_at_reconnects_ = db_.reconnects();
}

// Whether some table holds `time`: a batch committing per delay vertex got that far.
bool BatchCoordinator::PartlyApplied(int64_t time) {
  for (const auto& [table, t] : db_([](JobStore& st) { return st.LastUpdates(); })) {
    if (t == time) return true;
  }
  return false;
}

// The journal entry of batch `id` when a worker committed it (status "done").
std::optional<JournalEntry> BatchCoordinator::AppliedAlready(int64_t id) {
  const int64_t time = batches_.at(static_cast<size_t>(id)).order.time;
  for (const JournalEntry& e : db_([](JobStore& st) { return st.Journal(); })) {
    if (e.time == time && (e.status == "done" || e.status == "skipped")) return e;
  }
  return std::nullopt;
}

// Ends batch `id` as failed: journal, failure, worker free.
void BatchCoordinator::GiveUp(int64_t id, const Error& error) {
  Batch& b = batches_.at(static_cast<size_t>(id));
  Journal(id, "failed", error.what());
  const bool retried = b.retries > 0 && run_.on_error != ErrorPolicy::kAbort;
  Fail(id, retried ? Error(error.code(),
                           fmt::format("{} (after {} retries)", error.message(), b.retries),
                           error.context())
                   : error);
  b.finished = true;
  --in_flight_;
}

// Writes the rows of a skipped batch to the reject file with the reason.
void BatchCoordinator::RejectSkippedRows(int64_t id) {
  const Batch& b = batches_.at(static_cast<size_t>(id));
  const CutSource& s = cursor_.source(b.order.source);
  std::unique_ptr<RowReader> reader =
      OpenRowReaderAt(*s.source->config, s.source->schema, b.order.begin, b.order.first_line,
                      b.order.header, b.order.end, s.file);
  const Error& reason = skip_reasons_.at(id);
  InputRow row;
  std::optional<Error> error;
  SourceSummary& out = summary_.sources[b.order.source];
  while (reader->Next(row, error) != ReadStatus::kEnd) {
    Error why(reason.code(), "batch skipped: " + reason.message(),
              {.file = s.source->config->file, .line = row.line, .time = b.order.time});
    rejects_.Reject(s.source->config->name, b.order.header, row, why);
    ++out.rejected;
    ++summary_.rejected;
    row = InputRow{};
    error.reset();
  }
}

void BatchCoordinator::Handle(size_t worker, const WorkerReport& report) {
  if (const auto* ready = std::get_if<BatchReady>(&report)) {
    Batch& b = batches_.at(static_cast<size_t>(ready->id));
    if (b.decided) {
      // Run again after a failure: the decision stands, its rejects are already written.
      pool_->Send(worker, EncodeOrder(BatchDecision{ready->id, b.go, FrontierClosed(ready->id)}));
      return;
    }
    b.ready = *ready;
    Decide();
    return;
  }
  int64_t id = std::visit([](const auto& r) { return r.id; }, report);
  Batch& b = batches_.at(static_cast<size_t>(id));
  if (const auto* failed = std::get_if<BatchFailed>(&report)) {
    if (Recover(id, worker, failed->error, false)) return;
    GiveUp(id, failed->error);
    worker_batch_.erase(worker);
    idle_.push_back(worker);
    return;
  }
  b.finished = true;
  --in_flight_;
  worker_batch_.erase(worker);
  idle_.push_back(worker);
  if (const auto* done = std::get_if<BatchDone>(&report)) {
    b.closed = true;
    SourceSummary& out = summary_.sources[b.order.source];
    out.rows_read += done->rows;
    out.inserts += done->inserts;
    out.deletes += done->deletes;
    out.bytes = std::max<uint64_t>(out.bytes, b.order.end);
    for (size_t i = 0; i < done->view_changes.size() && i < summary_.views.size(); ++i) {
      summary_.views[i].changes += done->view_changes[i];
    }
    for (size_t i = 0; i < done->view_seconds.size() && i < summary_.views.size(); ++i) {
      summary_.views[i].seconds += done->view_seconds[i];
    }
    ++summary_.batches;
    ++progress_of_[b.order.source].batches_done;
    if (b.skipping) RejectSkippedRows(id);
    progress_of_[b.order.source].progress_unsaved = true;
    progress_.Update(out.rows_read, out.bytes);
    if (options_.fault) options_.fault("after-done", id);
  }
}

// Decides, in batch order, each batch whose rejects are known: go, or stop at the first bad
// row (abort) or past max_errors (reject).
void BatchCoordinator::Decide() {
  while (decided_ < batches_.size() && (batches_[decided_].ready || batches_[decided_].skipping)) {
    Batch& b = batches_[decided_];
    const int64_t id = static_cast<int64_t>(decided_);
    ++decided_;
    b.decided = true;
    if (b.skipping) continue;  // closed without being applied: nothing to decide
    b.go = !stopping_ || id < stop_at_;
    if (b.go) {
      const Job::Source& source = *cursor_.source(b.order.source).source;
      SourceSummary& out = summary_.sources[b.order.source];
      for (const RejectedRow& r : b.ready->rejects) {
        if (run_.on_bad_row == BadRowPolicy::kAbort) {
          Fail(id, r.error);
          b.go = false;
          break;
        }
        rejects_.Reject(source.config->name, b.order.header, r.row, r.error);
        ++out.rejected;
        ++summary_.rejected;
        if (rejects_.count() > run_.max_errors) {
          Fail(id, Error(ErrorCode::kParse,
                         fmt::format("stopping: {} rows rejected, more than max_errors = {} "
                                     "(see {})",
                                     rejects_.count(), run_.max_errors, rejects_.path()),
                         r.error.context()));
          b.go = false;
          break;
        }
      }
    }
    pool_->Send(b.worker, EncodeOrder(BatchDecision{id, b.go, FrontierClosed(id)}));
  }
}

// Records the failure of batch `id` (the earliest one counts) and stops handing out batches.
void BatchCoordinator::Fail(int64_t id, Error error) {
  if (!failure_ || id < stop_at_) {
    failure_ = std::move(error);
    stop_at_ = id;
  }
  stopping_ = true;
}

// Records the outcome of batch `id` that no worker recorded.
void BatchCoordinator::Journal(int64_t id, const std::string& status, const std::string& error) {
  const Batch& b = batches_.at(static_cast<size_t>(id));
  try {
    db_([&](JobStore& st) {
      st.PutJournalEntry(
          {b.order.time, b.order.load_id, b.order.first_record, b.order.records, status, 0, error});
    });
  } catch (const Error&) {
    // The journal keeps "taken": a resume treats the batch as not applied either way.
  }
}

}  // namespace zload
