#include "loader/timed_batch.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "engine/error.h"
#include "loader/batch_delta.h"
#include "loader/csv_reader.h"
#include "loader/input_source.h"
#include "loader/jsonl_reader.h"

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

}  // namespace

std::vector<RejectedRow> TimedBatch::Prepare() {
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

BatchDone TimedBatch::Apply() {
  if (options_.delay_batch && *options_.delay_batch == order_.id) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.delay_ms));
  }
  BatchDone done{order_.id, 0, 0, 0, std::vector<int64_t>(job_.views().size(), 0), {}};
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
        if (source_.read_by_views) {
          RunViews(RunIteration(job_.graph(), Inputs(), view_seconds_.Wrap(IterationHooks{}),
                                job_.ViewOutputs()),
                   done);
        }
        store_.ApplyToBaseTable(source_.config->name, delta_);
      }
      CloseAndCommit();
    } catch (...) {
      store_.Rollback();
      throw;
    }
  }
  if (source_.read_by_views) {
    done.view_seconds =
        view_seconds_.Split(std::chrono::duration<double>(Clock::now() - start).count());
  }
  done.rows = counts_.rows;
  done.inserts = counts_.inserts;
  done.deletes = counts_.deletes;
  return done;
}

BatchDone TimedBatch::Skip(const std::string& reason) {
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
  return BatchDone{order_.id, 0, 0, 0, std::vector<int64_t>(job_.views().size(), 0), {}};
}

bool TimedBatch::CanStream() const {
  return store_.ConcurrentWriters() && !source_.read_by_views && source_.key_columns.empty() &&
         !source_.config->op_column;
}

std::vector<RejectedRow> TimedBatch::Stream() {
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

void TimedBatch::FinishStreamed() {
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

void TimedBatch::CloseAndCommit() {
  Fault("before-last-update");
  store_.CloseBatch(plan_.all, DoneEntry());
  Fault("after-last-update");
  Fault("after-journal-write");
  Fault("before-commit");
  store_.Commit();
  Fault("after-commit");
}

void TimedBatch::Fault(const std::string& point) {
  if (options_.fault) options_.fault(point, order_.id);
}

void TimedBatch::Wait(const std::vector<std::string>& tables) {
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

SourceInputs TimedBatch::Inputs() const {
  SourceInputs inputs;
  inputs.emplace(source_.vertex, delta_);
  return inputs;
}

JournalEntry TimedBatch::Entry(const std::string& status) const {
  return {order_.time, order_.load_id,  order_.first_record, order_.records, status, counts_.rows,
          "",          counts_.inserts, counts_.deletes,     order_.frontier};
}

void TimedBatch::FirstCommitExtras() {
  if (kept_source_ || replayed_ || plain_) return;
  store_.PutBatchDelta(order_.time, source_.config->name, delta_);
  Journal("applying");
  kept_source_ = true;
}

void TimedBatch::Insert() {
  std::vector<Row> rows;
  rows.reserve(rows_.size());
  for (const InputRow& r : rows_) rows.push_back(r.row);
  store_.InsertBaseRows(source_.config->name, rows);
}

void TimedBatch::WriteBaseTable() {
  if (plain_) {
    Insert();
  } else {
    store_.ApplyToBaseTable(source_.config->name, delta_);
  }
}

void TimedBatch::RunViews(const std::vector<ZSet>& out, BatchDone& done) {
  for (size_t i = 0; i < job_.views().size(); ++i) {
    const Job::View& v = job_.views()[i];
    const auto start = Clock::now();
    store_.ApplyToViewTable(v.compiled.name, out[v.compiled.output]);
    view_seconds_.AddToView(i, std::chrono::duration<double>(Clock::now() - start).count());
    done.view_changes[i] += static_cast<int64_t>(out[v.compiled.output].size());
  }
}

void TimedBatch::ApplyVertexByVertex(BatchDone& done) {
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
  // A base table serving a vertex's state is waited for when the vertex reads it (apart from
  // the vertex's transaction, whose reads then see the wait's outcome), or where the vertex
  // advances it (its last reader); a vertex that does not read it in this batch (a join reading
  // only the other side's state) runs while the batch before still works further down the graph.
  auto wait_once = [&](const std::vector<std::string>& tables) {
    std::vector<std::string> need;
    for (const std::string& table : tables) {
      if (waited.insert(table).second) need.push_back(table);
    }
    if (!need.empty()) store_.WaitApart([&] { Wait(need); });
  };
  struct ReadHookReset {
    Job& job;
    ~ReadHookReset() { job.SetBeforeServedRead(nullptr); }
  } reset{job_};
  job_.SetBeforeServedRead(wait_once);
  hooks.before = [&](VertexId v) {
    if (plan_.vertex_marker[v].empty()) return;
    std::vector<std::string> need = plan_.vertex_state[v];
    // The batch before has committed this vertex: every table this commit advances is then at
    // least at its time, whether or not this batch reads the vertex's bases.
    need.push_back(plan_.vertex_marker[v]);
    for (const std::string& b : plan_.vertex_bases[v]) {
      if (plan_.last_reader.at(b) != v) continue;
      if (waited.insert(b).second) need.push_back(b);
    }
    Wait(need);
    // The vertex's tables are this batch's until it commits them (later batches wait for their
    // last_update), so its step may read them without the write lock (SQLite) and write after.
    store_.BeginHoldingWrites();
    open = true;
  };
  hooks.after = [&](VertexId v, const ZSet& out) {
    if (!open) return;
    // Encoded before the write lock is taken (SQLite), written with the step's held writes.
    store_.PutBatchDelta(t, plan_.vertex_marker[v], out);
    store_.WriteHeld();
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
    if (source_.read_by_views) {
      out = RunIteration(job_.graph(), Inputs(), view_seconds_.Wrap(std::move(hooks)),
                         job_.ViewOutputs());
    }
    for (size_t i = 0; i < job_.views().size(); ++i) {
      const Job::View& v = job_.views()[i];
      if (committed(v.compiled.name)) {
        advanced.insert(v.compiled.name);
        continue;
      }
      const auto start = Clock::now();
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
      view_seconds_.AddToView(i, std::chrono::duration<double>(Clock::now() - start).count());
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

}  // namespace zload
