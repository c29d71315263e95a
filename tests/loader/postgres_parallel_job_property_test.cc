// Worker processes on a PostgreSQL store: the shop property of postgres_job_property_test with
// 1 to 4 workers (`zload worker`, times from a PostgreSQL SEQUENCE), committing per batch or
// per delay vertex. After every run each view table must equal PostgreSQL's own SELECT over the
// base tables and the view table of a serial run of the same files on SQLite.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "tests/support/pg_cluster.h"
#include "tests/support/shop_postgres_property.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

constexpr uint64_t kBaseSeed = 20261201;

// Parameter i: workers 1 + i % 4, flush_every_set when i / 4 is odd.
class PostgresParallelJobPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(PostgresParallelJobPropertyTest, ViewsMatchPostgresAndSerialSqlite) {
  ShopPropertyOptions options;
  options.runs = 3;
  options.max_rows_per_file = 50;
  options.max_batch_rows = 12;
  options.first_view_run = GetParam() % 2;
  options.workers = 1 + GetParam() % 4;
  options.flush_every_set = (GetParam() / 4) % 2 == 1;
  options.worker_binary = ZLOAD_BINARY;
  if (const char* keep = std::getenv("ZLOAD_KEEP_FAILED_JOB")) options.keep_failed_in = keep;
  SCOPED_TRACE(::testing::Message()
               << "workers " << options.workers << ", flush_every_set " << options.flush_every_set);
  RunShopPropertyOnPostgres(PropertyBaseSeed(kBaseSeed) + static_cast<uint64_t>(GetParam()),
                            PgCluster::Shared().FreshDatabase(), options);
}

INSTANTIATE_TEST_SUITE_P(WorkersAndFlush, PostgresParallelJobPropertyTest, ::testing::Range(0, 8));

}  // namespace
}  // namespace zload::test
