// End-to-end: the real zload binary on real files; every view table is checked against
// SQLite's own SELECT over the loaded base tables.
#include <gtest/gtest.h>

#include "tests/cli/cli_harness.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

constexpr const char* kTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";
constexpr const char* kSalesSql =
    "SELECT p.name, COUNT(*) AS line_items, SUM(l.qty) AS units FROM products p LEFT JOIN "
    "line_items l ON l.product_name = p.name GROUP BY p.name";

// A job config over products.csv and items.csv (or the given files), writing out/shop.db.
std::string ShopConfig(const std::string& products = "products.csv",
                       const std::string& items = "items.csv", const std::string& run = "") {
  return "[store]\nurl = \"sqlite:out/shop.db\"\n"
         "[[source]]\nname = \"products\"\nfile = \"" +
         products +
         "\"\nschema = \"name TEXT NOT NULL, price REAL NOT NULL\"\nprimary_key = [\"name\"]\n"
         "[[source]]\nname = \"line_items\"\nfile = \"" +
         items +
         "\"\nschema = \"basket_id INTEGER, product_name TEXT, qty INTEGER\"\nop_column = \"op\"\n"
         "[[view]]\nname = \"basket_totals\"\nsql = \"\"\"" +
         kTotalsSql +
         "\"\"\"\n"
         "[[view]]\nname = \"product_sales\"\nsql = \"\"\"" +
         kSalesSql + "\"\"\"\n" + run;
}

// Every view table equals SQLite's own SELECT of its definition over the base tables.
void ExpectViewsMatchSelect(const ScratchDir& dir) {
  std::string db = dir / "out/shop.db";
  for (auto [view, sql] :
       {std::pair{"basket_totals", kTotalsSql}, std::pair{"product_sales", kSalesSql}}) {
    ZSet stored = QueryFile(db, std::string("SELECT * FROM ") + view, true);
    ZSet oracle = QueryFile(db, sql);
    EXPECT_TRUE(ZSetsMatch(stored, oracle, {}, view, "SELECT over base tables"));
  }
}

// The stepping example's inputs: products tv = 3 and radio = 5; baskets 1 (4 radios, 1 tv) and
// 2 (2 tvs).
void WriteSteppingInputs(const ScratchDir& dir) {
  dir.Write("products.csv", "name,price\ntv,3\nradio,5\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,radio,4,+\n1,tv,1,+\n2,tv,2,+\n");
}

Row Total(int64_t basket, double total) { return {Value::Integer(basket), Value::Real(total)}; }

TEST(CliRunTest, DemoJobGivesTheSteppingTotals) {
  ScratchDir dir;
  WriteSteppingInputs(dir);
  dir.Write("job.toml", ShopConfig());
  CliResult r = RunZload(dir, "run job.toml --json summary.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(1, 23.0), 1}, {Total(2, 6.0), 1}}).ToString());
  ExpectViewsMatchSelect(dir);
  EXPECT_NE(r.out.find("line_items"), std::string::npos) << r.out;  // the summary table
  const std::string json = ReadFile(dir / "summary.json");
  EXPECT_NE(json.find("\"rows\": 3"), std::string::npos) << json;
  // zload's own peak memory: more than its binary's pages, less than a gigabyte for this job.
  const size_t rss_at = json.find("\"peak_rss_kb\": ");
  ASSERT_NE(rss_at, std::string::npos) << json;
  const int64_t rss_kb = std::stoll(json.substr(rss_at + 15));
  EXPECT_GT(rss_kb, 1000);
  EXPECT_LT(rss_kb, 1 << 20);

  CliResult show = RunZload(dir, "show basket_totals job.toml");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out,
            "basket_id  total\n"
            "---------  -----\n"
            "        1   23.0\n"
            "        2    6.0\n"
            "(2 rows)\n");
}

TEST(CliRunTest, SecondRunContinuesWithDeletesAndKeyReplaces) {
  ScratchDir dir;
  WriteSteppingInputs(dir);
  dir.Write("job.toml", ShopConfig());
  ASSERT_EQ(RunZload(dir, "run job.toml -q").exit_code, 0);
  // Line items load after products and nothing reads them by product yet: no index on them.
  const std::string line_item_indexes =
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'line_items' AND "
      "instr(name, '__by__') > 0";
  EXPECT_EQ(QueryFile(dir / "out/shop.db", line_item_indexes).ToString(),
            ZSet({{{Value::Integer(0)}, 1}}).ToString());

  // tv now costs 4 (a key replace), basket 1 loses its radios, basket 3 appears, a NULL basket.
  dir.Write("products2.csv", "name,price\ntv,4\nlamp,7.5\n");
  dir.Write("items2.csv", "basket_id,product_name,qty,op\n1,radio,4,-\n3,lamp,2,\n,tv,1,insert\n");
  dir.Write("job2.toml", ShopConfig("products2.csv", "items2.csv"));
  CliResult r = RunZload(dir, "run job2.toml -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(1, 4.0), 1},
                  {Total(2, 8.0), 1},
                  {Total(3, 15.0), 1},
                  {{Value(), Value::Real(4.0)}, 1}})
                .ToString());
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT count(*) FROM products").ToString(),
            ZSet({{{Value::Integer(3)}, 1}}).ToString());
  ExpectViewsMatchSelect(dir);
  // The changed tv price read the line items by product: that read built their index.
  EXPECT_EQ(QueryFile(dir / "out/shop.db", line_item_indexes).ToString(),
            ZSet({{{Value::Integer(1)}, 1}}).ToString());
}

// Loads job.toml over products.csv (a tv at 3) and items.csv (one tv in basket 1) into `dir`.
void LoadOneTv(const ScratchDir& dir) {
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,1,+\n");
  dir.Write("job.toml", ShopConfig());
  ASSERT_EQ(RunZload(dir, "run job.toml -q").exit_code, 0);
}

TEST(CliRunTest, LoadingTheSameFileTwiceIsRefusedUnlessReloaded) {
  ScratchDir dir;
  ASSERT_NO_FATAL_FAILURE(LoadOneTv(dir));
  CliResult again = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(again.exit_code, 64);
  EXPECT_NE(again.err.find("already holds this file"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--reload"), std::string::npos) << again.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT total FROM basket_totals").ToString(),
            ZSet({{{Value::Real(3.0)}, 1}}).ToString());
  CliResult reload = RunZload(dir, "run job.toml -q --reload");
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT total FROM basket_totals").ToString(),
            ZSet({{{Value::Real(6.0)}, 1}}).ToString());  // the item counted twice, the tv replaced
  ExpectViewsMatchSelect(dir);
}

TEST(CliRunTest, ALoadedFileIsRefusedBeforeANewFileOfTheJobLoads) {
  ScratchDir dir;
  ASSERT_NO_FATAL_FAILURE(LoadOneTv(dir));
  // A new products file listed before the line items loaded already, serially and with workers.
  dir.Write("products2.csv", "name,price\ntv,4\nradio,5\n");
  dir.Write("again.toml", ShopConfig("products2.csv"));
  for (const char* workers : {"", " --workers 2"}) {
    CliResult again = RunZload(dir, std::string("run again.toml -q") + workers);
    EXPECT_EQ(again.exit_code, 64) << again.err;
    EXPECT_NE(again.err.find("items.csv"), std::string::npos) << again.err;
    EXPECT_NE(again.err.find("already holds this file"), std::string::npos) << again.err;
    EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT name, price FROM products").ToString(),
              ZSet({{{Value::Text("tv"), Value::Real(3.0)}, 1}}).ToString());
  }
  // A file whose earlier load was cut short is refused before anything loads too.
  dir.Write("cut.toml", ShopConfig("products2.csv", "items2.csv"));
  dir.Write("items2.csv", "basket_id,product_name,qty,op\n2,tv,1,+\n3,tv,1,+\n");
  CliResult limited = RunZload(dir, "run cut.toml -q --limit 3");
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  dir.Write("products3.csv", "name,price\nradio,6\n");
  dir.Write("cut2.toml", ShopConfig("products3.csv", "items2.csv"));
  CliResult cut = RunZload(dir, "run cut2.toml -q");
  EXPECT_EQ(cut.exit_code, 64) << cut.err;
  EXPECT_NE(cut.err.find("was interrupted"), std::string::npos) << cut.err;
  EXPECT_EQ(
      QueryFile(dir / "out/shop.db", "SELECT price FROM products WHERE name = 'radio'").ToString(),
      ZSet({{{Value::Real(5.0)}, 1}}).ToString());
  ExpectViewsMatchSelect(dir);
}

TEST(CliRunTest, ChangedViewIsRefusedThenRebuilt) {
  ScratchDir dir;
  WriteSteppingInputs(dir);
  dir.Write("job.toml", ShopConfig());
  ASSERT_EQ(RunZload(dir, "run job.toml -q").exit_code, 0);
  auto doubled = [](std::string config) {
    config.replace(config.find("SUM(p.price * l.qty)"), 20, "SUM(p.price * l.qty * 2)");
    return config;
  };
  dir.Write("none.csv", "name,price\n");
  dir.Write("changed.toml", doubled(ShopConfig("none.csv", "none.csv")));
  CliResult r = RunZload(dir, "run changed.toml -q");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("view 'basket_totals' changed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zload rebuild basket_totals"), std::string::npos) << r.err;

  CliResult rebuild = RunZload(dir, "rebuild basket_totals changed.toml");
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(1, 46.0), 1}, {Total(2, 12.0), 1}}).ToString());
  // The rebuilt view keeps up with new rows.
  dir.Write("more.csv", "basket_id,product_name,qty,op\n2,radio,1,+\n");
  dir.Write("more.toml", doubled(ShopConfig("none.csv", "more.csv")));
  CliResult after = RunZload(dir, "run more.toml -q");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(1, 46.0), 1}, {Total(2, 22.0), 1}}).ToString());
}

// A store whose state was written under an older state layout (SQLite keyed tables by key
// identity alone, layout 3) is refused with the way out, and `zload rebuild` makes it current.
TEST(CliRunTest, StoreOfAnOlderStateLayoutIsRefusedThenRebuilt) {
  ScratchDir dir;
  WriteSteppingInputs(dir);
  dir.Write("job.toml", ShopConfig());
  ASSERT_EQ(RunZload(dir, "run job.toml -q").exit_code, 0);
  ZSet older = QueryFile(dir / "out/shop.db",
                         "UPDATE zload_views SET shape = replace(shape, 'state layout 4', "
                         "'state layout 3') WHERE name = 'basket_totals' RETURNING name");
  ASSERT_EQ(older.size(), 1u);
  dir.Write("more.csv", "basket_id,product_name,qty,op\n2,radio,1,+\n");
  dir.Write("none.csv", "name,price\n");
  dir.Write("more.toml", ShopConfig("none.csv", "more.csv"));
  CliResult r = RunZload(dir, "run more.toml -q");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("state layout or plan differs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zload rebuild basket_totals"), std::string::npos) << r.err;
  ASSERT_EQ(RunZload(dir, "rebuild basket_totals more.toml").exit_code, 0);
  CliResult after = RunZload(dir, "run more.toml -q");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(1, 23.0), 1}, {Total(2, 11.0), 1}}).ToString());
  ExpectViewsMatchSelect(dir);
}

TEST(CliRunTest, ReadsStdin) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("job.toml", ShopConfig("products.csv", "-"));
  CliResult r = RunZload(dir, "run job.toml -q", "basket_id,product_name,qty,op\n7,tv,5,+\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{Total(7, 15.0), 1}}).ToString());
}

TEST(CliRunTest, DryRunChecksButLoadsNothing) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,1,+\n");
  dir.Write("job.toml", ShopConfig());
  CliResult r = RunZload(dir, "run job.toml --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out/shop.db"));
  dir.Write("bad.toml", ShopConfig("missing.csv"));
  CliResult missing = RunZload(dir, "run bad.toml --dry-run");
  EXPECT_EQ(missing.exit_code, 64);
  EXPECT_NE(missing.err.find("missing.csv"), std::string::npos) << missing.err;
}

TEST(CliRunTest, ConfigAndSqlErrorsStopBeforeLoading) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,1,+\n");
  std::string bad_sql = ShopConfig();
  bad_sql.replace(bad_sql.find("SUM(p.price"), 11, "SUM(p.prize");
  dir.Write("job.toml", bad_sql);
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("prize"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("job.toml:"), std::string::npos) << r.err;
  dir.Write("unknown.toml", ShopConfig() + "[run]\nbatch_size = 3\n");
  CliResult u = RunZload(dir, "run unknown.toml -q");
  EXPECT_EQ(u.exit_code, 64);
  EXPECT_NE(u.err.find("unknown key 'batch_size'"), std::string::npos) << u.err;
  // Nothing was loaded by either.
  EXPECT_FALSE(
      std::filesystem::exists(dir / "out/shop.db") &&
      !QueryFile(dir / "out/shop.db", "SELECT name FROM sqlite_schema WHERE name = 'products'")
           .empty() &&
      !QueryFile(dir / "out/shop.db", "SELECT * FROM products").empty());
}

TEST(CliRunTest, LimitStopsAfterThatManyRowsInAll) {
  ScratchDir dir;
  WriteSteppingInputs(dir);
  dir.Write("job.toml", ShopConfig());
  CliResult r = RunZload(dir, "run job.toml -q --limit 3 --batch-rows 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT count(*) FROM line_items").ToString(),
            ZSet({{{Value::Integer(1)}, 1}}).ToString());
  EXPECT_EQ(QueryFile(dir / "out/shop.db", "SELECT status FROM zload_files ORDER BY id").ToString(),
            ZSet({{{Value::Text("complete")}, 1}, {{Value::Text("interrupted")}, 1}}).ToString());
  ExpectViewsMatchSelect(dir);
}

TEST(CliRunTest, VersionAndHelp) {
  ScratchDir dir;
  CliResult v = RunZload(dir, "--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("zload "), std::string::npos);
#ifdef ZLOAD_SANITIZE_BUILD
  EXPECT_NE(v.out.find("(allocator: the C library's malloc;"), std::string::npos) << v.out;
#else
  EXPECT_NE(v.out.find("(allocator: mimalloc 2."), std::string::npos) << v.out;
  // Every heap segment asks for 2 MiB pages unless MIMALLOC_LARGE_OS_PAGES says otherwise.
  EXPECT_NE(v.out.find(" with 2 MiB pages;"), std::string::npos) << v.out;
  CliResult small = RunZload(dir, "--version", "", "MIMALLOC_LARGE_OS_PAGES=0");
  EXPECT_EQ(small.exit_code, 0);
  EXPECT_NE(small.out.find("(allocator: mimalloc 2."), std::string::npos) << small.out;
  EXPECT_EQ(small.out.find("2 MiB pages"), std::string::npos) << small.out;
  // Set by hand, the large pages alone leave each thread's first heap segment in 4 KiB pages.
  CliResult first_small =
      RunZload(dir, "--version", "", "MIMALLOC_LARGE_OS_PAGES=1 MIMALLOC_EAGER_COMMIT_DELAY=1");
  EXPECT_EQ(first_small.exit_code, 0);
  EXPECT_EQ(first_small.out.find("2 MiB pages"), std::string::npos) << first_small.out;
#endif
  CliResult h = RunZload(dir, "run --help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--batch-rows"), std::string::npos);
  EXPECT_EQ(RunZload(dir, "frobnicate").exit_code, 64);
}

}  // namespace
}  // namespace zload::test
