// Failure recovery with worker processes on a PostgreSQL store (a throwaway cluster): a worker
// or the coordinator is killed with SIGKILL at a named point of one batch (ZLOAD_TEST_KILL); a
// killed worker's batch runs again, a killed coordinator's job is finished with `zload resume`.
// Then the base tables must equal a serial run's on SQLite over the same files (zero rows lost,
// zero doubled) and every view must equal PostgreSQL's own SELECT over the base tables.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
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

// A job of one base table `items` (ids 0..999, 100 rows a batch, so batch k holds ids
// 100k..100k+99) in `dir`, its store at `url`.
void WriteItemsJob(const ScratchDir& dir, const std::string& url) {
  std::string csv = "id,v\n";
  for (int i = 0; i < 1000; ++i) csv += std::to_string(i) + ",v" + std::to_string(i) + "\n";
  dir.Write("items.csv", csv);
  dir.Write("job.toml", "[store]\nurl = \"" + url +
                            "\"\n\n[[source]]\nname = \"items\"\nfile = \"items.csv\"\nschema = "
                            "\"id INTEGER NOT NULL, v TEXT\"\n\n[run]\nbatch_rows = 100\n"
                            "frontier_timeout_s = 1\n");
}

// Runs `zload run job.toml -q --workers 2` in `dir` with `env`; once batches 0..`done_before`
// are done, takes batch `done_before` out of the store at `url` as a server crash that lost its
// commit would (its rows, its journal entry, its last_update). Returns the run; `lost` says
// whether the batch was taken out.
CliResult RunLosingBatch(const ScratchDir& dir, const std::string& url, const std::string& env,
                         int done_before, bool& lost) {
  CliResult run;
  std::thread job([&] { run = RunWithEnv(dir, env, "run job.toml -q --workers 2"); });
  lost = false;
  const std::string first = std::to_string(100 * done_before);
  for (int poll = 0; poll < 600 && !lost; ++poll) {
    try {
      PgReader db(url);
      if (db.Query("SELECT count(*) FROM zload_journal WHERE status = 'done'").ToString() ==
          ZSet({{{Value::Integer(done_before + 1)}, 1}}).ToString()) {
        db.Exec("DELETE FROM items WHERE id >= " + first +
                "; DELETE FROM zload_journal WHERE first_record = " + first +
                "; UPDATE last_update SET t = (SELECT max(time) FROM zload_journal WHERE status = "
                "'done')");
        lost = true;
      }
    } catch (const Error&) {
      // The job has not created its tables yet.
    }
    if (!lost) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  job.join();
  return run;
}

// After a failed run whose store lost batches: the files are interrupted, and `zload resume`
// loads every row once.
void ExpectResumeLoadsEveryRowOnce(const ScratchDir& dir, const std::string& url) {
  PgReader db(url);
  EXPECT_EQ(db.Query("SELECT status FROM zload_files").ToString(),
            ZSet({{{Value::Text("interrupted")}, 1}}).ToString());
  CliResult resume = RunZload(dir, "resume job.toml -q --workers 2");
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(
      db.Query("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM items").ToString(),
      ZSet({{{Value::Integer(1000), Value::Integer(1000), Value::Integer(0), Value::Integer(999)},
             1}})
          .ToString());
  EXPECT_EQ(db.Query("SELECT status FROM zload_files").ToString(),
            ZSet({{{Value::Text("complete")}, 1}}).ToString());
}

constexpr const char* kLostMessage = "the store lost 1 batch(es) this run saw committed";

// A batch commits without waiting for the disk, so a server that crashes can lose the last
// batches a run saw committed. Here the coordinator pauses once the last batch is done
// (ZLOAD_TEST_HANG_MS) while the test takes that batch out of the store: the run must not
// record the file complete but fail, and `zload resume` must load the batch again.
TEST(PostgresLostCommitTest, ALastBatchTheServerLostFailsTheRunAndResumeLoadsIt) {
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteItemsJob(dir, url);
  bool lost = false;
  CliResult run = RunLosingBatch(
      dir, url, "ZLOAD_TEST_HANG=coordinator-after-done@9 ZLOAD_TEST_HANG_MS=3000", 9, lost);
  ASSERT_TRUE(lost) << "the last batch was never done: " << run.err;
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find(kLostMessage), std::string::npos) << run.err;
  ExpectResumeLoadsEveryRowOnce(dir, url);
}

// The same loss mid-run: batch 5 waits (ZLOAD_TEST_DELAY_BATCH) while batch 4 is taken out,
// so its frontier never comes; its failure (a transient one, as a lost connection is) must
// end the run with the loss named rather than run it again for ever.
TEST(PostgresLostCommitTest, ABatchTheServerLostMidRunFailsTheRunAndResumeLoadsIt) {
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteItemsJob(dir, url);
  bool lost = false;
  CliResult run = RunLosingBatch(dir, url, "ZLOAD_TEST_DELAY_BATCH=5:2000", 4, lost);
  ASSERT_TRUE(lost) << "batch 4 was never done: " << run.err;
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find(kLostMessage), std::string::npos) << run.err;
  ExpectResumeLoadsEveryRowOnce(dir, url);
}
}  // namespace
}  // namespace zload::test
