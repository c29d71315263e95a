#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zload {

// What one run did to one source.
struct SourceSummary {
  std::string name;
  std::string file;
  int64_t rows_read = 0;  // good rows applied (inserts and deletes)
  int64_t inserts = 0;
  int64_t deletes = 0;
  int64_t rejected = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  bool skipped = false;  // nothing read (a dry run)
};

// What one run did to one view.
struct ViewSummary {
  std::string name;
  int64_t changes = 0;  // rows of delta written to the view table
  // Its share of the time spent maintaining views: the steps of the vertices it reads (a step
  // shared by several views in equal parts), its table's writes, and an equal part of the rest.
  double seconds = 0;
  bool built = false;  // new in this store: computed from the base tables first
};

// The outcome of `zload run`.
struct RunSummary {
  std::string store_url;
  std::vector<SourceSummary> sources;
  std::vector<ViewSummary> views;
  int64_t batches = 0;
  int64_t workers = 0;           // worker processes that applied the batches (0: none)
  bool flush_every_set = false;  // with workers: a commit per delay vertex
  int64_t rejected = 0;
  double seconds = 0;
  bool dry_run = false;
  int64_t peak_rss_kb = 0;  // the zload process's peak resident set (workers not counted)
};

// An aligned, human-readable table of the summary.
std::string RenderSummary(const RunSummary& summary);
// The summary as one JSON object.
std::string SummaryJson(const RunSummary& summary);

}  // namespace zload
