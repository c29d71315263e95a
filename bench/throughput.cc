// bench/throughput: the loader's throughput driver. Generates a TPC-H-like data set, runs the
// real `zload` binary on it (base tables only; with three views; a 1% delta batch; the shop
// demo's view) and, in the same run and on the same files, the baselines: `sqlite3 .import`, a
// prepared-INSERT loop and a full recompute of the views with CREATE TABLE AS SELECT. Prints
// median/min/max seconds, rows/s, peak RSS and the goals; never asserts on time. With
// --workers, it measures zload's worker processes on SQLite and PostgreSQL instead, beside psql
// \copy and pgloader (bench/throughput_parallel.h). See bench/README.md.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "bench/throughput_baselines.h"
#include "bench/throughput_data.h"
#include "bench/throughput_parallel.h"
#include "bench/throughput_report.h"
#include "bench/throughput_zload.h"
#include "engine/error.h"

#ifndef ZLOAD_BINARY_PATH
#define ZLOAD_BINARY_PATH "zload"
#endif
#ifndef ZLOAD_SQLITE3_PATH
#define ZLOAD_SQLITE3_PATH "/usr/bin/sqlite3"
#endif
#ifndef ZLOAD_PSQL_PATH
#define ZLOAD_PSQL_PATH "/usr/bin/psql"
#endif
#ifndef ZLOAD_PGLOADER_PATH
#define ZLOAD_PGLOADER_PATH "/usr/bin/pgloader"
#endif

namespace zload::bench {
namespace {

namespace fs = std::filesystem;

// The driver's settings, from the command line.
struct Options {
  int64_t rows = 1'000'000;
  int runs = 5;
  std::string dir;  // empty: a temporary directory, removed at the end
  uint64_t seed = 20240601;
  KeyOrder order = KeyOrder::kRandom;
  int64_t batch_rows = 10000;
  std::string json;
  std::string zload = ZLOAD_BINARY_PATH;
  std::string sqlite3 = ZLOAD_SQLITE3_PATH;
  bool serial = false;       // with --workers: also run (a) .. (g)
  ParallelOptions parallel;  // the parallel section runs when parallel.workers is not empty
};

// The work directory: a given one is kept, a temporary one is removed with everything in it.
class WorkDir {
 public:
  explicit WorkDir(const std::string& dir) {
    if (!dir.empty()) {
      fs::create_directories(dir);
      path_ = fs::absolute(dir).string();
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "zload-throughput-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      throw Error(ErrorCode::kIo, "cannot create a temporary directory", {.file = pattern});
    }
    path_ = pattern;
    temporary_ = true;
  }
  ~WorkDir() {
    std::error_code ignored;
    if (temporary_) fs::remove_all(path_, ignored);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_ = false;
};

// Removes an SQLite database and its WAL and shared-memory files, so a run starts fresh.
void RemoveDatabase(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ignored;
    fs::remove(db + suffix, ignored);
  }
}

void Require(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kConfig, message);
}

// Records one zload run into `m`.
void Record(Measurement& m, const ZloadRun& run) {
  m.seconds.push_back(run.child.seconds);
  m.peak_rss_kb.push_back(run.child.peak_rss_kb);
  m.tool_seconds.push_back(run.tool_seconds);
}

std::string Verdict(bool met) { return met ? "met" : "NOT met"; }

// Checks the views in `store` against SQLite's SELECT and says how it went, as a report note.
std::string CheckNote(const std::string& store, const std::vector<JobView>& views,
                      const std::string& when) {
  std::vector<std::string> problems = CheckViews(store, views);
  if (problems.empty()) return fmt::format("views after {}: equal to SQLite's SELECT", when);
  std::string note = fmt::format("views after {}: DIFFER from SQLite's SELECT:", when);
  for (const std::string& p : problems) note += "\n  " + p;
  return note;
}

// The single-store measurements (a) .. (g) and their goals, into `report`.
void MeasureSerial(const Options& o, const std::string& dir, const DataSet& data, Report& report) {
  std::vector<JobSource> sources = TpchSources(data, false);
  std::vector<JobView> views = TpchViews();
  std::string base_job = dir + "/base.toml", views_job = dir + "/views.toml";
  std::string delta_job = dir + "/delta.toml", shop_job = dir + "/shop.toml";
  WriteJobConfig(base_job, sources, {}, o.batch_rows);
  WriteJobConfig(views_job, sources, views, o.batch_rows);
  WriteJobConfig(delta_job, TpchSources(data, true), views, o.batch_rows);
  WriteJobConfig(shop_job, ShopSources(data), ShopViews(), o.batch_rows);

  int64_t base_rows = data.BaseRows();
  Measurement a{"a", "zload: base tables only", base_rows};
  Measurement b{"b", "zload: base tables + 3 views", base_rows};
  Measurement c{"c", "zload: 1% lineitem delta after (b)", data.delta_rows};
  Measurement d{"d", "sqlite3 .import (typed tables)", base_rows};
  Measurement e{"e", "prepared INSERT loop, one transaction", base_rows};
  Measurement f{"f", "recompute 3 views (CREATE TABLE AS)", base_rows};
  std::vector<Measurement> f_views;
  for (const JobView& v : views) f_views.push_back({"f", "  recompute " + v.name, base_rows});
  Measurement g{"g", "zload: shop join+group (basket_totals)",
                data.line_item_rows + data.product_rows};

  for (int run = 0; run < o.runs; ++run) {
    std::string prefix = fmt::format("{}/run{}", dir, run + 1);
    std::string store_a = prefix + "_a.db", store_b = prefix + "_b.db";
    std::string db_d = prefix + "_d.db", db_e = prefix + "_e.db", store_g = prefix + "_g.db";
    for (const std::string& db : {store_a, store_b, db_d, db_e, store_g}) RemoveDatabase(db);

    Record(a, RunZload(o.zload, base_job, store_a, prefix + "_a"));
    RemoveDatabase(store_a);
    Record(b, RunZload(o.zload, views_job, store_b, prefix + "_b"));
    if (run == 0) report.notes.push_back(CheckNote(store_b, views, "(b)"));
    Record(c, RunZload(o.zload, delta_job, store_b, prefix + "_c"));
    if (run == 0) report.notes.push_back(CheckNote(store_b, views, "(c)"));
    RemoveDatabase(store_b);

    ChildRun import = RunSqliteImport(o.sqlite3, sources, db_d, prefix + "_d.sql");
    d.seconds.push_back(import.seconds);
    d.peak_rss_kb.push_back(import.peak_rss_kb);
    if (run == 0) {
      int64_t imported = 0;
      for (const JobSource& s : sources) imported += CountRows(db_d, s.name);
      Require(imported == base_rows,
              fmt::format("sqlite3 .import loaded {} rows, expected {}", imported, base_rows));
    }
    e.seconds.push_back(RunPreparedLoop(sources, db_e));
    if (run == 0) {
      Require(CountRows(db_e, "lineitem") == data.lineitem_rows,
              "the prepared loop loaded a wrong number of lineitem rows");
    }
    RemoveDatabase(db_e);
    std::vector<double> recompute = RunRecompute(db_d, views);
    double total = 0;
    for (size_t i = 0; i < recompute.size(); ++i) {
      f_views[i].seconds.push_back(recompute[i]);
      total += recompute[i];
    }
    f.seconds.push_back(total);
    RemoveDatabase(db_d);

    Record(g, RunZload(o.zload, shop_job, store_g, prefix + "_g"));
    RemoveDatabase(store_g);
    std::fprintf(stderr,
                 "run %d/%d: a %.2fs  b %.2fs  c %.3fs  d %.2fs  e %.2fs  f %.2fs  g %.2fs\n",
                 run + 1, o.runs, a.seconds.back(), b.seconds.back(), c.seconds.back(),
                 d.seconds.back(), e.seconds.back(), f.seconds.back(), g.seconds.back());
  }

  report.measurements = {a, b, c, d, e, f};
  for (const Measurement& m : f_views) report.measurements.push_back(m);
  report.measurements.push_back(g);

  double rss_b_mb = static_cast<double>(b.MaxRssKb()) / 1024;
  bool at_10m = o.rows >= 10'000'000;
  report.ratios = {
      {"(d)/(a): .import time / zload base-only time", d.Median() / a.Median(), ">= 1.5",
       Verdict(d.Median() / a.Median() >= 1.5)},
      {"(e)/(a): prepared loop time / zload base-only time", e.Median() / a.Median(), "> 1",
       Verdict(e.Median() / a.Median() > 1)},
      {"(b)/(a): base + 3 views time / base-only time", b.Median() / a.Median(), "<= 2",
       Verdict(b.Median() / a.Median() <= 2)},
      {"(f)/(c): recompute time / 1% delta time", f.Median() / c.Median(), ">= 20",
       Verdict(f.Median() / c.Median() >= 20)},
      {"(g): shop join+group input rows/s", g.RowsPerSecond(), ">= 300000",
       Verdict(g.RowsPerSecond() >= 300000)},
      {"(h): peak RSS of (a), MB", static_cast<double>(a.MaxRssKb()) / 1024, "flat",
       "compare sizes"},
      {"(h): peak RSS of (b), MB", rss_b_mb, "<= 300",
       at_10m ? Verdict(rss_b_mb <= 300) : "judged at --rows 10000000"},
  };
}

Report Measure(const Options& o, const std::string& dir) {
  auto t0 = std::chrono::steady_clock::now();
  std::fprintf(stderr, "generating %lld lineitem rows in %s ...\n", static_cast<long long>(o.rows),
               dir.c_str());
  DataSet data = GenerateDataSet(dir, o.rows, o.seed, o.order);
  std::fprintf(stderr, "generated %.1f MB in %.1f s\n", static_cast<double>(data.bytes) / 1e6,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  Report report;
  report.lineitem_rows = o.rows;
  report.runs = o.runs;
  report.seed = o.seed;
  report.order = o.order == KeyOrder::kClustered ? "clustered" : "random";
  report.batch_rows = o.batch_rows;
  report.data_bytes = data.bytes;
  bool parallel = !o.parallel.workers.empty();
  if (!parallel || o.serial) MeasureSerial(o, dir, data, report);
  if (parallel) MeasureParallel(o.parallel, data, dir, report);
  return report;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "zload throughput driver: zload against sqlite3 .import, a prepared-INSERT loop "
      "and a full recompute, on generated TPC-H-like data"};
  app.add_option("--rows", o.rows, "lineitem rows (customer ~rows/40, orders ~rows/4)")
      ->check(CLI::PositiveNumber);
  app.add_option("--runs", o.runs, "runs of every measurement, each on a fresh store")
      ->check(CLI::PositiveNumber);
  app.add_option("--dir", o.dir, "work directory, kept (default: a temporary one, removed)");
  app.add_option("--seed", o.seed, "seed of the data generator");
  app.add_option("--order", o.order,
                 "order of lineitem and line item rows: random keys, or clustered by order "
                 "(basket) as TPC-H's dbgen writes them")
      ->transform(CLI::CheckedTransformer(std::map<std::string, KeyOrder>{
          {"random", KeyOrder::kRandom}, {"clustered", KeyOrder::kClustered}}))
      ->capture_default_str();
  app.add_option("--batch-rows", o.batch_rows, "[run] batch_rows of the zload jobs")
      ->check(CLI::PositiveNumber);
  app.add_option("--json", o.json, "also write the report as JSON to this file");
  app.add_option("--zload", o.zload, "the zload binary")->capture_default_str();
  app.add_option("--sqlite3", o.sqlite3, "the sqlite3 command-line shell")->capture_default_str();
  ParallelOptions& p = o.parallel;
  std::string flush = "both";
  p.psql = ZLOAD_PSQL_PATH;
  p.pgloader = ZLOAD_PGLOADER_PATH;
  p.pg_bindir = "/usr/lib/postgresql/15/bin";
  app.add_option("--workers", p.workers,
                 "run the parallel section with these zload --workers values, e.g. 1,2,4 "
                 "(then (a) .. (g) only with --serial)")
      ->delimiter(',')
      ->check(CLI::Range(1, 64));
  app.add_option("--stores", p.stores, "store kinds of the parallel section (default: both)")
      ->delimiter(',')
      ->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--loads", p.loads,
                 "jobs of the parallel section: base (base tables only), views (with the 3 views); "
                 "default both")
      ->delimiter(',')
      ->check(CLI::IsMember({"base", "views"}));
  app.add_option("--flush", flush, "zload --flush-every-set values of the parallel section")
      ->check(CLI::IsMember({"both", "true", "false"}))
      ->capture_default_str();
  app.add_flag("--serial", o.serial, "with --workers, also run the measurements (a) .. (g)");
  app.add_option("--base-batch-rows", p.base_batch_rows,
                 "[run] batch_rows of the parallel section's base-only job (default: --batch-rows)")
      ->check(CLI::PositiveNumber);
  app.add_option("--pg-url", p.pg_url,
                 "an existing PostgreSQL server to load into, as a role that may CREATE DATABASE "
                 "(default: a throwaway cluster)");
  app.add_option("--pg-bindir", p.pg_bindir, "initdb and pg_ctl of the throwaway cluster")
      ->capture_default_str();
  app.add_option("--psql", p.psql, "the psql client")->capture_default_str();
  app.add_option("--pgloader", p.pgloader, "the pgloader program")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (p.stores.empty()) p.stores = {"sqlite", "postgres"};
  if (p.loads.empty()) p.loads = {"base", "views"};
  if (flush == "both") {
    p.flushes = {"false", "true"};
  } else {
    p.flushes = {flush};
  }
  p.runs = o.runs;
  p.batch_rows = o.batch_rows;
  p.zload = o.zload;
  bool parallel = !p.workers.empty();
  bool postgres =
      parallel && std::find(p.stores.begin(), p.stores.end(), "postgres") != p.stores.end();

  try {
    Require(access(o.zload.c_str(), X_OK) == 0,
            fmt::format("no zload binary at {} (build target zload, or pass --zload)", o.zload));
    Require((parallel && !o.serial) || access(o.sqlite3.c_str(), X_OK) == 0,
            fmt::format("no sqlite3 shell at {} (apt-get install sqlite3, or pass --sqlite3)",
                        o.sqlite3));
    Require(
        !postgres || access(p.psql.c_str(), X_OK) == 0,
        fmt::format("no psql at {} (apt-get install postgresql-client, or pass --psql)", p.psql));
    Require(!postgres || access(p.pgloader.c_str(), X_OK) == 0,
            fmt::format("no pgloader at {} (apt-get install pgloader, or pass --pgloader)",
                        p.pgloader));
    WorkDir dir(o.dir);
    Report report = Measure(o, dir.path());
    std::fputs(RenderReport(report).c_str(), stdout);
    if (!o.json.empty()) {
      std::ofstream out(o.json);
      out << ReportJson(report);
      Require(static_cast<bool>(out.flush()), "cannot write " + o.json);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "throughput: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace
}  // namespace zload::bench

int main(int argc, char** argv) { return zload::bench::Main(argc, argv); }
