#include "loader/worker.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <istream>
#include <ostream>
#include <set>
#include <thread>

#include "engine/error.h"
#include "engine/iteration.h"
#include "loader/batch_delta.h"
#include "loader/csv_reader.h"
#include "loader/frontier_plan.h"
#include "loader/input_source.h"
#include "loader/job.h"
#include "loader/jsonl_reader.h"
#include "loader/transient_retry.h"
#include "loader/worker_messages.h"

namespace zload {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMinChunk = 64 * 1024;  // the least a batch's reader reads at a time

// The rows of one batch's byte range, good and bad, in file order.
struct ParsedBatch {
  std::vector<InputRow> rows;
  std::vector<RejectedRow> rejects;
};

// Reads `order`'s byte range in file order: each good row goes to `on_row`, each bad one to
// `out`'s rejects; `mid_parse` is called once the first record is read.
void ParseRange(const Job::Source& source, const BatchOrder& order,
                const std::function<void()>& mid_parse,
                const std::function<void(InputRow&&)>& on_row, ParsedBatch& out) {
  const SourceConfig& config = *source.config;
  std::unique_ptr<InputSource> input = InputSource::Open(order.file);
  const std::string name = config.file == "-" ? "<stdin>" : config.file;
  // One read covers the range: a batch is much shorter than the reader's usual chunk.
  const uint64_t span = order.end > order.begin ? order.end - order.begin : 0;
  const size_t chunk =
      static_cast<size_t>(std::clamp<uint64_t>(span + 1, kMinChunk, InputWindow::kChunkSize));
  std::unique_ptr<RowReader> reader;
  if (config.format == "jsonl") {
    JsonlReaderOptions o;
    o.op_column = config.op_column;
    o.file_name = name;
    o.start_offset = order.begin;
    o.first_line = order.first_line;
    o.end_offset = order.end;
    o.chunk_size = chunk;
    reader = std::make_unique<JsonlReader>(std::move(input), source.schema, o);
  } else {
    CsvReaderOptions o;
    o.delimiter = config.delimiter;
    o.op_column = config.op_column;
    o.file_name = name;
    o.start_offset = order.begin;
    o.first_line = order.first_line;
    o.end_offset = order.end;
    o.header_text = order.header;
    o.chunk_size = chunk;
    reader = std::make_unique<CsvReader>(std::move(input), source.schema, o);
  }
  InputRow row;
  std::optional<Error> error;
  bool first = true;
  while (true) {
    error.reset();
    ReadStatus status = reader->Next(row, error);
    if (status == ReadStatus::kEnd) break;
    if (first) mid_parse();
    first = false;
    if (status == ReadStatus::kRow) {
      on_row(std::move(row));
    } else {
      out.rejects.push_back({row, *error});
    }
    row = InputRow{};
  }
}

// The rows of `order`'s byte range, good and bad.
ParsedBatch ParseRange(const Job::Source& source, const BatchOrder& order,
                       const std::function<void()>& mid_parse) {
  ParsedBatch out;
  ParseRange(
      source, order, mid_parse, [&out](InputRow&& row) { out.rows.push_back(std::move(row)); },
      out);
  return out;
}

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
        frontier_closed_(order.frontier_closed) {}

  ~TimedBatch() {
    if (open_) store_.Rollback();
  }
  TimedBatch(const TimedBatch&) = delete;
  TimedBatch& operator=(const TimedBatch&) = delete;

  // Parses, waits for what the delta reads, builds the delta; returns the rejected rows.
  std::vector<RejectedRow> Prepare() {
    if (CanStream()) return Stream();
    ParsedBatch parsed = ParseRange(source_, order_, [this] { Fault("mid-parse"); });
    Fault("after-parse");
    rows_ = std::move(parsed.rows);
    std::vector<RejectedRow> rejects = std::move(parsed.rejects);
    bool deletes =
        std::any_of(rows_.begin(), rows_.end(), [](const InputRow& r) { return r.weight < 0; });
    plain_ = !source_.read_by_views && source_.key_columns.empty() && !deletes;
    if (options_.flush_every_set && !plain_) {
      // Run again at its time after a failure: what the first run committed stands, starting
      // with the delta it computed from the base table as it was then.
      if (std::optional<ZSet> kept = store_.FindBatchDelta(order_.time, source_.config->name)) {
        delta_ = std::move(*kept);
        replayed_ = true;
        for (const JournalEntry& e : store_.Journal()) {
          if (e.time == order_.time) counts_ = {e.rows, e.inserts, e.deletes};
        }
        return rejects;
      }
    }
    if (!options_.flush_every_set) {
      Wait(plan_.all);
    } else if (!source_.key_columns.empty() || deletes) {
      Wait({source_.config->name});
    }
    if (!plain_) {
      BatchDelta built = BuildBatchDelta(store_, source_, rows_);
      delta_ = std::move(built.delta);
      for (auto& [pos, error] : built.bad_rows) {
        rejects.push_back({rows_[pos], error});
        bad_.insert(pos);
      }
    }
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (bad_.count(i)) continue;
      ++counts_.rows;
      (rows_[i].weight > 0 ? counts_.inserts : counts_.deletes) += 1;
    }
    return rejects;
  }

  // Told by the coordinator that the batch before this one is done: waits end at once.
  void FrontierClosed() { frontier_closed_ = true; }

  // Applies the prepared batch and advances every table's last_update to its time.
  BatchDone Apply() {
    if (options_.delay_batch && *options_.delay_batch == order_.id) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.delay_ms));
    }
    BatchDone done{order_.id, 0, 0, 0, std::vector<int64_t>(job_.views().size(), 0), 0};
    const auto start = Clock::now();
    if (open_) {
      FinishStreamed();
    } else if (options_.flush_every_set) {
      ApplyVertexByVertex(done);
    } else {
      store_.Begin();
      try {
        if (plain_) {
          Insert();
        } else {
          if (source_.read_by_views) RunViews(RunIteration(job_.graph(), Inputs()), done);
          store_.ApplyToBaseTable(source_.config->name, delta_);
        }
        CloseAndCommit();
      } catch (...) {
        store_.Rollback();
        throw;
      }
    }
    if (source_.read_by_views) {
      done.view_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    }
    done.rows = counts_.rows;
    done.inserts = counts_.inserts;
    done.deletes = counts_.deletes;
    return done;
  }

  // Closes the batch's time without applying it: every table advances, the journal says why.
  BatchDone Skip(const std::string& reason) {
    Wait(plan_.all);
    store_.Begin();
    try {
      store_.SetLastUpdates(plan_.all, order_.time);
      store_.PutJournalEntry(
          {order_.time, order_.load_id, order_.first_record, order_.records, "skipped", 0, reason});
      store_.Commit();
    } catch (...) {
      store_.Rollback();
      throw;
    }
    return BatchDone{order_.id, 0, 0, 0, std::vector<int64_t>(job_.views().size(), 0), 0};
  }

 private:
  // Whether the batch's rows can go into its base table while it is parsed, before its frontier:
  // inserts only (no op column), no primary key, no view reading them, and a store whose other
  // writers do not wait on this open transaction. Nothing reads such a table's rows, so the
  // order in which batches write them does not change it; commits stay in batch order.
  bool CanStream() const {
    return store_.ConcurrentWriters() && !source_.read_by_views && source_.key_columns.empty() &&
           !source_.config->op_column;
  }

  // Parses the batch straight into its base table in a transaction left open for Apply().
  std::vector<RejectedRow> Stream() {
    ParsedBatch parsed;
    plain_ = true;
    store_.Begin();
    open_ = true;
    std::unique_ptr<BaseRowStream> stream = store_.StreamBaseRows(source_.config->name);
    ParseRange(
        source_, order_, [this] { Fault("mid-parse"); },
        [&](InputRow&& row) {
          stream->Add(row.row);
          ++counts_.rows;
          ++counts_.inserts;
        },
        parsed);
    stream->Finish();
    Fault("after-parse");
    return std::move(parsed.rejects);
  }

  // Ends a batch whose rows Stream() wrote: waits for the frontier, then advances every table
  // and commits (one commit, flush_every_set or not: the batch has no vertex work to flush).
  void FinishStreamed() {
    try {
      Wait(plan_.all);
      CloseAndCommit();
      open_ = false;
    } catch (...) {
      open_ = false;
      store_.Rollback();
      throw;
    }
  }

  // In the batch's one transaction: advances every table's last_update to the batch's time,
  // records the batch as done and commits.
  void CloseAndCommit() {
    Fault("before-last-update");
    store_.CloseBatch(plan_.all, DoneEntry());
    Fault("after-last-update");
    Fault("after-journal-write");
    Fault("before-commit");
    store_.Commit();
    Fault("after-commit");
  }

  void Fault(const std::string& point) {
    if (options_.fault) options_.fault(point, order_.id);
  }

  // Returns once every table of `tables` has last_update >= the frontier. One read of
  // last_update serves every table; only a table still behind is polled again.
  void Wait(const std::vector<std::string>& tables) {
    if (options_.skip_frontier_wait || frontier_closed_ || tables.empty()) return;
    std::map<std::string, int64_t> seen = store_.LastUpdates();
    for (const std::string& table : tables) {
      auto it = seen.find(table);
      if (it != seen.end() && it->second >= order_.frontier) continue;
      auto read = [&]() -> std::optional<int64_t> {
        seen = store_.LastUpdates();
        auto at = seen.find(table);
        if (at == seen.end()) return std::nullopt;
        return at->second;
      };
      WaitForFrontier(read, table, order_.frontier, options_.wait);
    }
  }

  SourceInputs Inputs() const {
    SourceInputs inputs;
    inputs.emplace(source_.vertex, delta_);
    return inputs;
  }

  // The journal entry of the batch with `status` and its counts.
  JournalEntry Entry(const std::string& status) const {
    return {order_.time, order_.load_id,  order_.first_record, order_.records, status, counts_.rows,
            "",          counts_.inserts, counts_.deletes,     order_.frontier};
  }
  // The entry that records the batch as done, written in the transaction that finishes it.
  JournalEntry DoneEntry() const { return Entry("done"); }

  void Journal(const std::string& status) { store_.PutJournalEntry(Entry(status)); }

  // flush_every_set: the first commit of the batch also keeps its source delta and counts, so
  // that a run of the batch again reads them instead of the base table it has changed since.
  void FirstCommitExtras() {
    if (kept_source_ || replayed_ || plain_) return;
    store_.PutBatchDelta(order_.time, source_.config->name, delta_);
    Journal("applying");
    kept_source_ = true;
  }

  void Insert() {
    std::vector<Row> rows;
    rows.reserve(rows_.size());
    for (const InputRow& r : rows_) rows.push_back(r.row);
    store_.InsertBaseRows(source_.config->name, rows);
  }

  void WriteBaseTable() {
    if (plain_) {
      Insert();
    } else {
      store_.ApplyToBaseTable(source_.config->name, delta_);
    }
  }

  void RunViews(const std::vector<ZSet>& out, BatchDone& done) {
    for (size_t i = 0; i < job_.views().size(); ++i) {
      const Job::View& v = job_.views()[i];
      store_.ApplyToViewTable(v.compiled.name, out[v.compiled.output]);
      done.view_changes[i] += static_cast<int64_t>(out[v.compiled.output].size());
    }
  }

  // flush_every_set: one transaction per delay vertex (with the base tables it reads last),
  // one per view table, and one for the rest. Each vertex's output is kept with its commit, so
  // that a run of the batch again (same time, after a failure) replays what was committed.
  void ApplyVertexByVertex(BatchDone& done) {
    const int64_t t = order_.time;
    const std::map<std::string, int64_t> at_start = store_.LastUpdates();
    auto committed = [&](const std::string& name) {
      auto it = at_start.find(name);
      // A later batch advances a table only after this one has: a time >= t means committed.
      return it != at_start.end() && it->second >= t;
    };
    std::set<std::string> advanced;
    std::set<std::string> waited;
    const std::string& own = source_.config->name;
    bool base_written = committed(own);
    bool open = false;
    IterationHooks hooks;
    hooks.replay = [&](VertexId v) -> std::optional<ZSet> {
      const std::string& marker = plan_.vertex_marker[v];
      if (marker.empty() || !committed(marker)) return std::nullopt;
      std::optional<ZSet> out = store_.FindBatchDelta(t, marker);
      if (!out) {
        throw Error(ErrorCode::kInternal, "a committed vertex's delta is not in the journal",
                    {.table = marker, .time = t});
      }
      advanced.insert(marker);
      advanced.insert(plan_.vertex_state[v].begin(), plan_.vertex_state[v].end());
      for (const std::string& b : plan_.vertex_bases[v]) {
        waited.insert(b);
        if (plan_.last_reader.at(b) == v) advanced.insert(b);
      }
      return out;
    };
    hooks.before = [&](VertexId v) {
      if (plan_.vertex_marker[v].empty()) return;
      std::vector<std::string> need = plan_.vertex_state[v];
      for (const std::string& b : plan_.vertex_bases[v]) {
        if (waited.insert(b).second) need.push_back(b);
      }
      Wait(need);
      store_.Begin();
      open = true;
    };
    hooks.after = [&](VertexId v, const ZSet& out) {
      if (!open) return;
      std::vector<std::string> set = plan_.vertex_state[v];
      set.push_back(plan_.vertex_marker[v]);
      for (const std::string& b : plan_.vertex_bases[v]) {
        if (plan_.last_reader.at(b) != v) continue;
        if (b == own && !base_written) {
          WriteBaseTable();
          base_written = true;
        }
        set.push_back(b);
      }
      store_.SetLastUpdates(set, t);
      store_.PutBatchDelta(t, plan_.vertex_marker[v], out);
      FirstCommitExtras();
      advanced.insert(set.begin(), set.end());
      const std::string ordinal = std::to_string(++vertex_commits_);
      Fault("before-vertex-commit-" + ordinal);
      store_.Commit();
      open = false;
      Fault("after-vertex-commit-" + ordinal);
    };
    try {
      std::vector<ZSet> out;
      if (source_.read_by_views) out = RunIteration(job_.graph(), Inputs(), hooks);
      for (size_t i = 0; i < job_.views().size(); ++i) {
        const Job::View& v = job_.views()[i];
        if (committed(v.compiled.name)) {
          advanced.insert(v.compiled.name);
          continue;
        }
        Wait({v.compiled.name});
        store_.Begin();
        open = true;
        if (!out.empty()) {
          store_.ApplyToViewTable(v.compiled.name, out[v.compiled.output]);
          done.view_changes[i] += static_cast<int64_t>(out[v.compiled.output].size());
        }
        store_.SetLastUpdates({v.compiled.name}, t);
        FirstCommitExtras();
        advanced.insert(v.compiled.name);
        store_.Commit();
        open = false;
      }
      std::vector<std::string> rest;
      for (const std::string& table : plan_.all) {
        if (!advanced.count(table)) rest.push_back(table);
      }
      std::vector<std::string> need;
      for (const std::string& table : rest) {
        if (!waited.count(table)) need.push_back(table);
      }
      Wait(need);
      store_.Begin();
      open = true;
      if (!base_written) WriteBaseTable();
      Fault("before-last-update");
      store_.CloseBatch(rest, DoneEntry());
      Fault("after-last-update");
      Fault("after-journal-write");
      store_.DropBatchDeltas(t);
      Fault("before-commit");
      store_.Commit();
      open = false;
      Fault("after-commit");
    } catch (...) {
      if (open) store_.Rollback();
      throw;
    }
  }

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
  } counts_;  // good rows of the batch
};

Error AsError(const std::exception& e) {
  if (const auto* z = dynamic_cast<const Error*>(&e)) return *z;
  return Error(ErrorCode::kInternal, e.what());
}

void Send(std::ostream& out, const WorkerReport& report) {
  out << EncodeReport(report) << '\n';
  out.flush();
}

// A worker's connection to the store and the job bound to it.
struct Session {
  std::unique_ptr<JobStore> store;
  std::unique_ptr<Job> job;
  FrontierPlan plan;

  static std::unique_ptr<Session> Open(const JobConfig& config) {
    auto s = std::make_unique<Session>();
    s->store = OpenJobStore(config.store_url);
    s->job = std::make_unique<Job>(config, s->store.get());
    s->plan = MakeFrontierPlan(*s->job);
    return s;
  }
};

}  // namespace

void ServeBatches(const JobConfig& config, const WorkerOptions& options, std::istream& in,
                  std::ostream& out) {
  std::unique_ptr<Session> session = Session::Open(config);
  std::string line;
  while (std::getline(in, line)) {
    CoordinatorOrder message = DecodeOrder(line);
    const auto* order = std::get_if<BatchOrder>(&message);
    if (!order) throw Error(ErrorCode::kWorkerDied, "a decision came before its batch: " + line);
    Job& job = *session->job;
    if (order->source >= job.sources().size()) {
      throw Error(ErrorCode::kWorkerDied, "a batch names an unknown source: " + line);
    }
    try {
      TimedBatch batch(job, *session->store, session->plan, options, job.sources()[order->source],
                       *order);
      if (order->skip) {
        Send(out, batch.Skip(*order->skip));
        continue;
      }
      Send(out, BatchReady{order->id, batch.Prepare()});
      if (!std::getline(in, line)) return;
      CoordinatorOrder reply = DecodeOrder(line);
      const auto* decision = std::get_if<BatchDecision>(&reply);
      if (!decision || decision->id != order->id) {
        throw Error(ErrorCode::kWorkerDied, "expected the decision on batch " +
                                                std::to_string(order->id) + ", got: " + line);
      }
      if (!decision->go) {
        Send(out, BatchStopped{order->id});
        continue;
      }
      if (decision->frontier_closed) batch.FrontierClosed();
      Send(out, batch.Apply());
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kWorkerDied) throw;
      Send(out, BatchFailed{order->id, e});
      // A lost connection (a server restarting) is not this worker's end: it connects again
      // for the next batch (or the same one, run again), when the store is back.
      if (IsTransient(e)) {
        try {
          session = Session::Open(config);
        } catch (const Error&) {
          // Still unreachable: the next batch fails and this is tried again.
        }
      }
    } catch (const std::exception& e) {
      Send(out, BatchFailed{order->id, AsError(e)});
    }
  }
}

}  // namespace zload
