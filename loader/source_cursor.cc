#include "loader/source_cursor.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "engine/error.h"
#include "loader/file_registration.h"

namespace zload {

SourceCursor::SourceCursor(Job& job, const RunOptions& options, int64_t batch_rows,
                           ReconnectingStore& store, std::function<void(size_t)> on_register)
    : resume_(options.resume),
      reload_(options.reload),
      on_register_(std::move(on_register)),
      batch_rows_(batch_rows),
      store_(store),
      remaining_(options.limit) {
  for (Job::Source& source : job.sources()) {
    Cutting s;
    s.source = &source;
    s.file = source.config->file;
    if (s.file == "-") {
      s.spool =
          std::make_unique<SpooledStdin>(source.config->format == "jsonl" ? ".jsonl" : ".csv");
      s.file = s.spool->path();
    }
    sources_.push_back(std::move(s));
  }
}

SourceCursor::~SourceCursor() = default;

std::unique_ptr<BatchCutter> SourceCursor::NewCutter(const CutSource& s) const {
  SourceConfig cut_config = *s.source->config;
  cut_config.file = s.file;
  return std::make_unique<BatchCutter>(cut_config, s.source->schema, batch_rows_);
}

void SourceCursor::Register(Cutting& s) {
  ResumePoint at;
  // On the coordinator's connection, reconnected when the store restarted mid-run.
  if (resume_) {
    at = store_([&](JobStore& st) { return FindResumePoint(st, *s.source->config); });
  }
  if (at.complete) {
    s.complete_before = true;
    return;
  }
  s.load_id = at.load_id ? *at.load_id : store_([&](JobStore& st) {
    return s.fingerprint ? RegisterFile(st, *s.source->config, reload_, *s.fingerprint)
                         : RegisterFile(st, *s.source->config, reload_);
  });
  s.registered = true;
  s.rows_before = at.rows;
  if (!s.cutter) s.cutter = NewCutter(s);
  s.header = s.cutter->header_text();
  s.total_bytes = s.cutter->total_bytes();
  if (at.first_record > 0) {
    std::optional<BatchRange> skipped = s.cutter->Next(at.first_record);
    if (!skipped || skipped->records != at.first_record) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("cannot resume: the journal has {} records of this file as "
                              "loaded, but it holds {}",
                              at.first_record, skipped ? skipped->records : 0),
                  {.file = s.source->config->file});
    }
    s.records_cut = at.first_record;
  }
  on_register_(static_cast<size_t>(&s - sources_.data()));
}

std::optional<SourceCursor::Cut> SourceCursor::Next() {
  while (current_ < sources_.size()) {
    Cutting& s = sources_[current_];
    if (!s.registered) {
      if (remaining_ && *remaining_ <= 0) return std::nullopt;
      Register(s);
      if (s.complete_before) {
        ++current_;
        continue;
      }
    }
    std::optional<BatchRange> range;
    if (s.precut) {
      range = std::move(*s.precut);
      s.precut.reset();
    } else if (!remaining_) {
      range = s.cutter->Next();
    } else if (*remaining_ > 0) {
      range = s.cutter->Next(std::min(*remaining_, batch_rows_));
    }
    if (!range) {
      // A limit used up by the file's last record leaves the file whole, as a serial run
      // records it: look for one more record.
      s.cut_all = !remaining_ || *remaining_ > 0 || !s.cutter->Next(1);
      ++current_;
      continue;
    }
    if (remaining_) *remaining_ -= range->records;
    Cut cut{current_, *range, s.records_cut, s.header};
    s.records_cut += range->records;
    return cut;
  }
  return std::nullopt;
}

void SourceCursor::CutAhead() {
  if (remaining_ || current_ >= sources_.size()) return;
  Cutting& s = sources_[current_];
  if (s.cutter && !s.precut) s.precut = s.cutter->Next();
  if (s.precut && !*s.precut && current_ + 1 < sources_.size()) ReadAhead(sources_[current_ + 1]);
}

// Not on resume (where a file starts is the journal's to say) nor for stdin.
void SourceCursor::ReadAhead(Cutting& s) {
  if (s.read_ahead || s.cutter || resume_ || s.source->config->file == "-") return;
  s.read_ahead = true;
  try {
    if (!s.fingerprint) s.fingerprint = FingerprintFile(s.source->config->file);
    s.cutter = NewCutter(s);
    s.precut = s.cutter->Next();
  } catch (const Error&) {
    s.cutter.reset();
    s.precut.reset();
  }
}

SourceCursor::Cut SourceCursor::Recut(const JournalEntry& entry,
                                      const std::vector<FileLoad>& loads) const {
  size_t index = sources_.size();
  for (const FileLoad& l : loads) {
    if (l.id != entry.load_id) continue;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if (sources_[i].source->config->name == l.source && l.path == sources_[i].file) index = i;
    }
  }
  if (index == sources_.size()) {
    throw Error(ErrorCode::kConfig,
                fmt::format("cannot finish the batch at time {}: its file (load {}) is not a "
                            "source of this job config",
                            entry.time, entry.load_id));
  }
  const Cutting& s = sources_[index];
  std::unique_ptr<BatchCutter> cutter = NewCutter(s);
  if (entry.first_record > 0) cutter->Next(entry.first_record);
  std::optional<BatchRange> range = cutter->Next(entry.records);
  if (!range || range->records != entry.records) {
    throw Error(ErrorCode::kConfig, "cannot finish a batch: its file has fewer records now",
                {.file = s.source->config->file, .time = entry.time});
  }
  return Cut{index, *range, entry.first_record, cutter->header_text()};
}

}  // namespace zload
