#include "loader/run_summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "loader/text_table.h"

namespace zload {

std::string RenderSummary(const RunSummary& s) {
  TextTable sources({"source", "rows", "inserts", "deletes", "rejected", "seconds", "rows/s"});
  for (const SourceSummary& src : s.sources) {
    double rate = src.seconds > 0 ? static_cast<double>(src.rows_read) / src.seconds : 0;
    sources.AddRow({src.name, std::to_string(src.rows_read), std::to_string(src.inserts),
                    std::to_string(src.deletes), std::to_string(src.rejected),
                    fmt::format("{:.3f}", src.seconds), fmt::format("{:.0f}", rate)});
  }
  std::string out = sources.Render();
  if (!s.views.empty()) {
    TextTable views({"view", "changes", "seconds", ""});
    for (const ViewSummary& v : s.views) {
      views.AddRow({v.name, std::to_string(v.changes), fmt::format("{:.3f}", v.seconds),
                    v.built ? "new view" : ""});
    }
    out += "\n" + views.Render();
  }
  std::string workers = s.workers == 0 ? ""
                                       : fmt::format(" on {} worker{} (a commit per {})", s.workers,
                                                     s.workers == 1 ? "" : "s",
                                                     s.flush_every_set ? "delay vertex" : "batch");
  out += fmt::format("\n{}{} batches{}, {} rows rejected, {:.3f} s, store {}\n",
                     s.dry_run ? "dry run: nothing loaded; " : "", s.batches, workers, s.rejected,
                     s.seconds, s.store_url);
  return out;
}

std::string SummaryJson(const RunSummary& s) {
  nlohmann::json j;
  j["store"] = s.store_url;
  j["dry_run"] = s.dry_run;
  j["batches"] = s.batches;
  j["workers"] = s.workers;
  j["flush_every_set"] = s.flush_every_set;
  j["rejected"] = s.rejected;
  j["seconds"] = s.seconds;
  j["peak_rss_kb"] = s.peak_rss_kb;
  j["sources"] = nlohmann::json::array();
  for (const SourceSummary& src : s.sources) {
    j["sources"].push_back({{"name", src.name},
                            {"file", src.file},
                            {"rows", src.rows_read},
                            {"inserts", src.inserts},
                            {"deletes", src.deletes},
                            {"rejected", src.rejected},
                            {"bytes", src.bytes},
                            {"seconds", src.seconds}});
  }
  j["views"] = nlohmann::json::array();
  for (const ViewSummary& v : s.views) {
    j["views"].push_back(
        {{"name", v.name}, {"changes", v.changes}, {"seconds", v.seconds}, {"built", v.built}});
  }
  return j.dump(2) + "\n";
}

}  // namespace zload
