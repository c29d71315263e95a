#include "loader/parallel_load.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "coordinator/time_source.h"
#include "coordinator/worker_pool.h"
#include "engine/error.h"
#include "loader/elapsed.h"
#include "loader/file_registration.h"
#include "loader/frontier_plan.h"
#include "loader/job_config.h"
#include "loader/postgres_link.h"
#include "loader/reconnecting_store.h"
#include "loader/reject_writer.h"
#include "loader/row_reader.h"
#include "loader/source_cursor.h"
#include "loader/transient_retry.h"
#include "loader/worker_messages.h"

namespace zload {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kProgressInterval = std::chrono::milliseconds(250);  // see SaveProgress

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

class Coordinator {
 public:
  Coordinator(Job& job, JobStore& store, const RunConfig& run, const RunOptions& options,
              ProgressBar& progress, RunSummary& summary, const std::vector<JournalEntry>& partial)
      : job_(job),
        store_(store),
        options_(options),
        progress_(progress),
        summary_(summary),
        run_(run),
        partial_(partial),
        rejects_(run_.reject_file, options.resume),
        db_(store, job.config().store_url),
        postgres_(IsPostgresUrl(job.config().store_url)),
        cursor_(job, options, run_.batch_rows, db_, [this](size_t i) { Registered(i); }),
        progress_of_(cursor_.size()) {}

  void Run() {
    const JobConfig& config = job_.config();
    summary_.workers = run_.workers;
    summary_.flush_every_set = run_.flush_every_set;

    std::string binary = options_.worker_binary.empty() ? "/proc/self/exe" : options_.worker_binary;
    std::vector<std::string> argv = {binary,
                                     "worker",
                                     config.path,
                                     "--store",
                                     config.store_url,
                                     "--max-sleep-ms",
                                     std::to_string(run_.max_sleep_ms),
                                     "--frontier-timeout-s",
                                     std::to_string(run_.frontier_timeout_s)};
    if (run_.flush_every_set) argv.push_back("--flush-every-set");
    argv.push_back("--coordinator-pid");
    argv.push_back(std::to_string(getpid()));
    // The workers commit without copying the write-ahead log into the database: this process
    // does it in the background (SQLite), so that no batch waits for it.
    store_.LeaveCheckpoints();
    const std::unique_ptr<BackgroundWork> checkpoints = store_.CheckpointInBackground();
    pool_ = std::make_unique<WorkerPool>(argv, static_cast<size_t>(run_.workers));
    for (size_t w = 0; w < pool_->size(); ++w) idle_.push_back(w);
    try {
      for (const JournalEntry& e : partial_) FinishPartialBatch(e);
    } catch (...) {
      pool_->Kill();
      throw;
    }
    const FrontierPlan plan = MakeFrontierPlan(job_);
    // Every table starts at the store's latest time, so the first batch's frontier holds.
    const int64_t start = LatestTime(store_);
    store_.Begin();
    try {
      store_.SetLastUpdates(plan.all, start);
      store_.Commit();
    } catch (...) {
      store_.Rollback();
      throw;
    }
    const std::string job_id = fmt::format(
        "{:016x}-{}", XXH3_64bits(config.store_url.data(), config.store_url.size()), getpid());
    if (postgres_) {
      time_ = OpenPostgresTimeSource(config.store_url, start);
    } else {
      time_ = SharedMemoryTimeSource::Create(job_id, start);
    }
    last_time_ = start;

    try {
      Loop();
    } catch (...) {
      pool_->Kill();
      Close();
      throw;
    }
    if (failure_) {
      // Batches after the failing one wait for its time, which never comes: none has been told
      // to apply, so stopping them loses nothing.
      pool_->Kill();
    } else {
      pool_->Finish();
    }
    Close();
    if (failure_) throw *failure_;
  }

 private:
  // Runs a batch an earlier run left partly applied again at its own time and frontier, on
  // worker 0, and waits for it: the worker replays what was committed and applies the rest.
  // Its rows were decided (and its rejects written) by that run.
  void FinishPartialBatch(const JournalEntry& e) {
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

  // Hands out batches and handles reports until every batch has its outcome.
  void Loop() {
    while (true) {
      while (!stopping_ && !idle_.empty() && HandOut()) {
      }
      TakeAhead();
      SaveProgress();
      Precut();
      if (in_flight_ == 0) break;
      if (stopping_ && EarlierBatchesFinished()) break;
      std::optional<WorkerPool::Message> next = pool_->Receive(std::chrono::seconds(1));
      if (!next) {
        KillHungWorkers();
        continue;
      }
      WorkerPool::Message& m = *next;
      if (!m.line) {
        auto it = worker_batch_.find(m.worker);
        if (it != worker_batch_.end()) {
          const int64_t id = it->second;
          Error died(ErrorCode::kWorkerDied,
                     fmt::format("worker {} exited with status {} while applying batch {}",
                                 m.worker + 1, m.exit_code, id + 1));
          if (std::optional<JournalEntry> done = AppliedAlready(id)) {
            // It died after its commit: the batch is in the store, only the report was lost.
            pool_->Restart(m.worker);
            Handle(m.worker, BatchDone{id,
                                       done->rows,
                                       done->inserts,
                                       done->deletes,
                                       std::vector<int64_t>(summary_.views.size(), 0),
                                       {}});
            continue;
          }
          if (Recover(id, m.worker, died, true)) continue;
          ++dead_workers_;
          GiveUp(id, died);
          worker_batch_.erase(it);
        } else if (!stopping_) {
          ++dead_workers_;
          Fail(next_id_,
               Error(ErrorCode::kWorkerDied,
                     fmt::format("worker {} exited with status {}", m.worker + 1, m.exit_code)));
        }
        if (dead_workers_ == pool_->size() && in_flight_ > 0) break;
        continue;
      }
      Handle(m.worker, DecodeReport(*m.line));
      progress_.SetDetail(fmt::format("{}/{} workers busy", in_flight_, pool_->size()));
    }
  }

  // Kills each worker that has held its batch longer than worker_timeout_s: a hung worker
  // never gums up the job, its end is handled as any worker's death (on_error).
  void KillHungWorkers() {
    const auto limit = std::chrono::seconds(run_.worker_timeout_s);
    for (const auto& [worker, id] : worker_batch_) {
      Batch& b = batches_.at(static_cast<size_t>(id));
      if (Clock::now() - b.handed_out > limit && !b.timed_out) {
        b.timed_out = true;
        pool_->KillOne(worker);
      }
    }
  }

  // Whether every batch before the failing or stopped one has its outcome.
  bool EarlierBatchesFinished() const {
    for (int64_t id = 0; id < stop_at_ && id < next_id_; ++id) {
      const Batch& b = batches_[static_cast<size_t>(id)];
      if (!b.finished) return false;
    }
    return true;
  }

  // Records in the file registry the rows applied so far of each file that has new ones (after
  // handing out batches, so that workers do not wait for it), at most every kProgressInterval:
  // it is for people watching (a resume counts from the journal), and each record is a write
  // that waits for the store's write lock on SQLite.
  void SaveProgress() {
    const auto now = Clock::now();
    if (now - progress_saved_ < kProgressInterval) return;
    progress_saved_ = now;
    for (size_t i = 0; i < progress_of_.size(); ++i) {
      if (!progress_of_[i].progress_unsaved) continue;
      progress_of_[i].progress_unsaved = false;
      const CutSource& s = cursor_.source(i);
      const int64_t rows = s.rows_before + summary_.sources[i].rows_read;
      db_([&](JobStore& st) { st.UpdateFileLoad(s.load_id, rows, "loading"); });
    }
  }

  // Whether the batch before batch `id` of this run is done: its time, batch `id`'s frontier,
  // is closed in the store.
  bool FrontierClosed(int64_t id) const {
    return id > 0 && static_cast<size_t>(id) <= batches_.size() &&
           batches_[static_cast<size_t>(id - 1)].closed;
  }

  // Cuts the batch after the one taken ahead while every worker is busy, so that taking it
  // does not scan for it.
  void Precut() {
    if (!stopping_ && idle_.empty()) cursor_.CutAhead();
  }

  // Starts a registered file's progress and time.
  void Registered(size_t source) {
    progress_of_[source].started = Clock::now();
    progress_.Start(
        fmt::format("{} ({} workers)", cursor_.source(source).source->config->name, pool_->size()),
        cursor_.source(source).total_bytes);
  }

  // Gives the next batch to an idle worker; false when there is none left.
  bool HandOut() {
    if (ahead_error_) std::rethrow_exception(std::exchange(ahead_error_, nullptr));
    std::optional<BatchOrder> next = std::exchange(ahead_, std::nullopt);
    if (!next) next = TakeNext();
    if (!next) return false;
    BatchOrder& order = *next;
    order.id = next_id_++;
    order.frontier_closed = FrontierClosed(order.id);
    size_t worker = idle_.back();
    idle_.pop_back();
    Batch batch;
    batch.order = order;
    batch.handed_out = Clock::now();
    batch.worker = worker;
    batches_.push_back(std::move(batch));
    worker_batch_[worker] = order.id;
    ++in_flight_;
    pool_->Send(worker, EncodeOrder(order));
    if (options_.fault) options_.fault("after-handout", order.id);
    return true;
  }

  // The next range as an order with its time, recorded in the journal as taken (the id and
  // whether its frontier is closed are set when it is handed out); nullopt when none is left.
  std::optional<BatchOrder> TakeNext() {
    std::optional<SourceCursor::Cut> cut = cursor_.Next();
    if (!cut) return std::nullopt;
    const CutSource& s = cursor_.source(cut->source);
    BatchOrder order;
    order.source = cut->source;
    order.file = s.file;
    order.header = std::move(cut->header);
    order.begin = cut->range.begin;
    order.end = cut->range.end;
    order.first_line = cut->range.first_line;
    order.time = NextTime();
    order.frontier = last_time_;
    order.load_id = s.load_id;
    order.first_record = cut->first_record;
    order.records = cut->range.records;
    last_time_ = order.time;
    db_([&](JobStore& st) {
      st.PutJournalEntry({order.time, order.load_id, order.first_record, order.records, "taken", 0,
                          "", 0, 0, order.frontier});
    });
    ++progress_of_[cut->source].batches;
    return order;
  }

  // Takes the next batch while every worker is busy, so that the next hand-out only sends it:
  // its cut, its time and its journal entry are not waited for by an idle worker. A failure is
  // kept for that hand-out to report, so that the batches in flight end first.
  void TakeAhead() {
    if (stopping_ || !idle_.empty() || ahead_ || ahead_error_) return;
    try {
      ahead_ = TakeNext();
    } catch (const Error&) {
      ahead_error_ = std::current_exception();
    }
  }

  // Records a batch taken ahead that no worker got (the run stopped first) as not applied.
  void DropAhead() {
    if (!ahead_) return;
    const BatchOrder& order = *ahead_;
    try {
      db_([&](JobStore& st) {
        st.PutJournalEntry({order.time, order.load_id, order.first_record, order.records, "failed",
                            0, "not applied: the run stopped first", 0, 0, order.frontier});
      });
    } catch (const Error&) {
      // The journal keeps "taken": the next run records it as not applied.
    }
    ahead_.reset();
  }

  // Runs batch `id` again after its worker failed (or died, `dead`) on it, as [run] on_error
  // says: the same order again up to max_retries times, then (skip) an order to close its
  // time without applying it. False when the batch must fail instead.
  bool Recover(int64_t id, size_t worker, const Error& error, bool dead) {
    Batch& b = batches_.at(static_cast<size_t>(id));
    // A transient store error (a lost connection, busy past its timeout) is retried under any
    // policy; the policy decides for other errors and for retries used up.
    const bool transient = IsTransient(error);
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

  // Whether some table holds `time`: a batch committing per delay vertex got that far.
  bool PartlyApplied(int64_t time) {
    for (const auto& [table, t] : db_([](JobStore& st) { return st.LastUpdates(); })) {
      if (t == time) return true;
    }
    return false;
  }

  // The journal entry of batch `id` when a worker committed it (status "done").
  std::optional<JournalEntry> AppliedAlready(int64_t id) {
    const int64_t time = batches_.at(static_cast<size_t>(id)).order.time;
    for (const JournalEntry& e : db_([](JobStore& st) { return st.Journal(); })) {
      if (e.time == time && (e.status == "done" || e.status == "skipped")) return e;
    }
    return std::nullopt;
  }

  // Ends batch `id` as failed: journal, failure, worker free.
  void GiveUp(int64_t id, const Error& error) {
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
  void RejectSkippedRows(int64_t id) {
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

  void Handle(size_t worker, const WorkerReport& report) {
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
  void Decide() {
    while (decided_ < batches_.size() &&
           (batches_[decided_].ready || batches_[decided_].skipping)) {
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
  void Fail(int64_t id, Error error) {
    if (!failure_ || id < stop_at_) {
      failure_ = std::move(error);
      stop_at_ = id;
    }
    stopping_ = true;
  }

  // Records the outcome of batch `id` that no worker recorded.
  void Journal(int64_t id, const std::string& status, const std::string& error) {
    const Batch& b = batches_.at(static_cast<size_t>(id));
    try {
      db_([&](JobStore& st) {
        st.PutJournalEntry({b.order.time, b.order.load_id, b.order.first_record, b.order.records,
                            status, 0, error});
      });
    } catch (const Error&) {
      // The journal keeps "taken": a resume treats the batch as not applied either way.
    }
  }

  // The next logical time; a PostgreSQL time source whose connection was lost (a server
  // restarting) connects again, with back-off, before the error passes through.
  int64_t NextTime() {
    if (!postgres_) return time_->Next();
    return RetryTransient(
        [&] { return time_->Next(); },
        [&] { time_ = OpenPostgresTimeSource(job_.config().store_url, last_time_); });
  }

  // Records each file's load as complete or interrupted and ends the summary.
  void Close() {
    DropAhead();
    for (size_t i = 0; i < cursor_.size(); ++i) {
      const CutSource& s = cursor_.source(i);
      if (!s.registered) continue;
      // A file all of whose batches were applied is complete, even when another file's batch
      // failed (the serial run records it so).
      const SourceProgress& p = progress_of_[i];
      bool complete = s.cut_all && p.batches_done == p.batches;
      try {
        db_([&](JobStore& st) {
          st.UpdateFileLoad(s.load_id, s.rows_before + summary_.sources[i].rows_read,
                            complete ? "complete" : "interrupted");
        });
      } catch (const Error&) {
        if (!failure_) throw;
      }
      summary_.sources[i].seconds = SecondsSince(p.started);
    }
    progress_.Finish();
  }

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
  std::map<int64_t, Error> skip_reasons_;  // batch -> why it was skipped
};

}  // namespace

void LoadWithWorkers(Job& job, JobStore& store, const RunConfig& run, const RunOptions& options,
                     ProgressBar& progress, RunSummary& summary,
                     const std::vector<JournalEntry>& partial) {
  Coordinator(job, store, run, options, progress, summary, partial).Run();
}

}  // namespace zload
