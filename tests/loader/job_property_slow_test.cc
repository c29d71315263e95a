// The loader property of job_property_test.cc at a larger scale: more seeds, more runs on each
// store and larger files, so that state built over many runs, batch sizes, rejects and aborts
// meets more views added late. ZLOAD_PROPERTY_SEED=<n> replays seeds n, n+1, ...;
// ZLOAD_KEEP_FAILED_JOB=<dir> keeps a failing job's files and store there.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "tests/support/shop_job_property.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

constexpr uint64_t kBaseSeed = 7100000;
constexpr int kSeeds = 40;

class JobPropertySlowTest : public ::testing::TestWithParam<int> {};

TEST_P(JobPropertySlowTest, ViewsMatchSqliteAfterEveryRun) {
  ShopPropertyOptions options;
  options.runs = 10;
  options.max_rows_per_file = 120;
  // Every other seed starts with no views at all: each is built over loaded data.
  options.first_view_run = GetParam() % 2;
  if (const char* keep = std::getenv("ZLOAD_KEEP_FAILED_JOB")) options.keep_failed_in = keep;
  RunShopProperty(PropertyBaseSeed(kBaseSeed) + static_cast<uint64_t>(GetParam()), options);
}

INSTANTIATE_TEST_SUITE_P(Seeds, JobPropertySlowTest, ::testing::Range(0, kSeeds));

}  // namespace
}  // namespace zload::test
