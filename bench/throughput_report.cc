#include "bench/throughput_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace zload::bench {

namespace {

double MedianOf(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string RenderRatios(const std::vector<Ratio>& ratios) {
  size_t ratio_width = 5;
  for (const Ratio& q : ratios) ratio_width = std::max(ratio_width, q.name.size());
  std::string out = fmt::format("{:<{}} {:>8}  {:<10} {}\n", "ratio (of medians)", ratio_width,
                                "value", "goal", "");
  for (const Ratio& q : ratios) {
    std::string value =
        q.value >= 1000 ? fmt::format("{:.0f}", q.value) : fmt::format("{:.2f}", q.value);
    out += fmt::format("{:<{}} {:>8}  {:<10} {}\n", q.name, ratio_width, value, q.goal, q.verdict);
  }
  return out;
}

std::string RenderParallel(const Report& r) {
  std::string out =
      "\nparallel workers: median/min/max wall seconds over the runs, zload's own median "
      "seconds, rows/s of the median, speed-up over 1 worker\n\n";
  size_t width = 4;
  for (const ParallelMeasurement& p : r.parallel) width = std::max(width, p.load.size());
  out += fmt::format("{:<8} {:<{}} {:>7} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9} {:>12} {:>8}\n",
                     "store", "load", width, "workers", "flush", "rows", "median s", "min s",
                     "max s", "zload s", "rows/s", "speed-up");
  for (const ParallelMeasurement& p : r.parallel) {
    const Measurement& m = p.m;
    out += fmt::format(
        "{:<8} {:<{}} {:>7} {:>5} {:>10} {:>9.3f} {:>9.3f} {:>9.3f} {:>9} {:>12.0f} {:>8}\n",
        p.store, p.load, width, p.workers > 0 ? std::to_string(p.workers) : "-",
        p.flush.empty() ? "-" : p.flush, m.rows, m.Median(), m.Min(), m.Max(),
        m.tool_seconds.empty() ? "-" : fmt::format("{:.3f}", m.ToolMedian()), m.RowsPerSecond(),
        p.speedup > 0 ? fmt::format("{:.2f}x", p.speedup) : "-");
  }
  if (!r.parallel_ratios.empty()) out.append("\n").append(RenderRatios(r.parallel_ratios));
  if (!r.parallel_notes.empty()) {
    out += "\n";
    for (const std::string& note : r.parallel_notes) out += note + "\n";
  }
  return out;
}

// The single-store measurements (a) .. (h), their goals and notes.
std::string RenderSerial(const Report& r) {
  std::string out;
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
  if (!r.ratios.empty()) out.append("\n").append(RenderRatios(r.ratios));
  if (!r.notes.empty()) {
    out += "\n";
    for (const std::string& note : r.notes) out += note + "\n";
  }
  out +=
      "\nPeak RSS is the largest over the runs; to see it flat in input size, compare --rows "
      "1000000 with --rows 10000000.\n";
  return out;
}

}  // namespace

double Measurement::Median() const { return MedianOf(seconds); }

double Measurement::ToolMedian() const { return MedianOf(tool_seconds); }

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
      "zload throughput: {} lineitem rows ({} keys), {} run(s) each, seed {}, batch_rows {}, "
      "{:.1f} MB of input\n",
      r.lineitem_rows, r.order, r.runs, r.seed, r.batch_rows,
      static_cast<double>(r.data_bytes) / 1e6);
  if (!r.measurements.empty()) out.append("\n").append(RenderSerial(r));
  if (!r.parallel.empty()) out += RenderParallel(r);
  return out;
}

std::string ReportJson(const Report& r) {
  nlohmann::json j;
  j["lineitem_rows"] = r.lineitem_rows;
  j["runs"] = r.runs;
  j["seed"] = r.seed;
  j["order"] = r.order;
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
  if (!r.parallel.empty()) {
    nlohmann::json parallel = {{"measurements", nlohmann::json::array()},
                               {"ratios", nlohmann::json::array()},
                               {"notes", r.parallel_notes}};
    for (const ParallelMeasurement& p : r.parallel) {
      const Measurement& m = p.m;
      nlohmann::json e = {{"store", p.store},
                          {"load", p.load},
                          {"workers", p.workers},
                          {"flush_every_set", p.flush},
                          {"rows", m.rows},
                          {"median_seconds", m.Median()},
                          {"min_seconds", m.Min()},
                          {"max_seconds", m.Max()},
                          {"rows_per_second", m.RowsPerSecond()},
                          {"seconds", m.seconds}};
      if (!m.tool_seconds.empty()) {
        e["zload_reported_seconds"] = m.tool_seconds;
        e["zload_median_seconds"] = m.ToolMedian();
      }
      if (p.speedup > 0) e["speedup_over_1_worker"] = p.speedup;
      parallel["measurements"].push_back(e);
    }
    for (const Ratio& q : r.parallel_ratios) {
      parallel["ratios"].push_back(
          {{"name", q.name}, {"value", q.value}, {"goal", q.goal}, {"verdict", q.verdict}});
    }
    j["parallel"] = parallel;
  }
  return j.dump(2) + "\n";
}

}  // namespace zload::bench
