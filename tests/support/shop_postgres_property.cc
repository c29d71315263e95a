#include "tests/support/shop_postgres_property.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "engine/error.h"
#include "engine/zset.h"
#include "loader/job_config.h"
#include "loader/job_runner.h"
#include "tests/support/job_fixture.h"
#include "tests/support/pg_query.h"
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

// `sql` with `from` replaced by `to`; throws when `from` is not there, so that a changed view
// of ShopViews() cannot silently keep a PostgreSQL oracle written for its old text.
std::string Rewritten(const std::string& view, std::string sql, const std::string& from,
                      const std::string& to) {
  size_t at = sql.find(from);
  if (at == std::string::npos) {
    throw Error(ErrorCode::kInternal,
                "view " + view + " no longer holds '" + from + "': update its PostgreSQL oracle");
  }
  return sql.replace(at, from.size(), to);
}

// The PostgreSQL oracle of a view of ShopViews(). The shop views are written so that both
// engines define one result: joins and GROUP BY compare text by equality only; SUM(qty) is
// PostgreSQL numeric where SQLite gives INTEGER, which PgFieldValue reads as INTEGER; COUNT is
// bigint. Only the order of text differs: SQLite compares bytes, PostgreSQL by the database's
// collation, so text MIN/MAX say COLLATE "C" (byte order for UTF-8).
std::string PgOracle(const ShopView& v) {
  if (v.name == "line_item_stats") {
    return Rewritten(v.name, v.oracle_sql, "MIN(product_name)", "MIN(product_name COLLATE \"C\")");
  }
  return v.oracle_sql;
}

// Views whose SQLite semantics PostgreSQL's SELECT must spell differently. Each is compared with
// PostgreSQL's SELECT and with the SQLite store.
std::vector<ShopPostgresView> DialectViews() {
  return {
      // Integer division and remainder truncate toward zero in both engines; a zero divisor
      // gives NULL in SQLite and an error in PostgreSQL (hence NULLIF); a comparison is the
      // INTEGER 0 or 1 in SQLite and a boolean in PostgreSQL (hence the cast).
      {"item_arithmetic",
       "SELECT basket_id, qty / 2 AS half, qty % 3 AS rest, 12 / qty AS per, qty > 2 AS big "
       "FROM line_items",
       "",
       "SELECT basket_id, qty / 2 AS half, qty % 3 AS rest, 12 / NULLIF(qty, 0) AS per, "
       "(qty > 2)::integer AS big FROM line_items",
       ""},
      // Text order is byte order in SQLite ('Tv' < 'lamp, desk' < 'radio'), the collation's
      // in PostgreSQL (hence COLLATE "C"); TRUE is the INTEGER 1 in SQLite, a boolean in
      // PostgreSQL, and both keep the row.
      {"early_products",
       "SELECT DISTINCT product_name FROM line_items WHERE product_name < 'radio' AND TRUE", "",
       "SELECT DISTINCT product_name FROM line_items WHERE product_name < 'radio' COLLATE \"C\" "
       "AND TRUE",
       ""},
      // SUM and AVG of integers: INTEGER and REAL in SQLite, numeric in PostgreSQL (read back
      // as INTEGER when integral, else REAL: see PgFieldValue); NULL for groups of NULLs only.
      {"basket_means",
       "SELECT basket_id, AVG(qty) AS mean, SUM(qty) AS units, COUNT(qty) AS n FROM line_items "
       "GROUP BY basket_id",
       "",
       "SELECT basket_id, AVG(qty) AS mean, SUM(qty) AS units, COUNT(qty) AS n FROM line_items "
       "GROUP BY basket_id",
       ""},
  };
}

// The source blocks of the config, as in shop_job_property.cc; `order` says in which order the
// sources are listed (and so loaded).
// What RunJob did on one store.
struct StoreRun {
  RunSummary summary;
  std::optional<Error> failure;
  double seconds = 0;
};

StoreRun RunOn(const std::string& config_path, int64_t batch_rows,
               const ShopPropertyOptions& options) {
  StoreRun out;
  auto start = std::chrono::steady_clock::now();
  try {
    JobConfig config = LoadJobConfig(config_path);
    ProgressBar progress(stderr, false);
    RunOptions run_options;
    run_options.batch_rows = batch_rows;
    if (options.workers > 0) {
      run_options.workers = options.workers;
      run_options.flush_every_set = options.flush_every_set;
      run_options.worker_binary = options.worker_binary;
    }
    RunJob(std::move(config), run_options, progress, out.summary);
  } catch (const Error& e) {
    out.failure = e;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

// The outcome of one store's run against the plan: an abort stops at the bad row with a
// constraint error naming the file and line; any other run applies every good row and rejects
// (and logs) every bad one; views new to the store were built from the base tables.
void CheckOutcome(const StoreRun& r, const RunPlan& plan, const shop::InputFile (&files)[3],
                  const std::string& reject_log,
                  const std::vector<const ShopPostgresView*>& in_config,
                  const std::vector<bool>& built) {
  if (plan.mode == RunMode::kAbort) {
    ASSERT_TRUE(r.failure) << "RunJob did not stop at the bad row";
    const Error& error = *r.failure;
    EXPECT_EQ(error.code(), ErrorCode::kConstraint) << error.what();
    const int64_t header_lines = plan.failing == shop::kBaskets ? 0 : 1;
    EXPECT_EQ(error.context().line,
              static_cast<int64_t>(FirstBad(files[plan.failing])) + 1 + header_lines)
        << error.what();
    EXPECT_NE(error.context().file.find(kSourceNames[plan.failing]), std::string::npos)
        << error.what();
  } else {
    ASSERT_FALSE(r.failure) << "RunJob failed: " << r.failure->what();
    int64_t bad = 0;
    for (int s = 0; s < 3; ++s) {
      bad += files[s].bad;
      auto it = std::find_if(r.summary.sources.begin(), r.summary.sources.end(),
                             [&](const SourceSummary& x) { return x.name == kSourceNames[s]; });
      ASSERT_NE(it, r.summary.sources.end()) << kSourceNames[s];
      EXPECT_EQ(it->inserts, files[s].inserts) << kSourceNames[s];
      EXPECT_EQ(it->deletes, files[s].deletes) << kSourceNames[s];
      EXPECT_EQ(it->rejected, files[s].bad) << kSourceNames[s];
    }
    EXPECT_EQ(r.summary.rejected, bad);
    EXPECT_EQ(CountLines(reject_log), bad);
  }
  EXPECT_EQ(r.summary.views.size(), in_config.size());
  for (size_t i = 0; i < std::min(r.summary.views.size(), in_config.size()); ++i) {
    EXPECT_EQ(r.summary.views[i].name, in_config[i]->name);
    EXPECT_EQ(r.summary.views[i].built, built[i]) << in_config[i]->name;
  }
}

// Both stores against the model, their own SELECTs and each other; prints a line about the
// run. False on a mismatch.
bool CheckStores(PgReader& pg, const std::string& sqlite_db, const shop::Model& model,
                 const std::vector<const ShopPostgresView*>& in_config) {
  bool ok = true;
  auto check = [&](::testing::AssertionResult r) {
    EXPECT_TRUE(r);
    ok = ok && static_cast<bool>(r);
  };
  const char* table_sql[] = {"SELECT name, price FROM products",
                             "SELECT basket_id, product_name, qty FROM line_items",
                             "SELECT basket_id, customer FROM baskets"};
  for (int s = 0; s < 3; ++s) {
    const ZSet want = model.Table(static_cast<shop::Source>(s));
    const std::string table = std::string(kSourceNames[s]) + " table";
    check(ZSetsMatch(pg.Query(table_sql[s]), want, {}, "PostgreSQL " + table, "model"));
    check(ZSetsMatch(QueryStore(sqlite_db, table_sql[s]), want, {}, "SQLite " + table, "model"));
  }
  for (const ShopPostgresView* v : in_config) {
    check(PgViewMatchesSelect(pg, v->name, v->pg_oracle_sql));
    check(ViewMatchesSelect(sqlite_db, v->name, v->sqlite_oracle));
    check(ZSetsMatch(pg.ViewTable(v->name), ReadViewTable(sqlite_db, v->name), {},
                     "PostgreSQL view table " + v->name, "SQLite view table " + v->name));
  }
  return ok;
}

}  // namespace

const std::vector<ShopPostgresView>& ShopPostgresViews() {
  static const std::vector<ShopPostgresView> views = [] {
    std::vector<ShopPostgresView> out;
    for (const ShopView& v : ShopViews()) {
      out.push_back({v.name, v.sql, v.oracle_sql, PgOracle(v), v.reads_view});
    }
    for (ShopPostgresView& v : DialectViews()) {
      v.sqlite_oracle = v.sql;
      out.push_back(std::move(v));
    }
    return out;
  }();
  return views;
}

void RunShopPropertyOnPostgres(uint64_t seed, const std::string& pg_url,
                               const ShopPropertyOptions& options) {
  std::printf("shop job property on PostgreSQL: seed %llu\n",
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  shop::Rng rng(seed);
  const std::vector<ShopPostgresView>& views = ShopPostgresViews();
  const std::vector<int> first_run = DrawFirstRuns(rng, options, ShopPostgresViews());

  ScratchDir dir;
  const std::string sqlite_db = dir / "store.db";
  PgReader pg(pg_url);
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

    std::string body = SourcesToml(plan.order, run);
    std::vector<const ShopPostgresView*> in_config;
    std::vector<bool> built;
    for (size_t i = 0; i < views.size(); ++i) {
      if (first_run[i] > run) continue;
      in_config.push_back(&views[i]);
      built.push_back(first_run[i] == run);
      body += fmt::format("[[view]]\nname = \"{}\"\nsql = \"\"\"{}\"\"\"\n", views[i].name,
                          views[i].sql);
    }
    // One config per store, each with its own reject file.
    auto config = [&](const std::string& url, const std::string& rejects) {
      return fmt::format(
          "[store]\nurl = \"{}\"\n{}[run]\nbatch_rows = 10000\non_bad_row = \"{}\"\n"
          "reject_file = \"{}\"\nmax_errors = 100000\n",
          url, body, plan.mode == RunMode::kReject ? "reject" : "abort", rejects);
    };
    const std::string pg_rejects = fmt::format("rejects_pg_{}.csv", run);
    const std::string sqlite_rejects = fmt::format("rejects_{}.csv", run);
    const StoreRun on_pg =
        RunOn(dir.Write(fmt::format("job_pg_{}.toml", run), config(pg_url, pg_rejects)),
              plan.batch_rows, options);
    const StoreRun on_sqlite =
        RunOn(dir.Write(fmt::format("job_{}.toml", run), config("sqlite:store.db", sqlite_rejects)),
              plan.batch_rows, ShopPropertyOptions{});

    // What the stores must now hold: every file, except that an abort keeps the batches of the
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

    {
      SCOPED_TRACE("on PostgreSQL");
      CheckOutcome(on_pg, plan, files, dir / (pg_rejects + ".log"), in_config, built);
    }
    {
      SCOPED_TRACE("on SQLite");
      CheckOutcome(on_sqlite, plan, files, dir / (sqlite_rejects + ".log"), in_config, built);
    }
    if (::testing::Test::HasFailure() || !CheckStores(pg, sqlite_db, model, in_config)) {
      KeepFailedJob(dir, options, fmt::format("pg_seed_{}", seed),
                    " (the PostgreSQL database is not)");
      return;
    }
    std::string sizes;
    for (const ShopPostgresView* v : in_config) {
      sizes += fmt::format(" {}={}", v->name, pg.ViewTable(v->name).TotalWeight());
    }
    std::string rows;
    for (int s = 0; s < 3; ++s) {
      rows += fmt::format(" {} +{}-{}!{}", kSourceNames[s], files[s].inserts, files[s].deletes,
                          files[s].bad);
    }
    std::printf(
        "  %s; %.2fs on PostgreSQL, %.2fs on SQLite; rows (+insert -delete !bad):%s; "
        "view rows:%s\n",
        plan.trace.c_str(), on_pg.seconds, on_sqlite.seconds, rows.c_str(), sizes.c_str());
    std::fflush(stdout);
  }
}

}  // namespace zload::test
