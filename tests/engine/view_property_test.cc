// Randomized property test of incrementally maintained views: for every shape
// of tests/support/shape_catalog.cc and several seeds, random insert/delete
// batches (0..50 changes, the first one empty) are applied one RunIteration
// each; after every batch each view's integrated output deltas must equal both
// EvaluateFromScratch over the integrated sources and SQLite's own result of
// the same SQL over the same rows. A failure prints the seed and a minimized
// input in the regression file format. ZLOAD_PROPERTY_SEED=<n> replaces the
// base seed.
#include "tests/support/view_property.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/regression_file.h"
#include "tests/support/shape_catalog.h"
#include "tests/support/view_batches.h"
#include "tests/support/view_check.h"
#include "tests/support/view_shrink.h"

namespace zload::test {
namespace {

constexpr uint64_t kDefaultBaseSeed = 20240611;

class ViewPropertyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ViewPropertyTest, IncrementalMatchesFromScratchAndSqlite) {
  const ViewShape &shape = FindViewShape(GetParam());
  PropertyRun run;
  run.first_seed = PropertyBaseSeed(kDefaultBaseSeed);
  run.seeds = 4;
  run.batches = 50;
  run.max_changes = 50;
  SCOPED_TRACE(::testing::Message() << "shape " << shape.name << ", seeds " << run.first_seed
                                    << ".." << run.first_seed + run.seeds - 1);
  CheckStats stats;
  auto failure = RunViewProperty(shape, run, &stats);
  EXPECT_FALSE(failure) << *failure;
  // The random data must exercise the view: mostly non-empty, and changing.
  EXPECT_EQ(stats.view_checks, run.seeds * run.batches * shape.views.size());
  EXPECT_GT(stats.nonempty_views * 2, stats.view_checks) << "the view is empty too often";
  EXPECT_GT(stats.delta_rows, stats.view_checks) << "the view changes too rarely";
  RecordProperty("view_checks", static_cast<int>(stats.view_checks));
}

std::vector<std::string> ShapeNames() {
  std::vector<std::string> names;
  for (const ViewShape &shape : ViewShapes()) names.push_back(shape.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Shapes, ViewPropertyTest, ::testing::ValuesIn(ShapeNames()),
                         [](const auto &info) { return info.param; });

// The checker catches a view that differs from SQLite and shrinks the input to the one row that
// shows it: here SQLite's view counts rows with g = 'a' twice.
TEST(ViewCheckerTest, CatchesAndShrinksAMismatch) {
  ViewShape shape = FindViewShape("count_star");
  shape.views[0].oracle_sql =
      "SELECT g, COUNT(*) + SUM(g IS 'a') - SUM(g IS 'a') * (g IS NOT 'a') AS n FROM t GROUP BY g";
  std::vector<Batch> batches = RandomBatches(shape, 3, 30, 20);
  auto failure = CheckBatches(shape, batches);
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->report.find("only in sqlite:\n  ('a', "), std::string::npos)
      << failure->report;
  std::vector<Batch> small = ShrinkFailure(shape, batches);
  ASSERT_TRUE(BatchesAreValid(shape, small));
  ASSERT_TRUE(CheckBatches(shape, small));
  ASSERT_EQ(small.size(), 1u) << RenderRegression(shape, small);
  ASSERT_EQ(small[0][0].size(), 1u) << RenderRegression(shape, small);
  const auto &[row, weight] = *small[0][0].begin();
  EXPECT_EQ(row[1], Value::Text("a"));
  EXPECT_EQ(weight, 1);
}

// A view zload does not support fails at compile time; shrinking such a failure ends.
TEST(ViewCheckerTest, CompileErrorsAreFailuresAndShrinkingEnds) {
  ViewShape shape = FindViewShape("count_star");
  shape.views[0].sql = "SELECT g FROM t UNION SELECT g FROM t";
  std::vector<Batch> batches = RandomBatches(shape, 3, 5, 20);
  auto failure = CheckBatches(shape, batches);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->batch, 0u);
  EXPECT_NE(failure->report.find("exception"), std::string::npos) << failure->report;
  EXPECT_EQ(ShrinkFailure(shape, batches).size(), 1u);
}

// Every tests/regressions/*.txt is a minimized input that once failed; each
// must pass now.
TEST(ViewRegressionTest, RegressionFilesPass) {
  const auto dir = std::filesystem::path(__FILE__).parent_path().parent_path() / "regressions";
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Regression regression = ParseRegression(text.str(), entry.path().string(), ViewShapes());
    auto failure = CheckBatches(FindViewShape(regression.shape), regression.batches);
    EXPECT_FALSE(failure) << "after batch " << failure->batch << ": " << failure->report;
  }
  EXPECT_GT(files, 0u) << "no regression files in " << dir;
}

}  // namespace
}  // namespace zload::test
