#include "tests/support/shop_job_plan.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <random>

namespace zload::test::shop {

std::string SourcesToml(const std::vector<int>& order, int run) {
  const std::string blocks[] = {
      fmt::format("[[source]]\nname = \"products\"\nfile = \"products_{}.csv\"\n"
                  "schema = \"name TEXT NOT NULL, price REAL NOT NULL\"\n"
                  "primary_key = [\"name\"]\nop_column = \"op\"\n",
                  run),
      fmt::format("[[source]]\nname = \"line_items\"\nfile = \"line_items_{}.csv\"\n"
                  "schema = \"basket_id INTEGER, product_name TEXT, qty INTEGER\"\n"
                  "op_column = \"op\"\n",
                  run),
      fmt::format("[[source]]\nname = \"baskets\"\nfile = \"baskets_{}.jsonl\"\n"
                  "schema = \"basket_id INTEGER, customer TEXT\"\nop_column = \"op\"\n",
                  run),
  };
  std::string out;
  for (int i : order) out += blocks[i];
  return out;
}

RunPlan DrawPlan(Rng& rng, const ShopPropertyOptions& options, uint64_t seed, int run) {
  RunPlan plan;
  plan.batch_rows = Uniform(rng, 1, options.max_batch_rows);
  std::shuffle(plan.order.begin(), plan.order.end(), rng);
  double draw = std::uniform_real_distribution<double>(0, 1)(rng);
  if (draw < options.abort_run_rate) {
    plan.mode = RunMode::kAbort;
    plan.failing = static_cast<int>(Uniform(rng, 0, 2));
  } else if (draw < options.abort_run_rate + options.reject_run_rate) {
    plan.mode = RunMode::kReject;
  }
  const char* mode = plan.mode == RunMode::kClean    ? "clean"
                     : plan.mode == RunMode::kReject ? "reject"
                                                     : "abort in ";
  plan.trace = fmt::format("seed {} run {}: batch_rows {}, sources in order {},{},{}, {}{}", seed,
                           run, plan.batch_rows, kSourceNames[plan.order[0]],
                           kSourceNames[plan.order[1]], kSourceNames[plan.order[2]], mode,
                           plan.failing >= 0 ? kSourceNames[plan.failing] : "");
  return plan;
}

size_t FirstBad(const InputFile& file) {
  return static_cast<size_t>(std::find_if(file.changes.begin(), file.changes.end(),
                                          [](const Change& c) { return c.bad; }) -
                             file.changes.begin());
}

int64_t CountLines(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return 0;
  int64_t n = 0;
  for (int c; (c = std::fgetc(f)) != EOF;) n += c == '\n';
  std::fclose(f);
  return n;
}

void KeepFailedJob(const ScratchDir& dir, const ShopPropertyOptions& options,
                   const std::string& name, const std::string& note) {
  if (options.keep_failed_in.empty()) return;
  std::filesystem::path to = std::filesystem::path(options.keep_failed_in) / name;
  std::filesystem::remove_all(to);
  std::filesystem::create_directories(to);
  std::filesystem::copy(dir.path(), to, std::filesystem::copy_options::recursive);
  std::printf("  the failing job is kept in %s%s\n", to.string().c_str(), note.c_str());
}

}  // namespace zload::test::shop
