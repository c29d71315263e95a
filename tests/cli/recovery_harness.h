#pragma once

// The job the recovery tests kill and resume: products with replaces (a primary key), line
// items with deletes of earlier rows, a join + GROUP BY view and a MIN/MAX/COUNT view; and a way
// to run the binary with the test-only fault hooks in its environment.
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "tests/cli/cli_harness.h"

namespace zload::test {

inline constexpr const char* kTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";
inline constexpr const char* kRangeSql =
    "SELECT product_name, MIN(qty) AS least, MAX(qty) AS most, COUNT(*) AS n FROM line_items "
    "GROUP BY product_name";

// Products with replaces (a primary key) and line items with deletes of earlier rows.
// `items` line items in all.
inline void WriteInputs(const ScratchDir& dir, uint64_t seed, int items_count = 160) {
  std::mt19937_64 rng(seed);
  std::string products = "name,price\n";
  for (int i = 0; i < 40; ++i) {
    products += "p" + std::to_string(rng() % 25) + "," + std::to_string(1 + rng() % 900) + ".5\n";
  }
  std::string items = "basket_id,product_name,qty,op\n";
  std::vector<std::string> live;
  for (int i = 0; i < items_count; ++i) {
    if (!live.empty() && rng() % 5 == 0) {
      size_t k = rng() % live.size();
      items += live[k] + ",-\n";
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
      continue;
    }
    std::string row = std::to_string(rng() % 30) + ",p" + std::to_string(rng() % 27) + "," +
                      std::to_string(1 + rng() % 9);
    live.push_back(row);
    items += row + ",+\n";
  }
  dir.Write("products.csv", products);
  dir.Write("items.csv", items);
}

// The job's config; `store` is a store URL.
inline std::string Config(const std::string& store, const std::string& run) {
  return "[store]\nurl = \"" + store +
         "\"\n"
         "[[source]]\nname = \"products\"\nfile = \"products.csv\"\n"
         "schema = \"name TEXT NOT NULL, price REAL NOT NULL\"\nprimary_key = [\"name\"]\n"
         "[[source]]\nname = \"line_items\"\nfile = \"items.csv\"\n"
         "schema = \"basket_id INTEGER, product_name TEXT, qty INTEGER\"\nop_column = \"op\"\n"
         "[[view]]\nname = \"basket_totals\"\nsql = \"" +
         std::string(kTotalsSql) + "\"\n[[view]]\nname = \"qty_range\"\nsql = \"" + kRangeSql +
         "\"\n[run]\nbatch_rows = 7\n" + run;
}

// Runs the binary in `dir` with `env` (NAME=value ...) before it.
inline CliResult RunWithEnv(const ScratchDir& dir, const std::string& env,
                            const std::string& args) {
  std::string cmd = "cd '" + dir.path().string() + "' && " + env + " '" ZLOAD_BINARY "' " + args +
                    " > cli.stdout 2> cli.stderr < /dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = ReadFile(dir / "cli.stdout");
  r.err = ReadFile(dir / "cli.stderr");
  return r;
}

// One cell of the fault matrix: where to kill, how many workers, flush_every_set.
struct KillCase {
  std::string point;
  int workers = 1;
  bool flush = false;
};

// The delay vertices of the job (Config) that a batch of line items commits one by one with
// flush_every_set: basket_totals' join and group and qty_range's group.
inline constexpr int kVertexCommits = 3;

// Every fault point, committing per batch and per delay vertex, run once with the first worker
// count of `workers` and once with one of the others, taken in turn from point to point (so that
// each point runs with one worker and with several, and each count runs at several points). In a
// worker: "mid-parse" once the batch's first record is read, "after-parse", before and after
// each delay vertex's commit (flush_every_set only), before and after last_update is set and
// after the journal entry is written in the batch's last transaction, before and after that
// commit; in the coordinator: "after-handout" (the batch has its time and a worker) and
// "after-done" (its result is in).
inline std::vector<KillCase> KillCases(const std::vector<int>& workers) {
  std::vector<KillCase> out;
  size_t turn = 0;  // which of the other worker counts the next point takes
  for (bool flush : {false, true}) {
    std::vector<std::string> points = {"mid-parse", "after-parse"};
    for (int k = 1; flush && k <= kVertexCommits; ++k) {
      points.push_back("before-vertex-commit-" + std::to_string(k));
      points.push_back("after-vertex-commit-" + std::to_string(k));
    }
    for (const char* p :
         {"before-last-update", "after-last-update", "after-journal-write", "before-commit",
          "after-commit", "coordinator-after-handout", "coordinator-after-done"}) {
      points.emplace_back(p);
    }
    for (const std::string& point : points) {
      out.push_back({point, workers.front(), flush});
      if (workers.size() > 1) {
        out.push_back({point, workers[1 + turn++ % (workers.size() - 1)], flush});
      }
    }
  }
  // Without workers: the coordinator killed after a batch is applied, then resumed.
  out.push_back({"coordinator-after-done", 0, false});
  return out;
}

inline std::string KillCaseName(const KillCase& c) {
  std::string name = c.point + "_" + std::to_string(c.workers) + (c.flush ? "_flush" : "_batch");
  for (char& ch : name) ch = ch == '-' ? '_' : ch;
  return name;
}

}  // namespace zload::test
