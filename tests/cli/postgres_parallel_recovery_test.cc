// Failure recovery with worker processes on a PostgreSQL store (a throwaway cluster): a worker
// or the coordinator is killed with SIGKILL at a named point of one batch (ZLOAD_TEST_KILL); a
// killed worker's batch runs again, a killed coordinator's job is finished with `zload resume`.
// Then the base tables must equal a serial run's on SQLite over the same files (zero rows lost,
// zero doubled) and every view must equal PostgreSQL's own SELECT over the base tables.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <tuple>

#include "tests/cli/cli_harness.h"
#include "tests/cli/postgres_restart.h"
#include "tests/cli/recovery_harness.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/pg_query.h"

namespace zload::test {
namespace {

constexpr uint64_t kSeed = 20261125;

// The base tables of a serial run on SQLite over the inputs of `seed`.
std::pair<std::string, std::string> SerialBaseTables(uint64_t seed) {
  ScratchDir dir;
  WriteInputs(dir, seed);
  dir.Write("job.toml", Config("sqlite:ref.db", ""));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return {
      QueryFile(dir / "ref.db", "SELECT name, price FROM products").ToString(),
      QueryFile(dir / "ref.db", "SELECT basket_id, product_name, qty FROM line_items").ToString()};
}

// The base tables equal the serial run's (`want`) and every view PostgreSQL's own SELECT.
void ExpectSameAsSerial(PgReader& db, const std::pair<std::string, std::string>& want) {
  EXPECT_EQ(db.Query("SELECT name, price FROM products").ToString(), want.first);
  EXPECT_EQ(db.Query("SELECT basket_id, product_name, qty FROM line_items").ToString(),
            want.second);
  EXPECT_TRUE(PgViewMatchesSelect(db, "basket_totals", kTotalsSql));
  EXPECT_TRUE(PgViewMatchesSelect(db, "qty_range", kRangeSql));
}

class PostgresKillRecoveryTest : public ::testing::TestWithParam<KillCase> {};

TEST_P(PostgresKillRecoveryTest, NoRowLostOrDoubled) {
  static const std::pair<std::string, std::string> want = SerialBaseTables(kSeed);
  const auto& [point, workers, flush] = GetParam();
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config(url, ""));
  std::filesystem::create_directories(dir / "once");
  const std::string env =
      "ZLOAD_TEST_KILL=" + point + "@8 ZLOAD_TEST_KILL_ONCE_DIR='" + (dir / "once") + "'";
  const std::string flags = " -q --workers " + std::to_string(workers) + " --flush-every-set " +
                            (flush ? "true" : "false");
  CliResult run = RunWithEnv(dir, env, "run job.toml" + flags);
  EXPECT_TRUE(std::filesystem::exists(dir / ("once/" + point + "@8")))
      << "the fault point was never reached";
  if (point.rfind("coordinator-", 0) == 0) {
    EXPECT_EQ(run.exit_code, 137) << "the coordinator was not killed: " << run.err;
    CliResult resume = RunZload(dir, "resume job.toml" + flags);
    ASSERT_EQ(resume.exit_code, 0) << resume.err;
  } else {
    ASSERT_EQ(run.exit_code, 0) << "a killed worker's batch was not run again: " << run.err;
  }
  PgReader db(url);
  ExpectSameAsSerial(db, want);
  EXPECT_EQ(db.Query("SELECT status FROM zload_files").ToString(),
            ZSet({{{Value::Text("complete")}, 2}}).ToString());
}

INSTANTIATE_TEST_SUITE_P(PointsWorkersFlush, PostgresKillRecoveryTest,
                         ::testing::ValuesIn(KillCases({1, 2, 3, 4})),
                         [](const auto& info) { return KillCaseName(info.param); });

// The PostgreSQL server restarts (pg_ctl restart) while a job runs: every connection is cut.
// The workers' batches fail with a lost connection and run again once the server is back (a
// transient error is retried under any on_error policy, "abort" too), the coordinator
// reconnects, and nothing is lost or doubled.
class PostgresRestartTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PostgresRestartTest, ServerRestartedMidJobLosesNothing) {
  static const std::pair<std::string, std::string> want = SerialBaseTables(kSeed);
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config(url, "on_error = \"" + GetParam() + "\"\n"));
  const RestartedRun r = RunWithServerRestart(dir, url);
  ASSERT_TRUE(r.restarted) << "batch 8 was never reached";
  const CliResult& run = r.run;
  ASSERT_EQ(run.exit_code, 0) << run.err;
  PgReader db(url);
  ExpectSameAsSerial(db, want);
}

INSTANTIATE_TEST_SUITE_P(OnError, PostgresRestartTest, ::testing::Values("retry", "abort"));

}  // namespace
}  // namespace zload::test
