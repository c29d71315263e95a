#include "loader/status_report.h"

#include <fmt/format.h>

#include <map>

#include "loader/text_table.h"

namespace zload {
namespace {

// One load's batches by status.
struct BatchCounts {
  int64_t done = 0, taken = 0, failed = 0, skipped = 0;
  int64_t records = 0;  // records of the done and skipped batches
};

}  // namespace

std::string RenderStatus(JobStore& store) {
  std::map<int64_t, BatchCounts> by_load;
  BatchCounts all;
  for (const JournalEntry& e : store.Journal()) {
    for (BatchCounts* c : {&by_load[e.load_id], &all}) {
      if (e.status == "done") {
        ++c->done;
        c->records += e.records;
      } else if (e.status == "skipped") {
        ++c->skipped;
        c->records += e.records;
      } else if (e.status == "failed") {
        ++c->failed;
      } else {
        ++c->taken;
      }
    }
  }
  std::vector<FileLoad> loads = store.FileLoads();
  if (loads.empty()) return "no loads recorded in this store\n";
  TextTable table({"load", "source", "file", "status", "rows", "batches done", "in flight",
                   "failed", "skipped", "records done"});
  for (const FileLoad& l : loads) {
    const BatchCounts& c = by_load[l.id];
    table.AddRow({std::to_string(l.id), l.source, l.path, l.status, std::to_string(l.rows),
                  std::to_string(c.done), std::to_string(c.taken), std::to_string(c.failed),
                  std::to_string(c.skipped), std::to_string(c.records)});
  }
  int64_t unfinished = 0;
  for (const FileLoad& l : loads) unfinished += l.status != "complete";
  return table.Render() +
         fmt::format(
             "\n{} loads ({} unfinished); batches: {} done, {} in flight or not applied, "
             "{} failed, {} skipped{}\n",
             loads.size(), unfinished, all.done, all.taken, all.failed, all.skipped,
             unfinished > 0 ? "; `zload resume JOB.toml` finishes the unfinished loads" : "");
}

}  // namespace zload
