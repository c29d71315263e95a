#include "tests/support/shop_job_property.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "engine/error.h"
#include "engine/zset.h"
#include "loader/job_config.h"
#include "loader/job_runner.h"
#include "tests/support/job_fixture.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/shop_job_inputs.h"
#include "tests/support/shop_job_plan.h"

namespace zload::test {
namespace {

using shop::CountLines;
using shop::DrawFirstRuns;
using shop::DrawPlan;
using shop::FirstBad;
using shop::KeepFailedJob;
using shop::kSourceNames;
using shop::RunMode;
using shop::RunPlan;
using shop::SourcesToml;

constexpr const char* kTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";

std::vector<ShopView> BuildViews() {
  std::string inlined_totals = std::string("(") + kTotalsSql + ")";
  return {
      // The demo's join + GROUP BY SUM.
      {"basket_totals", kTotalsSql, kTotalsSql, ""},
      // LEFT JOIN + GROUP BY: products without line items count one row with NULLs.
      {"product_sales",
       "SELECT p.name, COUNT(*) AS line_items, SUM(l.qty) AS units FROM products p LEFT JOIN "
       "line_items l ON l.product_name = p.name GROUP BY p.name",
       "", ""},
      // A plain inner join, its key NULL on both sides (NULL never matches NULL).
      {"item_customers",
       "SELECT l.basket_id, l.product_name, l.qty, b.customer FROM line_items l JOIN baskets b "
       "ON b.basket_id = l.basket_id",
       "", ""},
      // A 3-way join + GROUP BY with COUNT(*).
      {"customer_products",
       "SELECT b.customer, p.name, COUNT(*) AS n, SUM(l.qty) AS units, COUNT(l.qty) AS counted "
       "FROM baskets b JOIN line_items l ON l.basket_id = b.basket_id JOIN products p ON "
       "p.name = l.product_name GROUP BY b.customer, p.name",
       "", ""},
      // DISTINCT over a join.
      {"customer_items",
       "SELECT DISTINCT b.customer, l.product_name FROM baskets b JOIN line_items l ON "
       "l.basket_id = b.basket_id",
       "", ""},
      // MIN/MAX (over a join, so deleted extremes must be replaced) with HAVING COUNT(*) > 1.
      {"basket_price_range",
       "SELECT l.basket_id, MIN(p.price) AS cheapest, MAX(p.price) AS dearest, MIN(l.qty) AS "
       "fewest, MAX(l.qty) AS most, COUNT(*) AS n FROM line_items l JOIN products p ON p.name = "
       "l.product_name GROUP BY l.basket_id HAVING COUNT(*) > 1",
       "", ""},
      // A LEFT JOIN without aggregation: baskets with a NULL id keep one NULL-extended row.
      {"basket_contents",
       "SELECT b.basket_id, b.customer, l.product_name, l.qty FROM baskets b LEFT JOIN "
       "line_items l ON l.basket_id = b.basket_id",
       "", ""},
      // A view over a view with a WHERE.
      {"big_baskets",
       "SELECT t.basket_id, t.total, b.customer FROM basket_totals t JOIN baskets b ON "
       "b.basket_id = t.basket_id WHERE t.total > 20",
       "SELECT t.basket_id, t.total, b.customer FROM " + inlined_totals +
           " t JOIN baskets b ON b.basket_id = t.basket_id WHERE t.total > 20",
       "basket_totals"},
      // DISTINCT over one source with a WHERE.
      {"ordered_products", "SELECT DISTINCT product_name FROM line_items WHERE qty > 0", "", ""},
      // A global aggregate: exactly one row, even over empty tables.
      {"line_item_stats",
       "SELECT COUNT(*) AS n, SUM(qty) AS units, MIN(product_name) AS first_name, "
       "MAX(basket_id) AS last_basket FROM line_items",
       "", ""},
  };
}

// The source blocks of the config; `order` says in which order the sources are listed (and so
// loaded).
// The summary of a run that finished: every good row applied, every bad one rejected (and
// logged).
void CheckSummary(const RunSummary& summary, const shop::InputFile (&files)[3],
                  const std::string& reject_log) {
  int64_t bad = 0;
  for (int s = 0; s < 3; ++s) {
    bad += files[s].bad;
    auto it = std::find_if(summary.sources.begin(), summary.sources.end(),
                           [&](const SourceSummary& x) { return x.name == kSourceNames[s]; });
    ASSERT_NE(it, summary.sources.end()) << kSourceNames[s];
    EXPECT_EQ(it->inserts, files[s].inserts) << kSourceNames[s];
    EXPECT_EQ(it->deletes, files[s].deletes) << kSourceNames[s];
    EXPECT_EQ(it->rejected, files[s].bad) << kSourceNames[s];
  }
  EXPECT_EQ(summary.rejected, bad);
  EXPECT_EQ(CountLines(reject_log), bad);
}

// The error of a run stopped by the bad delete of source `failing`: a constraint error naming
// the file and the line of the row.
void CheckAbort(const Error& error, int failing, const shop::InputFile& file) {
  EXPECT_EQ(error.code(), ErrorCode::kConstraint) << error.what();
  const int64_t header_lines = failing == shop::kBaskets ? 0 : 1;
  EXPECT_EQ(error.context().line, static_cast<int64_t>(FirstBad(file)) + 1 + header_lines)
      << error.what();
  EXPECT_NE(error.context().file.find(kSourceNames[failing]), std::string::npos) << error.what();
}

// The store against the model and SQLite; prints a line about the run. False on a mismatch.
bool CheckStore(const std::string& db, const shop::Model& model,
                const std::vector<const ShopView*>& in_config, const RunPlan& plan,
                const shop::InputFile (&files)[3]) {
  bool ok = true;
  auto check = [&](::testing::AssertionResult r) {
    EXPECT_TRUE(r);
    ok = ok && static_cast<bool>(r);
  };
  // The base tables hold what the files say.
  const char* table_sql[] = {"SELECT name, price FROM products",
                             "SELECT basket_id, product_name, qty FROM line_items",
                             "SELECT basket_id, customer FROM baskets"};
  for (int s = 0; s < 3; ++s) {
    check(ZSetsMatch(QueryStore(db, table_sql[s]), model.Table(static_cast<shop::Source>(s)), {},
                     std::string(kSourceNames[s]) + " table", "model"));
  }
  // Every view equals SQLite's own SELECT over the base tables.
  std::string sizes;
  for (const ShopView* v : in_config) {
    check(ViewMatchesSelect(db, v->name, v->oracle_sql));
    sizes += fmt::format(" {}={}", v->name, ReadViewTable(db, v->name).TotalWeight());
  }
  std::string rows;
  for (int s = 0; s < 3; ++s) {
    rows += fmt::format(" {} +{}-{}!{}", kSourceNames[s], files[s].inserts, files[s].deletes,
                        files[s].bad);
  }
  std::printf("  %s; rows (+insert -delete !bad):%s; view rows:%s\n", plan.trace.c_str(),
              rows.c_str(), sizes.c_str());
  return ok;
}

}  // namespace

const std::vector<ShopView>& ShopViews() {
  static const std::vector<ShopView> views = [] {
    std::vector<ShopView> v = BuildViews();
    for (ShopView& view : v) {
      if (view.oracle_sql.empty()) view.oracle_sql = view.sql;
    }
    return v;
  }();
  return views;
}

void RunShopProperty(uint64_t seed, const ShopPropertyOptions& options) {
  std::printf("shop job property: seed %llu\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  shop::Rng rng(seed);
  const std::vector<ShopView>& views = ShopViews();
  const std::vector<int> first_run = DrawFirstRuns(rng, options, ShopViews());

  ScratchDir dir;
  const std::string db = dir / "store.db";
  shop::Model model;
  std::set<std::string> seen[3];
  for (int run = 0; run < options.runs; ++run) {
    const RunPlan plan = DrawPlan(rng, options, seed, run);
    SCOPED_TRACE(plan.trace);

    shop::InputFile files[3];
    for (int s = 0; s < 3; ++s) {
      shop::BadRows bad;
      if (plan.mode == RunMode::kReject) bad.rate = 0.08;
      bad.one_bad_delete = s == plan.failing;
      files[s] = shop::NewFile(rng, model, static_cast<shop::Source>(s), options.max_rows_per_file,
                               bad, seen[s]);
    }
    dir.Write(fmt::format("products_{}.csv", run), files[shop::kProducts].text);
    dir.Write(fmt::format("line_items_{}.csv", run), files[shop::kLineItems].text);
    dir.Write(fmt::format("baskets_{}.jsonl", run), files[shop::kBaskets].text);

    std::string toml = "[store]\nurl = \"sqlite:store.db\"\n" + SourcesToml(plan.order, run);
    std::vector<const ShopView*> in_config;
    for (size_t i = 0; i < views.size(); ++i) {
      if (first_run[i] > run) continue;
      in_config.push_back(&views[i]);
      toml += fmt::format("[[view]]\nname = \"{}\"\nsql = \"\"\"{}\"\"\"\n", views[i].name,
                          views[i].sql);
    }
    const std::string rejects = fmt::format("rejects_{}.csv", run);
    toml += fmt::format(
        "[run]\nbatch_rows = 10000\non_bad_row = \"{}\"\nreject_file = \"{}\"\n"
        "max_errors = 100000\n",
        plan.mode == RunMode::kReject ? "reject" : "abort", rejects);

    RunSummary summary;
    std::optional<Error> failure;
    try {
      JobConfig config = LoadJobConfig(dir.Write(fmt::format("job_{}.toml", run), toml));
      ProgressBar progress(stderr, false);
      RunOptions run_options;
      run_options.batch_rows = plan.batch_rows;
      if (options.workers > 0) {
        run_options.workers = options.workers;
        run_options.flush_every_set = options.flush_every_set;
        run_options.worker_binary = options.worker_binary;
      }
      RunJob(std::move(config), run_options, progress, summary);
    } catch (const Error& e) {
      failure = e;
    }

    // What the store must now hold: every file, except that an abort keeps the batches of the
    // failing file before the one with the bad row, and nothing of the files after it.
    for (int s : plan.order) {
      size_t applied = files[s].changes.size();
      if (s == plan.failing) {
        const size_t batch = static_cast<size_t>(plan.batch_rows);
        applied = FirstBad(files[s]) / batch * batch;
      }
      model.Apply(static_cast<shop::Source>(s), files[s].changes, applied);
      if (s == plan.failing) break;
    }

    if (plan.mode == RunMode::kAbort) {
      if (!failure) {
        ADD_FAILURE() << "RunJob did not stop at the bad row";
        KeepFailedJob(dir, options, fmt::format("seed_{}", seed));
        return;
      }
      CheckAbort(*failure, plan.failing, files[plan.failing]);
    } else {
      if (failure) {
        ADD_FAILURE() << "RunJob failed: " << failure->what();
        KeepFailedJob(dir, options, fmt::format("seed_{}", seed));
        return;
      }
      CheckSummary(summary, files, dir / (rejects + ".log"));
    }
    // Views new to the store were built from the base tables, whether or not the run finished.
    EXPECT_EQ(summary.views.size(), in_config.size());
    for (size_t i = 0; i < std::min(summary.views.size(), in_config.size()); ++i) {
      EXPECT_EQ(summary.views[i].name, in_config[i]->name);
      const size_t index = static_cast<size_t>(in_config[i] - views.data());
      EXPECT_EQ(summary.views[i].built, first_run[index] == run) << in_config[i]->name;
    }
    if (!CheckStore(db, model, in_config, plan, files) || ::testing::Test::HasFailure()) {
      KeepFailedJob(dir, options, fmt::format("seed_{}", seed));
      return;
    }
  }
}

}  // namespace zload::test
