#include "loader/job_runner.h"

#include <fmt/format.h>

#include <chrono>

#include "engine/error.h"
#include "engine/iteration.h"
#include "loader/batch_cutter.h"
#include "loader/batch_delta.h"
#include "loader/batch_reader.h"
#include "loader/commit_group.h"
#include "loader/elapsed.h"
#include "loader/file_registration.h"
#include "loader/job.h"
#include "loader/parallel_load.h"
#include "loader/reject_writer.h"
#include "loader/row_reader.h"
#include "loader/view_seconds.h"

namespace zload {
namespace {

using Clock = std::chrono::steady_clock;

// Loads one source's file in batches: a background thread parses the next batches while this
// one is applied.
class SourceLoad {
 public:
  SourceLoad(Job& job, JobStore& store, Job::Source& source, RowReader& reader,
             const RunConfig& run, RejectWriter& rejects, ProgressBar& progress,
             RunSummary& summary, SourceSummary& out, int64_t& time, int64_t first_record,
             int64_t rows_before, CommitGroup& group,
             std::function<void(const std::string&, int64_t)> fault)
      : job_(job),
        store_(store),
        group_(group),
        source_(source),
        reader_(reader),
        run_(run),
        rejects_(rejects),
        progress_(progress),
        summary_(summary),
        out_(out),
        time_(time),
        records_done_(first_record),
        rows_before_(rows_before),
        fault_(std::move(fault)),
        view_seconds_(job.graph(), job.ViewOutputs()) {}

  // Loads at most `limit` good rows (all without one) and returns how many rows were read.
  int64_t Run(int64_t load_id, std::optional<int64_t> limit) {
    BatchReader batches(reader_, run_.batch_rows, limit);
    while (std::optional<InputBatch> batch = batches.Next()) {
      for (auto& [row, error] : batch->bad_rows) HandleBadRow(row, error);
      const int64_t records = static_cast<int64_t>(batch->rows.size() + batch->bad_rows.size());
      if (!batch->rows.empty()) {
        ApplyBatch(batch->rows, load_id, records);
      } else {
        JournalRejectedBatch(load_id, records);
      }
      records_done_ += records;
      progress_.Update(out_.rows_read, batch->bytes_read);
      batches.Recycle(std::move(*batch));
    }
    return batches.rows_delivered();
  }

 private:
  void HandleBadRow(const InputRow& row, const Error& error) {
    if (run_.on_bad_row == BadRowPolicy::kAbort) throw error;
    rejects_.Reject(source_.config->name, reader_.header(), row, error);
    ++out_.rejected;
    ++summary_.rejected;
    if (rejects_.count() > run_.max_errors) {
      throw Error(ErrorCode::kParse,
                  fmt::format("stopping: {} rows rejected, more than max_errors = {} (see {})",
                              rejects_.count(), run_.max_errors, rejects_.path()),
                  error.context());
    }
  }

  // Inserts that no view reads and no key or delete can affect go to the table directly.
  bool PlainInserts(const std::vector<InputRow>& batch) const {
    if (source_.read_by_views || !source_.key_columns.empty()) return false;
    for (const InputRow& r : batch) {
      if (r.weight < 0) return false;
    }
    return true;
  }

  // A batch of bad rows only: nothing to apply, but the journal keeps its records as read.
  void JournalRejectedBatch(int64_t load_id, int64_t records) {
    group_.BeginBatch();
    try {
      store_.PutJournalEntry({++time_, load_id, records_done_, records, "done", 0, ""});
    } catch (...) {
      group_.Rollback();
      throw;
    }
    group_.EndBatch();
  }

  void ApplyBatch(std::vector<InputRow>& batch, int64_t load_id, int64_t records) {
    std::vector<bool> bad(batch.size(), false);
    BatchDelta built;
    if (!PlainInserts(batch)) {
      built = BuildBatchDelta(store_, source_, batch);
      for (auto& [pos, error] : built.bad_rows) {
        HandleBadRow(batch[pos], error);
        bad[pos] = true;
      }
    }
    int64_t good = static_cast<int64_t>(batch.size() - built.bad_rows.size());
    int64_t inserts = 0;
    for (size_t i = 0; i < batch.size(); ++i) inserts += !bad[i] && batch[i].weight > 0;
    group_.BeginBatch();
    try {
      if (PlainInserts(batch)) {
        std::vector<Row> rows;
        rows.reserve(batch.size());
        for (InputRow& r : batch) rows.push_back(std::move(r.row));
        store_.InsertBaseRows(source_.config->name, rows);
        for (size_t i = 0; i < batch.size(); ++i) batch[i].row = std::move(rows[i]);
      } else {
        // The views read the base tables as they were before this batch.
        if (source_.read_by_views) RunViews(built.delta);
        store_.ApplyToBaseTable(source_.config->name, built.delta);
      }
      store_.UpdateFileLoad(load_id, rows_before_ + out_.rows_read + good, "loading");
      store_.PutJournalEntry(
          {++time_, load_id, records_done_, records, "done", good, "", inserts, good - inserts});
    } catch (...) {
      group_.Rollback();
      throw;
    }
    out_.rows_read += good;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!bad[i]) (batch[i].weight > 0 ? out_.inserts : out_.deletes) += 1;
    }
    ++summary_.batches;
    group_.EndBatch();
    if (fault_) fault_("after-done", summary_.batches - 1);
  }

  // One iteration of the graph, and each view's delta written to its table.
  void RunViews(const ZSet& delta) {
    auto t0 = Clock::now();
    SourceInputs inputs;
    inputs.emplace(source_.vertex, delta);
    std::vector<ZSet> out = RunIteration(job_.graph(), std::move(inputs),
                                         view_seconds_.Wrap(IterationHooks{}), job_.ViewOutputs());
    for (size_t i = 0; i < job_.views().size(); ++i) {
      Job::View& v = job_.views()[i];
      auto t1 = Clock::now();
      const ZSet& view_delta = out[v.compiled.output];
      store_.ApplyToViewTable(v.compiled.name, view_delta);
      summary_.views[i].changes += static_cast<int64_t>(view_delta.size());
      view_seconds_.AddToView(i, SecondsSince(t1));
    }
    const std::vector<double> shares = view_seconds_.Split(SecondsSince(t0));
    for (size_t i = 0; i < shares.size(); ++i) summary_.views[i].seconds += shares[i];
  }

  Job& job_;
  JobStore& store_;
  CommitGroup& group_;
  Job::Source& source_;
  RowReader& reader_;
  const RunConfig& run_;
  RejectWriter& rejects_;
  ProgressBar& progress_;
  RunSummary& summary_;
  SourceSummary& out_;
  int64_t& time_;         // the last batch time taken in this store
  int64_t records_done_;  // records of the file read before the next batch
  int64_t rows_before_;   // good rows of the file applied by earlier runs (resume)
  std::function<void(const std::string&, int64_t)> fault_;  // test hook, see RunOptions
  ViewSeconds view_seconds_;  // each view's share of the time spent maintaining views
};

// A reader of `source`'s file positioned after its first `records` records. Throws
// Error(kConfig) when the file holds fewer.
std::unique_ptr<RowReader> ReaderAfter(const SourceConfig& source, const Schema& schema,
                                       int64_t records) {
  BatchCutter cutter(source, schema, records);
  std::optional<BatchRange> skipped = cutter.Next();
  if (!skipped || skipped->records != records) {
    throw Error(ErrorCode::kConfig,
                fmt::format("cannot resume: the journal has {} records of this file as loaded, "
                            "but it holds {}",
                            records, skipped ? skipped->records : 0),
                {.file = source.file});
  }
  return OpenRowReaderAt(source, schema, skipped->end, cutter.line_cut(), cutter.header_text());
}

}  // namespace

void RunJob(JobConfig config, const RunOptions& options, ProgressBar& progress,
            RunSummary& summary) {
  auto start = Clock::now();
  if (options.store_url) config.store_url = *options.store_url;
  if (options.batch_rows) config.run.batch_rows = *options.batch_rows;
  if (options.workers) config.run.workers = *options.workers;
  if (options.flush_every_set) config.run.flush_every_set = *options.flush_every_set;
  summary.store_url = config.store_url;
  summary.dry_run = options.dry_run;

  std::unique_ptr<JobStore> store;
  if (!options.dry_run) store = OpenJobStore(config.store_url);
  if (store) store->Begin();
  std::unique_ptr<Job> job;
  std::vector<std::unique_ptr<RowReader>> readers;
  try {
    job = std::make_unique<Job>(config, store.get());
    // Every input is opened (and its header checked) before anything is loaded.
    for (Job::Source& s : job->sources()) {
      // Workers read a copy of stdin, made when loading starts; its header is checked then.
      bool skip = s.config->file == "-" && (options.dry_run || config.run.workers > 0);
      readers.push_back(skip ? nullptr : OpenRowReader(*s.config, s.schema));
      summary.sources.push_back({s.config->name, s.config->file});
    }
    // A file this store has loaded already is refused here too, where that is known without
    // reading a file it has not loaded.
    if (store && !options.reload && !options.resume) {
      std::vector<const SourceConfig*> configs;
      for (const Job::Source& s : job->sources()) configs.push_back(s.config);
      RefuseRepeatedFiles(*store, configs);
    }
  } catch (...) {
    if (store) store->Rollback();
    throw;
  }
  for (Job::View& v : job->views()) summary.views.push_back({v.compiled.name, 0, 0, v.is_new});
  if (options.dry_run) {
    for (SourceSummary& s : summary.sources) s.skipped = true;
    summary.seconds = SecondsSince(start);
    return;
  }
  std::vector<JournalEntry> partial;
  try {
    std::vector<std::string> new_views;
    for (const Job::View& v : job->views()) {
      if (v.is_new) new_views.push_back(v.compiled.name);
    }
    job->BuildViews(new_views);
    job->MarkOmittedViewsStale();
    partial = CloseAbandonedBatches(*store);
    store->Commit();
  } catch (...) {
    store->Rollback();
    throw;
  }

  if (!partial.empty()) {
    if (!options.resume) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("an earlier run of this job stopped in the middle of {} batch(es) "
                              "(the first at time {}): run `zload resume {}` to finish them",
                              partial.size(), partial.front().time, config.path));
    }
    // Only workers committing per delay vertex leave batches partly applied, and only they
    // can finish them.
    if (config.run.workers == 0) config.run.workers = 1;
    config.run.flush_every_set = true;
  }
  if (config.run.workers > 0) {
    try {
      LoadWithWorkers(*job, *store, config.run, options, progress, summary, partial);
    } catch (...) {
      summary.seconds = SecondsSince(start);
      throw;
    }
    summary.seconds = SecondsSince(start);
    return;
  }

  RejectWriter rejects(config.run.reject_file, options.resume);
  CommitGroup group(*store, rejects, summary,
                    std::chrono::milliseconds(config.run.commit_interval_ms));
  std::optional<int64_t> remaining = options.limit;
  int64_t time = LatestTime(*store);
  for (size_t i = 0; i < job->sources().size(); ++i) {
    Job::Source& source = job->sources()[i];
    SourceSummary& out = summary.sources[i];
    auto t0 = Clock::now();
    ResumePoint at;
    if (options.resume) at = FindResumePoint(*store, *source.config);
    if (at.complete) continue;
    int64_t load_id =
        at.load_id ? *at.load_id : RegisterFile(*store, *source.config, options.reload);
    if (at.first_record > 0)
      readers[i] = ReaderAfter(*source.config, source.schema, at.first_record);
    progress.Start(source.config->name, readers[i]->total_bytes());
    SourceLoad load(*job, *store, source, *readers[i], config.run, rejects, progress, summary, out,
                    time, at.first_record, at.rows, group, options.fault);
    try {
      int64_t read = load.Run(load_id, remaining);
      if (remaining) *remaining -= read;
      group.Commit();
    } catch (...) {
      // The batches applied before the error are kept; a failed batch rolled its group back.
      try {
        group.Commit();
      } catch (const std::exception&) {
        // The group is rolled back and the summary counts only what is committed; the first
        // error is the one reported.
      }
      out.seconds = SecondsSince(t0);
      out.bytes = readers[i]->bytes_read();
      progress.Finish();
      store->UpdateFileLoad(load_id, at.rows + out.rows_read, "interrupted");
      summary.seconds = SecondsSince(start);
      throw;
    }
    bool complete =
        !remaining || *remaining > 0 || readers[i]->total_bytes() == readers[i]->bytes_read();
    store->UpdateFileLoad(load_id, at.rows + out.rows_read, complete ? "complete" : "interrupted");
    out.seconds = SecondsSince(t0);
    out.bytes = readers[i]->bytes_read();
    progress.Finish();
    if (remaining && *remaining == 0) break;
  }
  summary.seconds = SecondsSince(start);
}

void RebuildView(const JobConfig& config, const std::optional<std::string>& store_url,
                 const std::string& name) {
  std::unique_ptr<JobStore> store = OpenJobStore(store_url.value_or(config.store_url));
  bool known = false;
  for (const ViewConfig& v : config.views) known |= v.name == name;
  if (!known) {
    throw Error(ErrorCode::kConfig, "no view named '" + name + "' in the job config",
                {.file = config.path});
  }
  std::vector<std::string> views = Job(config, nullptr).WithDependents(name);
  store->Begin();
  try {
    for (const std::string& v : views) store->DropView(v);
    Job job(config, store.get());
    job.BuildViews(views);
    store->Commit();
  } catch (...) {
    store->Rollback();
    throw;
  }
}

}  // namespace zload
