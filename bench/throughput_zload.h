#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/throughput_child.h"
#include "bench/throughput_data.h"

namespace zload::bench {

// One [[source]] of a generated job config.
struct JobSource {
  std::string name;    // the base table
  std::string file;    // absolute path of its CSV file
  std::string schema;  // also the baselines' column definitions
  std::vector<std::string> primary_key;
};

// One [[view]] of a generated job config.
struct JobView {
  std::string name;
  std::string sql;
};

// The TPC-H-like base tables over `data`'s full files, or, with `delta`, over the delta files
// (lineitem's 1% delta; customer and orders header-only).
std::vector<JobSource> TpchSources(const DataSet& data, bool delta);
// The three measured views: revenue per nation (3-way join + GROUP BY), DISTINCT, MIN/MAX with
// HAVING.
std::vector<JobView> TpchViews();
// The shop demo's products and line_items over `data`'s generated shop files.
std::vector<JobSource> ShopSources(const DataSet& data);
// The shop demo's join + group view, basket_totals.
std::vector<JobView> ShopViews();

// Writes a job config with these sources and views and [run] batch_rows to `path`.
// Throws Error(kIo) when it cannot be written.
void WriteJobConfig(const std::string& path, const std::vector<JobSource>& sources,
                    const std::vector<JobView>& views, int64_t batch_rows);

// What one `zload run` did.
struct ZloadRun {
  ChildRun child;            // wall time and peak RSS of the zload process
  double tool_seconds = 0;   // the run's own "seconds" from its --json summary
  int64_t rows = 0;          // rows loaded over all sources, from the summary
  std::string summary_json;  // the --json summary as written
};

// Runs `zload run JOB --store sqlite:STORE -q --json <scratch>.json` as a child process (its
// output appended to <scratch>.log) and reads its summary. Throws Error(kInternal) with the
// log's tail when zload exits non-zero.
ZloadRun RunZload(const std::string& zload, const std::string& job, const std::string& store,
                  const std::string& scratch);

}  // namespace zload::bench
