// End-to-end on PostgreSQL: the real zload binary runs the demo job (configs/shop/job.toml, its
// store replaced with --store by a fresh database of a throwaway cluster); every view table is
// checked against PostgreSQL's own SELECT over the loaded base tables, and `zload show` prints
// what it prints for the same job on SQLite.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/cli/cli_harness.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/pg_query.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

constexpr const char* kTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";
constexpr const char* kSalesSql =
    "SELECT p.name, COUNT(*) AS line_items, SUM(l.qty) AS units FROM products p LEFT JOIN "
    "line_items l ON l.product_name = p.name GROUP BY p.name";

// The demo job's directory in the source tree.
std::filesystem::path DemoDir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "configs" /
         "shop";
}

// A scratch copy of the demo job (job.toml and data/, not its store) and a fresh database.
class PostgresCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(DemoDir() / "job.toml")) << DemoDir();
    std::filesystem::copy_file(DemoDir() / "job.toml", dir_.path() / "job.toml");
    std::filesystem::copy(DemoDir() / "data", dir_.path() / "data");
    url_ = PgCluster::Shared().FreshDatabase();
    db_ = std::make_unique<PgReader>(url_);
  }

  // Runs `zload <args> --store <url>`.
  CliResult Zload(const std::string& args) {
    return RunZload(dir_, args + " --store '" + url_ + "'");
  }

  // The demo config with its files and view SQL edited: `edits` are (from, to) pairs.
  std::string EditedConfig(const std::vector<std::pair<std::string, std::string>>& edits) {
    std::string config = ReadFile(dir_ / "job.toml");
    for (const auto& [from, to] : edits) {
      size_t at = config.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) config.replace(at, from.size(), to);
    }
    return config;
  }

  // Every view table equals PostgreSQL's own SELECT of its definition over the base tables.
  void ExpectViewsMatchSelect(const std::string& totals_sql = kTotalsSql) {
    EXPECT_TRUE(PgViewMatchesSelect(*db_, "basket_totals", totals_sql));
    EXPECT_TRUE(PgViewMatchesSelect(*db_, "product_sales", kSalesSql));
  }

  ZSet Totals() { return db_->Query("SELECT basket_id, total FROM basket_totals"); }

  ScratchDir dir_;
  std::string url_;
  std::unique_ptr<PgReader> db_;
};

Row Total(int64_t basket, double total) { return {Value::Integer(basket), Value::Real(total)}; }

TEST_F(PostgresCliTest, DemoJobGivesTheSteppingTotalsAndShowsThemAsOnSqlite) {
  CliResult r = Zload("run job.toml --json summary.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 23.0), 1}, {Total(2, 6.0), 1}}).ToString());
  ExpectViewsMatchSelect();
  EXPECT_NE(r.out.find("line_items"), std::string::npos) << r.out;  // the summary table
  EXPECT_NE(ReadFile(dir_ / "summary.json").find("\"rows\": 3"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/shop.db"));  // --store replaced it

  CliResult show = Zload("show basket_totals");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out,
            "basket_id  total\n"
            "---------  -----\n"
            "        1   23.0\n"
            "        2    6.0\n"
            "(2 rows)\n");

  // The same job on the config's own SQLite store shows the same tables.
  CliResult on_sqlite = RunZload(dir_, "run job.toml -q");
  ASSERT_EQ(on_sqlite.exit_code, 0) << on_sqlite.err;
  for (const char* view : {"basket_totals", "product_sales", "products", "line_items"}) {
    CliResult sqlite_show = RunZload(dir_, std::string("show ") + view + " job.toml");
    ASSERT_EQ(sqlite_show.exit_code, 0) << sqlite_show.err;
    EXPECT_EQ(Zload(std::string("show ") + view).out, sqlite_show.out) << view;
  }
}

// A job whose own [store] url names the database (no --store): zload hands every command to
// zload-postgres all the same.
TEST_F(PostgresCliTest, AStoreNamedByTheJobItselfIsServed) {
  dir_.Write("job.toml",
             EditedConfig({{"url = \"sqlite:out/shop.db\"", "url = \"" + url_ + "\""}}));
  CliResult r = RunZload(dir_, "run job.toml -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 23.0), 1}, {Total(2, 6.0), 1}}).ToString());
  ExpectViewsMatchSelect();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out/shop.db"));
  CliResult show = RunZload(dir_, "show basket_totals job.toml");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("(2 rows)"), std::string::npos) << show.out;
  CliResult status = RunZload(dir_, "status job.toml");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("line_items.csv"), std::string::npos) << status.out;
}

TEST_F(PostgresCliTest, SecondRunContinuesWithDeletesAndKeyReplaces) {
  ASSERT_EQ(Zload("run job.toml -q").exit_code, 0);
  // tv now costs 4 (a key replace), basket 1 loses its radios, basket 3 appears, a NULL basket.
  dir_.Write("data/products2.csv", "name,price\ntv,4\nlamp,7.5\n");
  dir_.Write("data/line_items2.csv",
             "basket_id,product_name,qty,op\n1,radio,4,-\n3,lamp,2,\n,tv,1,insert\n");
  dir_.Write("job2.toml", EditedConfig({{"data/products.csv", "data/products2.csv"},
                                        {"data/line_items.csv", "data/line_items2.csv"}}));
  CliResult r = Zload("run job2.toml -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 4.0), 1},
                                       {Total(2, 8.0), 1},
                                       {Total(3, 15.0), 1},
                                       {{Value(), Value::Real(4.0)}, 1}})
                                     .ToString());
  EXPECT_EQ(db_->Query("SELECT count(*) FROM products").ToString(),
            ZSet({{{Value::Integer(3)}, 1}}).ToString());
  EXPECT_EQ(db_->Query("SELECT count(*) FROM zload_files WHERE status = 'complete'").ToString(),
            ZSet({{{Value::Integer(4)}, 1}}).ToString());
  ExpectViewsMatchSelect();
}

TEST_F(PostgresCliTest, LoadingTheSameFileTwiceIsRefusedUnlessReloaded) {
  ASSERT_EQ(Zload("run job.toml -q").exit_code, 0);
  CliResult again = Zload("run job.toml -q");
  EXPECT_EQ(again.exit_code, 64);
  EXPECT_NE(again.err.find("already holds this file"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--reload"), std::string::npos) << again.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 23.0), 1}, {Total(2, 6.0), 1}}).ToString());
  ExpectViewsMatchSelect();

  CliResult reload = Zload("run job.toml -q --reload");
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  // Every line item counted twice; the products replaced by their own key.
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 46.0), 1}, {Total(2, 12.0), 1}}).ToString());
  EXPECT_EQ(db_->Query("SELECT count(*) FROM products").ToString(),
            ZSet({{{Value::Integer(2)}, 1}}).ToString());
  ExpectViewsMatchSelect();
}

// The demo's basket_totals with every total doubled.
const std::pair<std::string, std::string> kDoubled = {"SUM(p.price * l.qty)",
                                                      "SUM(p.price * l.qty * 2)"};
constexpr const char* kDoubledTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty * 2) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";

TEST_F(PostgresCliTest, ChangedViewIsRefusedThenRebuilt) {
  ASSERT_EQ(Zload("run job.toml -q").exit_code, 0);
  dir_.Write("data/none.csv", "name,price\n");
  dir_.Write("data/no_items.csv", "basket_id,product_name,qty,op\n");
  dir_.Write("changed.toml", EditedConfig({kDoubled,
                                           {"data/products.csv", "data/none.csv"},
                                           {"data/line_items.csv", "data/no_items.csv"}}));
  CliResult r = Zload("run changed.toml -q");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("view 'basket_totals' changed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zload rebuild basket_totals"), std::string::npos) << r.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 23.0), 1}, {Total(2, 6.0), 1}}).ToString());

  CliResult rebuild = Zload("rebuild basket_totals changed.toml");
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.err;
  EXPECT_NE(rebuild.out.find("rebuilt view basket_totals"), std::string::npos) << rebuild.out;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 46.0), 1}, {Total(2, 12.0), 1}}).ToString());
  ExpectViewsMatchSelect(kDoubledTotalsSql);
  // The rebuilt view is now the stored one: the changed config runs.
  CliResult again = Zload("run changed.toml -q");
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

// A rebuilt view keeps up with rows loaded after the rebuild: its join sides, kept as state
// tables on PostgreSQL, are written by the rebuild (once a regression: they were left empty).
TEST_F(PostgresCliTest, RebuiltViewKeepsUpWithNewRows) {
  ASSERT_EQ(Zload("run job.toml -q").exit_code, 0);
  dir_.Write("data/none.csv", "name,price\n");
  dir_.Write("data/no_items.csv", "basket_id,product_name,qty,op\n");
  dir_.Write("changed.toml", EditedConfig({kDoubled,
                                           {"data/products.csv", "data/none.csv"},
                                           {"data/line_items.csv", "data/no_items.csv"}}));
  CliResult rebuild = Zload("rebuild basket_totals changed.toml");
  ASSERT_EQ(rebuild.exit_code, 0) << rebuild.err;
  dir_.Write("data/more.csv", "basket_id,product_name,qty,op\n2,radio,1,+\n");
  dir_.Write("more.toml", EditedConfig({kDoubled,
                                        {"data/products.csv", "data/none.csv"},
                                        {"data/line_items.csv", "data/more.csv"}}));
  CliResult after = Zload("run more.toml -q");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(Totals().ToString(), ZSet({{Total(1, 46.0), 1}, {Total(2, 22.0), 1}}).ToString());
  ExpectViewsMatchSelect(kDoubledTotalsSql);
}

}  // namespace
}  // namespace zload::test
