#pragma once

// What the SQLite and PostgreSQL shop properties share: how each run is drawn from the seed and
// written as a config, and small helpers over its input files.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/scratch_dir.h"
#include "tests/support/shop_job_inputs.h"
#include "tests/support/shop_job_property.h"

namespace zload::test::shop {

// The [[source]] blocks of run `run`'s config, in `order` (positions in kSourceNames).
std::string SourcesToml(const std::vector<int>& order, int run);

// How one run treats bad rows.
enum class RunMode {
  kClean,   // no bad rows
  kReject,  // scattered bad rows of every kind, rejected under on_bad_row = "reject"
  kAbort,   // one bad delete in one file under on_bad_row = "abort": the run stops there
};

// What one run does, drawn from the seed.
struct RunPlan {
  int64_t batch_rows = 1;
  std::vector<int> order = {0, 1, 2};  // sources in config (and load) order
  RunMode mode = RunMode::kClean;
  int failing = -1;  // with kAbort: the source whose file has the bad delete
  std::string trace;
};

// Draws run `run` of `seed`.
RunPlan DrawPlan(Rng& rng, const ShopPropertyOptions& options, uint64_t seed, int run);

// The run in which each of `views` joins the config; a view over a view joins no earlier than
// the view it reads. `View` has `name` and `reads_view`.
template <class View>
std::vector<int> DrawFirstRuns(Rng& rng, const ShopPropertyOptions& options,
                               const std::vector<View>& views) {
  std::vector<int> first_run(views.size(), 0);
  for (int& r : first_run) {
    if (options.runs > 1 && Chance(rng, options.late_view_rate)) {
      r = static_cast<int>(Uniform(rng, 1, options.runs - 1));
    }
    r = std::max(r, std::min(options.first_view_run, options.runs - 1));
  }
  for (size_t i = 0; i < views.size(); ++i) {
    for (size_t j = 0; j < views.size(); ++j) {
      if (views[i].reads_view == views[j].name) first_run[i] = std::max(first_run[i], first_run[j]);
    }
  }
  return first_run;
}

// The position of the first bad row of `file` (its size when there is none).
size_t FirstBad(const InputFile& file);

// The number of lines of the file at `path` (0 when it does not exist).
int64_t CountLines(const std::string& path);

// With options.keep_failed_in, copies `dir` to <keep_failed_in>/<name> and says so, adding
// `note` to the message.
void KeepFailedJob(const ScratchDir& dir, const ShopPropertyOptions& options,
                   const std::string& name, const std::string& note = "");

}  // namespace zload::test::shop
