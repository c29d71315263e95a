// The loader end to end on a real SQLite store: a randomized shop job run several times on one
// store (each run continuing from the stored state with new files, a random batch size and
// source order; some runs rejecting bad rows or stopping at one; some views joining in later
// runs); after every run each view table must equal SQLite's own SELECT of the view over the
// base tables, and the base tables must equal a model of the files.
// ZLOAD_PROPERTY_SEED=<n> replays seeds n, n+1, ... instead of the fixed ones;
// ZLOAD_KEEP_FAILED_JOB=<dir> keeps a failing job's files and store there.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "engine/zset.h"
#include "loader/job_config.h"
#include "loader/job_runner.h"
#include "tests/support/job_fixture.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/shop_job_property.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

constexpr uint64_t kBaseSeed = 20240611;
constexpr int kSeeds = 8;

class JobPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(JobPropertyTest, ViewsMatchSqliteAfterEveryRun) {
  ShopPropertyOptions options;
  options.runs = 6;
  options.max_rows_per_file = 60;
  // Every other seed starts with no views at all: each is built over loaded data.
  options.first_view_run = GetParam() % 2;
  if (const char* keep = std::getenv("ZLOAD_KEEP_FAILED_JOB")) options.keep_failed_in = keep;
  RunShopProperty(PropertyBaseSeed(kBaseSeed) + static_cast<uint64_t>(GetParam()), options);
}

INSTANTIATE_TEST_SUITE_P(Seeds, JobPropertyTest, ::testing::Range(0, kSeeds));

// Found by seed 20240613: a LEFT JOIN whose right side holds two equal rows at a key (read from
// the base table, one stored copy each) lost its match when one copy was deleted, and padded
// the left row with NULLs although another right row still matched.
TEST(JobPropertyRegression, LeftJoinKeepsItsMatchWhenOneOfTwoEqualRowsIsDeleted) {
  ScratchDir dir;
  dir.Write("baskets.jsonl", "{\"basket_id\": 3, \"customer\": \"ann\"}\n");
  dir.Write("items.csv",
            "basket_id,product_name,qty,op\n3,cafe,3,+\n3,cafe,3,+\n3,lamp,1,+\n3,cafe,3,-\n");
  const std::string sql =
      "SELECT b.basket_id, b.customer, l.product_name, l.qty FROM baskets b LEFT JOIN "
      "line_items l ON l.basket_id = b.basket_id";
  dir.Write("job.toml",
            "[store]\nurl = \"sqlite:store.db\"\n"
            "[[source]]\nname = \"baskets\"\nfile = \"baskets.jsonl\"\n"
            "schema = \"basket_id INTEGER, customer TEXT\"\n"
            "[[source]]\nname = \"line_items\"\nfile = \"items.csv\"\n"
            "schema = \"basket_id INTEGER, product_name TEXT, qty INTEGER\"\nop_column = \"op\"\n"
            "[[view]]\nname = \"basket_contents\"\nsql = \"\"\"" +
                sql + "\"\"\"\n");
  RunOptions options;
  options.batch_rows = 1;
  ProgressBar progress(stderr, false);
  RunSummary summary;
  RunJob(LoadJobConfig(dir / "job.toml"), options, progress, summary);
  EXPECT_TRUE(ViewMatchesSelect(dir / "store.db", "basket_contents", sql));
  EXPECT_EQ(
      ReadViewTable(dir / "store.db", "basket_contents").ToString(),
      ZSet({{{Value::Integer(3), Value::Text("ann"), Value::Text("cafe"), Value::Integer(3)}, 1},
            {{Value::Integer(3), Value::Text("ann"), Value::Text("lamp"), Value::Integer(1)}, 1}})
          .ToString());
}

// A view left out of a run that loads rows misses them; when a later config names it again it is
// rebuilt from the base tables instead of being maintained from stale state.
TEST(JobPropertyRegression, ViewLeftOutOfARunIsRebuiltWhenItReturns) {
  ScratchDir dir;
  const std::string sql = "SELECT k, SUM(x) AS s FROM t GROUP BY k";
  auto run = [&](int n, bool with_view) {
    dir.Write("t" + std::to_string(n) + ".csv", "k,x\n1," + std::to_string(n + 1) + "\n");
    dir.Write(
        "job.toml",
        "[store]\nurl = \"sqlite:store.db\"\n"
        "[[source]]\nname = \"t\"\nfile = \"t" +
            std::to_string(n) + ".csv\"\nschema = \"k INTEGER, x INTEGER\"\n" +
            (with_view ? "[[view]]\nname = \"sums\"\nsql = \"" + sql + "\"\n" : std::string()));
    ProgressBar progress(stderr, false);
    RunSummary summary;
    RunJob(LoadJobConfig(dir / "job.toml"), RunOptions{}, progress, summary);
    return summary;
  };
  run(0, true);
  run(1, false);
  RunSummary back = run(2, true);
  ASSERT_EQ(back.views.size(), 1u);
  EXPECT_TRUE(back.views[0].built);
  EXPECT_TRUE(ViewMatchesSelect(dir / "store.db", "sums", sql));
  EXPECT_EQ(ReadViewTable(dir / "store.db", "sums").ToString(),
            ZSet({{{Value::Integer(1), Value::Integer(6)}, 1}}).ToString());
}

// The comparison the property relies on does fail: a view table with one row changed, one row
// too many or a row of weight 0 differs from the SELECT.
TEST(JobPropertyComparator, CatchesACorruptedViewTable) {
  ScratchDir dir;
  const std::string db = dir / "store.db";
  const std::string sql = "SELECT k, SUM(x) AS s FROM t GROUP BY k";
  ExecStore(db,
            "CREATE TABLE t (k INTEGER, x REAL); "
            "INSERT INTO t VALUES (1, 0.5), (1, 2.25), (2, 7), (NULL, 1); "
            "CREATE TABLE v (k INTEGER, s REAL, _count_ INTEGER); "
            "INSERT INTO v VALUES (1, 2.75, 1), (2, 7.0, 1), (NULL, 1.0, 1)");
  EXPECT_TRUE(ViewMatchesSelect(db, "v", sql));
  ExecStore(db, "UPDATE v SET s = s * (1 + 1e-12) WHERE k = 1");  // within the REAL tolerance
  EXPECT_TRUE(ViewMatchesSelect(db, "v", sql));
  ExecStore(db, "UPDATE v SET s = s * (1 + 1e-6) WHERE k = 1");
  EXPECT_FALSE(ViewMatchesSelect(db, "v", sql));
  ExecStore(db, "UPDATE v SET s = 2.75 WHERE k = 1; UPDATE v SET _count_ = 2 WHERE k = 2");
  EXPECT_FALSE(ViewMatchesSelect(db, "v", sql));
  ExecStore(db, "UPDATE v SET _count_ = 1; INSERT INTO v VALUES (3, 1.0, 0)");
  EXPECT_FALSE(ViewMatchesSelect(db, "v", sql));
  ExecStore(db, "DELETE FROM v WHERE k = 3");
  EXPECT_TRUE(ViewMatchesSelect(db, "v", sql));
}

}  // namespace
}  // namespace zload::test
