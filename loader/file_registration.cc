#include "loader/file_registration.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "engine/error.h"
#include "loader/file_hash.h"

namespace zload {

int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload) {
  if (source.file == "-") {
    return store.StartFileLoad({0, source.name, source.file, 0, "stdin", 0, "loading"});
  }
  return RegisterFile(store, source, reload, FingerprintFile(source.file));
}

namespace {

// Throws the refusal of loading `source`'s file again after `earlier`, a load of it into the
// same source: complete, or interrupted.
[[noreturn]] void Refuse(const SourceConfig& source, const FileLoad& earlier) {
  if (earlier.status == "complete") {
    throw Error(ErrorCode::kConfig,
                fmt::format("this store already holds this file's {} rows in source '{}' "
                            "(loaded from {}); loading it again would apply them twice: use "
                            "--reload to load it again on purpose",
                            earlier.rows, source.name, earlier.path),
                {.file = source.file});
  }
  throw Error(ErrorCode::kConfig,
              fmt::format("an earlier load of {} into source '{}' was interrupted after {} "
                          "rows; loading the file again would apply those rows twice: run "
                          "`zload resume` on the job to load the rest exactly once, or use "
                          "--reload to load it all anyway",
                          earlier.path, source.name, earlier.rows),
              {.file = source.file});
}

// The latest unfinished load of `source`'s path into it among `loads`, if any.
std::optional<FileLoad> UnfinishedLoad(const std::vector<FileLoad>& loads,
                                       const SourceConfig& source) {
  std::optional<FileLoad> unfinished;
  for (const FileLoad& l : loads) {
    if (l.source == source.name && l.path == source.file && l.status != "complete") unfinished = l;
  }
  return unfinished;
}

}  // namespace

int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload,
                     const FileFingerprint& fp) {
  FileLoad load{0, source.name, source.file, static_cast<int64_t>(fp.size), fp.hash, 0, "loading"};
  if (!reload) {
    if (std::optional<FileLoad> unfinished = UnfinishedLoad(store.FileLoads(), source)) {
      Refuse(source, *unfinished);
    }
    if (std::optional<FileLoad> earlier = store.FindFileLoad(source.name, fp.hash)) {
      Refuse(source, *earlier);
    }
  }
  return store.StartFileLoad(load);
}

void RefuseRepeatedFiles(JobStore& store, const std::vector<const SourceConfig*>& sources) {
  const std::vector<FileLoad> loads = store.FileLoads();
  for (const SourceConfig* source : sources) {
    if (source->file == "-") continue;
    if (std::optional<FileLoad> unfinished = UnfinishedLoad(loads, *source)) {
      Refuse(*source, *unfinished);
    }
    std::error_code error;
    const uintmax_t size = std::filesystem::file_size(source->file, error);
    if (error) continue;  // reported when the file's turn comes
    const bool loaded_alike = std::any_of(loads.begin(), loads.end(), [&](const FileLoad& l) {
      return l.source == source->name && l.path == source->file && l.status == "complete" &&
             l.size == static_cast<int64_t>(size);
    });
    if (!loaded_alike) continue;
    if (std::optional<FileLoad> earlier =
            store.FindFileLoad(source->name, FingerprintFile(source->file).hash)) {
      Refuse(*source, *earlier);
    }
  }
}

ResumePoint FindResumePoint(JobStore& store, const SourceConfig& source) {
  std::optional<FileLoad> latest;
  for (const FileLoad& l : store.FileLoads()) {
    if (l.source == source.name && l.path == source.file) latest = l;
  }
  ResumePoint point;
  if (!latest) return point;
  if (latest->status == "complete") {
    point.complete = true;
    return point;
  }
  if (source.file == "-") {
    throw Error(ErrorCode::kConfig,
                fmt::format("the load of source '{}' from stdin was interrupted after {} rows; "
                            "stdin cannot be read again: run the job again with the rest of "
                            "the input",
                            source.name, latest->rows));
  }
  FileFingerprint fp = FingerprintFile(source.file);
  if (static_cast<int64_t>(fp.size) != latest->size || fp.hash != latest->hash) {
    throw Error(ErrorCode::kConfig,
                fmt::format("cannot resume: {} changed since its load into source '{}' started "
                            "({} bytes then, {} now; content hash {} then, {} now)",
                            source.file, source.name, latest->size, fp.size, latest->hash, fp.hash),
                {.file = source.file});
  }
  point.load_id = latest->id;
  std::vector<JournalEntry> entries;
  for (const JournalEntry& e : store.Journal()) {
    if (e.load_id == latest->id && (e.status == "done" || e.status == "skipped")) {
      entries.push_back(e);
    }
  }
  std::sort(entries.begin(), entries.end(), [](const JournalEntry& a, const JournalEntry& b) {
    return a.first_record < b.first_record;
  });
  for (const JournalEntry& e : entries) {
    if (e.first_record != point.first_record) break;
    point.first_record += e.records;
    point.rows += e.rows;
  }
  return point;
}

std::vector<JournalEntry> CloseAbandonedBatches(JobStore& store) {
  int64_t latest_table = 0;
  for (const auto& [table, t] : store.LastUpdates()) latest_table = std::max(latest_table, t);
  std::vector<JournalEntry> partial;
  for (JournalEntry e : store.Journal()) {
    if (e.status != "taken" && e.status != "applying") continue;
    // A later batch cannot advance a table before this one has: a table at or past its time
    // holds part of it.
    if (e.status == "applying" || latest_table >= e.time) {
      partial.push_back(e);
      continue;
    }
    e.status = "failed";
    e.error = "not applied: the run that took it ended first";
    store.PutJournalEntry(e);
  }
  return partial;
}

int64_t LatestTime(JobStore& store) {
  int64_t latest = 0;
  for (const auto& [table, t] : store.LastUpdates()) latest = std::max(latest, t);
  for (const JournalEntry& e : store.Journal()) latest = std::max(latest, e.time);
  return latest;
}

}  // namespace zload
