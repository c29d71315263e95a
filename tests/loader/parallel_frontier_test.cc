// The frontier wait is what makes parallel workers exact. A row inserted by batch 0 and deleted
// by batch 1, with batch 0 held back before it applies (a test hook): with the wait, batch 1
// finds the row and the store ends as a serial run leaves it; with the wait switched off (a
// test hook), batch 1 reads the base table too early and the run diverges: committing per batch,
// it rejects its delete as a row that is not there and the store keeps the row; committing per
// delay vertex, batch 0 then finds its tables advanced past its time by batch 1 and fails.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <optional>
#include <string>

#include "engine/error.h"
#include "loader/job_config.h"
#include "loader/job_runner.h"
#include "tests/support/job_fixture.h"
#include "tests/support/scoped_env.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

struct Outcome {
  std::optional<Error> failure;
  RunSummary summary;
  std::string items;   // the base table
  std::string counts;  // the view
  bool view_matches = false;
};

Outcome RunInsertThenDelete(bool flush_every_set) {
  ScratchDir dir;
  dir.Write("items.csv", "k,x,op\n1,10,+\n1,10,-\n2,20,+\n");
  const std::string sql = "SELECT k, COUNT(*) AS n FROM items GROUP BY k";
  dir.Write("job.toml",
            "[store]\nurl = \"sqlite:store.db\"\n"
            "[[source]]\nname = \"items\"\nfile = \"items.csv\"\n"
            "schema = \"k INTEGER, x INTEGER\"\nop_column = \"op\"\n"
            "[[view]]\nname = \"counts\"\nsql = \"" +
                sql +
                "\"\n"
                "[run]\non_bad_row = \"reject\"\nreject_file = \"rejects.csv\"\n");
  RunOptions options;
  options.batch_rows = 1;
  options.workers = 2;
  options.flush_every_set = flush_every_set;
  options.worker_binary = ZLOAD_BINARY;
  ProgressBar progress(stderr, false);
  Outcome out;
  try {
    RunJob(LoadJobConfig(dir / "job.toml"), options, progress, out.summary);
  } catch (const Error& e) {
    out.failure = e;
  }
  out.items = QueryStore(dir / "store.db", "SELECT k, x FROM items").ToString();
  out.counts = ReadViewTable(dir / "store.db", "counts").ToString();
  out.view_matches = ViewMatchesSelect(dir / "store.db", "counts", sql);
  return out;
}

class ParallelFrontierTest : public ::testing::TestWithParam<bool> {};

TEST_P(ParallelFrontierTest, WithTheWaitTheResultIsTheSerialOne) {
  ScopedEnv delay("ZLOAD_TEST_DELAY_BATCH", "0:400");
  Outcome out = RunInsertThenDelete(GetParam());
  ASSERT_FALSE(out.failure) << out.failure->what();
  EXPECT_EQ(out.summary.rejected, 0);
  EXPECT_EQ(out.items, ZSet({{{Value::Integer(2), Value::Integer(20)}, 1}}).ToString());
  EXPECT_EQ(out.counts, ZSet({{{Value::Integer(2), Value::Integer(1)}, 1}}).ToString());
  EXPECT_TRUE(out.view_matches);
}

TEST_P(ParallelFrontierTest, WithoutTheWaitTheResultDiverges) {
  ScopedEnv delay("ZLOAD_TEST_DELAY_BATCH", "0:400");
  ScopedEnv skip("ZLOAD_TEST_SKIP_FRONTIER_WAIT", "1");
  Outcome out = RunInsertThenDelete(GetParam());
  if (GetParam()) {
    ASSERT_TRUE(out.failure) << "batch 0 ran after batch 1 had advanced its tables";
    return;
  }
  ASSERT_FALSE(out.failure) << out.failure->what();
  // Batch 1 saw no row 1 to delete: its delete was rejected and batch 0's insert survived.
  EXPECT_EQ(out.summary.rejected, 1);
  EXPECT_EQ(out.items, ZSet({{{Value::Integer(1), Value::Integer(10)}, 1},
                             {{Value::Integer(2), Value::Integer(20)}, 1}})
                           .ToString());
  EXPECT_EQ(out.counts, ZSet({{{Value::Integer(1), Value::Integer(1)}, 1},
                              {{Value::Integer(2), Value::Integer(1)}, 1}})
                            .ToString());
}

INSTANTIATE_TEST_SUITE_P(FlushEverySet, ParallelFrontierTest, ::testing::Bool());

}  // namespace
}  // namespace zload::test
