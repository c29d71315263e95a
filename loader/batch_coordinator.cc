#include "loader/batch_coordinator.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "coordinator/time_source.h"
#include "engine/error.h"
#include "loader/elapsed.h"
#include "loader/file_registration.h"
#include "loader/frontier_plan.h"
#include "loader/job_config.h"
#include "loader/postgres_link.h"
#include "loader/transient_retry.h"

namespace zload {
namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(250);  // see SaveProgress

}  // namespace

BatchCoordinator::BatchCoordinator(Job& job, JobStore& store, const RunConfig& run,
                                   const RunOptions& options, ProgressBar& progress,
                                   RunSummary& summary, const std::vector<JournalEntry>& partial)
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

void BatchCoordinator::Run() {
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

// Hands out batches and handles reports until every batch has its outcome.
void BatchCoordinator::Loop() {
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
        Fail(next_id_, Error(ErrorCode::kWorkerDied, fmt::format("worker {} exited with status {}",
                                                                 m.worker + 1, m.exit_code)));
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
void BatchCoordinator::KillHungWorkers() {
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
bool BatchCoordinator::EarlierBatchesFinished() const {
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
void BatchCoordinator::SaveProgress() {
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
bool BatchCoordinator::FrontierClosed(int64_t id) const {
  // After a lost connection the store may lack batches seen closed (RequireNoLostBatches).
  if (!StoreChecked()) return false;
  return id > 0 && static_cast<size_t>(id) <= batches_.size() &&
         batches_[static_cast<size_t>(id - 1)].closed;
}

// Cuts the batch after the one taken ahead while every worker is busy, so that taking it
// does not scan for it.
void BatchCoordinator::Precut() {
  if (!stopping_ && idle_.empty()) cursor_.CutAhead();
}

// Starts a registered file's progress and time.
void BatchCoordinator::Registered(size_t source) {
  progress_of_[source].started = Clock::now();
  progress_.Start(
      fmt::format("{} ({} workers)", cursor_.source(source).source->config->name, pool_->size()),
      cursor_.source(source).total_bytes);
}

// Gives the next batch to an idle worker; false when there is none left.
bool BatchCoordinator::HandOut() {
  if (ahead_error_) std::rethrow_exception(std::exchange(ahead_error_, nullptr));
  std::optional<BatchOrder> next = std::exchange(ahead_, std::nullopt);
  if (!next) next = TakeNext();
  if (!next) return false;
  BatchOrder& order = *next;
  // A connection was lost (a batch's, or the coordinator's own, replaced) since the store was
  // last read for lost batches: read it now, so that frontiers are closed again from here on.
  if (!StoreChecked()) RequireNoLostBatches();
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
std::optional<BatchOrder> BatchCoordinator::TakeNext() {
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
void BatchCoordinator::TakeAhead() {
  if (stopping_ || !idle_.empty() || ahead_ || ahead_error_) return;
  try {
    ahead_ = TakeNext();
  } catch (const Error&) {
    ahead_error_ = std::current_exception();
  }
}

// Records a batch taken ahead that no worker got (the run stopped first) as not applied.
void BatchCoordinator::DropAhead() {
  if (!ahead_) return;
  const BatchOrder& order = *ahead_;
  try {
    db_([&](JobStore& st) {
      st.PutJournalEntry({order.time, order.load_id, order.first_record, order.records, "failed", 0,
                          "not applied: the run stopped first", 0, 0, order.frontier});
    });
  } catch (const Error&) {
    // The journal keeps "taken": the next run records it as not applied.
  }
  ahead_.reset();
}

// The next logical time; a PostgreSQL time source whose connection was lost (a server
// restarting) connects again, with back-off, before the error passes through.
int64_t BatchCoordinator::NextTime() {
  if (!postgres_) return time_->Next();
  return RetryTransient(
      [&] { return time_->Next(); },
      [&] { time_ = OpenPostgresTimeSource(job_.config().store_url, last_time_); });
}

// Records each file's load as complete or interrupted and ends the summary.
void BatchCoordinator::Close() {
  DropAhead();
  std::vector<int64_t> lost;
  try {
    db_([&](JobStore& st) {
      st.Begin();
      try {
        lost = LostBatches(st);
        for (size_t i = 0; i < cursor_.size(); ++i) {
          const CutSource& s = cursor_.source(i);
          if (!s.registered) continue;
          // A file all of whose batches were applied is complete, even when another file's
          // batch failed (the serial run records it so).
          const SourceProgress& p = progress_of_[i];
          const bool complete = s.cut_all && p.batches_done == p.batches && lost.empty();
          st.UpdateFileLoad(s.load_id, s.rows_before + summary_.sources[i].rows_read,
                            complete ? "complete" : "interrupted");
        }
        st.Commit();
      } catch (...) {
        st.Rollback();
        throw;
      }
    });
  } catch (const Error&) {
    if (!failure_) throw;
  }
  for (size_t i = 0; i < cursor_.size(); ++i) {
    if (cursor_.source(i).registered) {
      summary_.sources[i].seconds = SecondsSince(progress_of_[i].started);
    }
  }
  if (!lost.empty() && !failure_) failure_ = LostBatchesError(lost);
  progress_.Finish();
}

Error BatchCoordinator::LostBatchesError(const std::vector<int64_t>& lost) {
  return Error(ErrorCode::kIo,
               fmt::format("the store lost {} batch(es) this run saw committed (times {} to {}): "
                           "its server must have stopped without writing them to disk; `zload "
                           "resume` loads them again",
                           lost.size(), lost.front(), lost.back()));
}

std::vector<int64_t> BatchCoordinator::LostBatches(JobStore& store) const {
  std::set<int64_t> kept;
  for (const JournalEntry& e : store.Journal()) {
    if (e.status == "done" || e.status == "skipped") kept.insert(e.time);
  }
  std::vector<int64_t> lost;
  for (const Batch& b : batches_) {
    if (b.closed && !kept.count(b.order.time)) lost.push_back(b.order.time);
  }
  std::sort(lost.begin(), lost.end());
  return lost;
}

}  // namespace zload
