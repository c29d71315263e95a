#include "bench/throughput_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace zload::bench {

double Measurement::Median() const {
  if (seconds.empty()) return 0;
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double Measurement::Min() const {
  return seconds.empty() ? 0 : *std::min_element(seconds.begin(), seconds.end());
}

double Measurement::Max() const {
  return seconds.empty() ? 0 : *std::max_element(seconds.begin(), seconds.end());
}

double Measurement::RowsPerSecond() const {
  double median = Median();
  return median > 0 ? static_cast<double>(rows) / median : 0;
}

int64_t Measurement::MaxRssKb() const {
  return peak_rss_kb.empty() ? 0 : *std::max_element(peak_rss_kb.begin(), peak_rss_kb.end());
}

std::string RenderReport(const Report& r) {
  std::string out = fmt::format(
      "zload throughput: {} lineitem rows, {} run(s) each, seed {}, batch_rows {}, {:.1f} MB "
      "of input\n\n",
      r.lineitem_rows, r.runs, r.seed, r.batch_rows, static_cast<double>(r.data_bytes) / 1e6);
  size_t width = 4;
  for (const Measurement& m : r.measurements) width = std::max(width, m.name.size());
  out += fmt::format("{:<3} {:<{}} {:>10} {:>9} {:>9} {:>9} {:>12} {:>9}\n", "", "measurement",
                     width, "rows", "median s", "min s", "max s", "rows/s", "peak RSS");
  for (const Measurement& m : r.measurements) {
    std::string rss = m.peak_rss_kb.empty()
                          ? "-"
                          : fmt::format("{:.0f} MB", static_cast<double>(m.MaxRssKb()) / 1024);
    out += fmt::format("{:<3} {:<{}} {:>10} {:>9.3f} {:>9.3f} {:>9.3f} {:>12.0f} {:>9}\n", m.key,
                       m.name, width, m.rows, m.Median(), m.Min(), m.Max(), m.RowsPerSecond(), rss);
  }
  if (!r.ratios.empty()) {
    size_t ratio_width = 5;
    for (const Ratio& q : r.ratios) ratio_width = std::max(ratio_width, q.name.size());
    out += fmt::format("\n{:<{}} {:>8}  {:<10} {}\n", "ratio (of medians)", ratio_width, "value",
                       "goal", "");
    for (const Ratio& q : r.ratios) {
      std::string value =
          q.value >= 1000 ? fmt::format("{:.0f}", q.value) : fmt::format("{:.2f}", q.value);
      out +=
          fmt::format("{:<{}} {:>8}  {:<10} {}\n", q.name, ratio_width, value, q.goal, q.verdict);
    }
  }
  if (!r.notes.empty()) {
    out += "\n";
    for (const std::string& note : r.notes) out += note + "\n";
  }
  out +=
      "\nPeak RSS is the largest over the runs; to see it flat in input size, compare --rows "
      "1000000 with --rows 10000000.\n";
  return out;
}

std::string ReportJson(const Report& r) {
  nlohmann::json j;
  j["lineitem_rows"] = r.lineitem_rows;
  j["runs"] = r.runs;
  j["seed"] = r.seed;
  j["batch_rows"] = r.batch_rows;
  j["data_bytes"] = r.data_bytes;
  j["measurements"] = nlohmann::json::array();
  for (const Measurement& m : r.measurements) {
    nlohmann::json e = {{"key", m.key},
                        {"name", m.name},
                        {"rows", m.rows},
                        {"median_seconds", m.Median()},
                        {"min_seconds", m.Min()},
                        {"max_seconds", m.Max()},
                        {"rows_per_second", m.RowsPerSecond()},
                        {"seconds", m.seconds}};
    if (!m.tool_seconds.empty()) e["zload_reported_seconds"] = m.tool_seconds;
    if (!m.peak_rss_kb.empty()) {
      e["peak_rss_kb"] = m.peak_rss_kb;
      e["max_peak_rss_kb"] = m.MaxRssKb();
    }
    j["measurements"].push_back(e);
  }
  j["ratios"] = nlohmann::json::array();
  for (const Ratio& q : r.ratios) {
    j["ratios"].push_back(
        {{"name", q.name}, {"value", q.value}, {"goal", q.goal}, {"verdict", q.verdict}});
  }
  j["notes"] = r.notes;
  return j.dump(2) + "\n";
}

}  // namespace zload::bench
