// The loader with worker processes (`zload worker`, started by RunJob with workers = N) under
// the time/frontier protocol, end to end on a real SQLite store: the randomized shop job of
// job_property_test (several runs on one store, random batch sizes and source orders, rejects,
// aborts, views added later) with 1 to 4 workers, committing per batch or per delay vertex.
// After every run each view table must equal SQLite's own SELECT over the base tables and the
// base tables must equal a model of the files: exactly what a serial run leaves.
// ZLOAD_PROPERTY_SEED=<n> replays seeds n, n+1, ... instead of the fixed ones;
// ZLOAD_KEEP_FAILED_JOB=<dir> keeps a failing job's files and store there.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "tests/support/shop_job_property.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

constexpr uint64_t kBaseSeed = 20261124;

// Parameter i: workers 1 + i % 4, flush_every_set when i / 4 is odd.
class ParallelJobPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(ParallelJobPropertyTest, ViewsMatchSqliteAfterEveryRun) {
  ShopPropertyOptions options;
  options.runs = 4;
  options.max_rows_per_file = 60;
  options.max_batch_rows = 12;  // many batches in flight at once
  options.first_view_run = GetParam() % 2;
  options.workers = 1 + GetParam() % 4;
  options.flush_every_set = (GetParam() / 4) % 2 == 1;
  options.worker_binary = ZLOAD_BINARY;
  if (const char* keep = std::getenv("ZLOAD_KEEP_FAILED_JOB")) options.keep_failed_in = keep;
  SCOPED_TRACE(::testing::Message()
               << "workers " << options.workers << ", flush_every_set " << options.flush_every_set);
  RunShopProperty(PropertyBaseSeed(kBaseSeed) + static_cast<uint64_t>(GetParam()), options);
}

INSTANTIATE_TEST_SUITE_P(WorkersAndFlush, ParallelJobPropertyTest, ::testing::Range(0, 8));

}  // namespace
}  // namespace zload::test
