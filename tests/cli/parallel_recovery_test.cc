// Failure recovery with worker processes, end to end on real SQLite files: a worker or the
// coordinator is killed with SIGKILL at a named point of one batch (the test-only fault hook
// ZLOAD_TEST_KILL, once per point with ZLOAD_TEST_KILL_ONCE_DIR); a killed worker's batch is run
// again (on_error = "retry"), a killed coordinator's job is finished with `zload resume`. Then
// every base table and view must equal a serial run's on the same files (zero rows lost, zero
// doubled) and every view must equal SQLite's own SELECT over the base tables.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <tuple>

#include "tests/cli/cli_harness.h"
#include "tests/cli/recovery_harness.h"

namespace zload::test {
namespace {

// The store's tables as multisets, for comparison with the serial run's.
struct Tables {
  std::string products, line_items, totals, range;
};

Tables Read(const std::string& db) {
  return {QueryFile(db, "SELECT name, price FROM products").ToString(),
          QueryFile(db, "SELECT basket_id, product_name, qty FROM line_items").ToString(),
          QueryFile(db, "SELECT basket_id, total, _count_ FROM basket_totals", true).ToString(),
          QueryFile(db, "SELECT product_name, least, most, n, _count_ FROM qty_range", true)
              .ToString()};
}

void ExpectSameAs(const Tables& want, const std::string& db) {
  Tables got = Read(db);
  EXPECT_EQ(got.products, want.products);
  EXPECT_EQ(got.line_items, want.line_items);
  EXPECT_EQ(got.totals, want.totals);
  EXPECT_EQ(got.range, want.range);
  // The oracle of every view: SQLite's own SELECT over the loaded base tables.
  EXPECT_EQ(got.totals, QueryFile(db, kTotalsSql).ToString());
  EXPECT_EQ(got.range, QueryFile(db, kRangeSql).ToString());
}

// The serial run's tables on the inputs of `seed`.
Tables SerialReference(uint64_t seed) {
  ScratchDir dir;
  WriteInputs(dir, seed);
  dir.Write("job.toml", Config("sqlite:ref.db", ""));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Read(dir / "ref.db");
}

constexpr uint64_t kSeed = 20261124;

// (fault point, workers): a batch in the middle of the run; the products file has 6 batches,
// so batch 8 is one of line_items.
class KillRecoveryTest : public ::testing::TestWithParam<KillCase> {};

TEST_P(KillRecoveryTest, NoRowLostOrDoubled) {
  static const Tables want = SerialReference(kSeed);
  const auto& [point, workers, flush] = GetParam();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db", ""));
  std::filesystem::create_directories(dir / "once");
  const std::string env =
      "ZLOAD_TEST_KILL=" + point + "@8 ZLOAD_TEST_KILL_ONCE_DIR='" + (dir / "once") + "'";
  const std::string flags = " -q --workers " + std::to_string(workers) + " --flush-every-set " +
                            (flush ? "true" : "false");
  CliResult run = RunWithEnv(dir, env, "run job.toml" + flags);
  EXPECT_TRUE(std::filesystem::exists(dir / ("once/" + point + "@8")))
      << "the fault point was never reached";
  if (point.rfind("coordinator-", 0) == 0) {
    // The shell reports a child killed by SIGKILL as 128 + 9.
    EXPECT_EQ(run.exit_code, 137) << "the coordinator was not killed: " << run.err;
    CliResult status = RunZload(dir, "status job.toml");
    EXPECT_NE(status.out.find("unfinished"), std::string::npos) << status.out;
    CliResult resume = RunZload(dir, "resume job.toml" + flags);
    ASSERT_EQ(resume.exit_code, 0) << resume.err;
    // Resuming a finished job does nothing.
    CliResult again = RunZload(dir, "resume job.toml" + flags);
    EXPECT_EQ(again.exit_code, 0) << again.err;
  } else {
    ASSERT_EQ(run.exit_code, 0) << "a killed worker's batch was not run again: " << run.err;
  }
  ExpectSameAs(want, dir / "store.db");
  ZSet statuses = QueryFile(dir / "store.db", "SELECT status FROM zload_files");
  EXPECT_EQ(statuses.ToString(), ZSet({{{Value::Text("complete")}, 2}}).ToString());
}

INSTANTIATE_TEST_SUITE_P(PointsWorkersFlush, KillRecoveryTest,
                         ::testing::ValuesIn(KillCases({1, 2, 3, 4})),
                         [](const auto& info) { return KillCaseName(info.param); });

// Without workers, batches share a transaction until it is commit_interval_ms old: a run killed
// with a group open loses nothing that `zload resume` does not load again, and writes no reject
// twice (a held reject is written when its group commits).
TEST(KillRecoveryTest, SerialRunKilledWithAGroupOpenResumesExactly) {
  ScratchDir ref, dir;
  for (const ScratchDir* d : {&ref, &dir}) {
    WriteInputs(*d, kSeed);
    std::string items = ReadFile(*d / "items.csv");
    size_t at = 0;
    for (int line = 0; line < 10; ++line) at = items.find('\n', at) + 1;
    items.insert(at, "not_a_number,p1,3,+\n");  // line_items record 10: batch 7
    d->Write("items.csv", items);
    d->Write("job.toml", Config("sqlite:store.db",
                                "on_bad_row = \"reject\"\nreject_file = \"rejects.csv\"\n"
                                "commit_interval_ms = 3600000\n"));
  }
  CliResult whole = RunZload(ref, "run job.toml -q");
  ASSERT_EQ(whole.exit_code, 2) << whole.err;
  const Tables want = Read(ref / "store.db");

  CliResult run = RunWithEnv(dir, "ZLOAD_TEST_KILL=coordinator-after-done@9", "run job.toml -q");
  EXPECT_EQ(run.exit_code, 137) << "the run was not killed: " << run.err;
  // Batch 7's reject is held in the open group: not written.
  EXPECT_FALSE(std::filesystem::exists(dir / "rejects.csv")) << ReadFile(dir / "rejects.csv");
  // Only the products' batches, committed when their file ended, are in the store.
  EXPECT_EQ(QueryFile(dir / "store.db", "SELECT count(*) FROM line_items").ToString(),
            ZSet({{{Value::Integer(0)}, 1}}).ToString());
  CliResult resume = RunZload(dir, "resume job.toml -q");
  ASSERT_EQ(resume.exit_code, 2) << resume.err;
  ExpectSameAs(want, dir / "store.db");
  EXPECT_EQ(ReadFile(dir / "rejects.csv"), ReadFile(ref / "rejects.csv"));
  std::string want_log = ReadFile(ref / "rejects.csv.log");
  const std::string ref_dir = ref.path().string();
  ASSERT_NE(want_log.find(ref_dir), std::string::npos) << want_log;
  want_log.replace(want_log.find(ref_dir), ref_dir.size(), dir.path().string());
  EXPECT_EQ(ReadFile(dir / "rejects.csv.log"), want_log);
}

// on_error = "abort": runs the job with `workers` workers, the one holding batch 9 killed after
// parsing it; the run must stop with that reason.
void RunStoppedByKilledBatch9(const ScratchDir& dir, int workers) {
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db", "on_error = \"abort\"\n"));
  CliResult run = RunWithEnv(dir, "ZLOAD_TEST_KILL=after-parse@8",
                             "run job.toml -q --workers " + std::to_string(workers));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("while applying batch 9"), std::string::npos) << run.err;
}

// on_error = "abort": a killed worker stops the job with the reason; the batches before it are
// in the store, and `zload resume` finishes the job exactly.
TEST(KillPolicyTest, AbortStopsAndResumeFinishes) {
  static const Tables want = SerialReference(kSeed);
  ScratchDir dir;
  RunStoppedByKilledBatch9(dir, 2);
  EXPECT_EQ(QueryFile(dir / "store.db", kTotalsSql).ToString(),
            QueryFile(dir / "store.db", "SELECT basket_id, total, _count_ FROM basket_totals", true)
                .ToString());
  CliResult resume = RunZload(dir, "resume job.toml -q --workers 2");
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  ExpectSameAs(want, dir / "store.db");
}

// With one worker busy the coordinator takes the next batch ahead (its time and journal entry);
// when the run stops first, that batch is recorded as not applied, no table holds its time, and
// `zload resume` loads its rows once.
TEST(KillPolicyTest, BatchTakenAheadOfAStopIsRecordedAsNotApplied) {
  static const Tables want = SerialReference(kSeed);
  ScratchDir dir;
  RunStoppedByKilledBatch9(dir, 1);
  // The killed batch (7 rows a batch), then the one taken ahead of the stop: the next 7 records.
  EXPECT_EQ(
      QueryFile(dir / "store.db",
                "SELECT first_record, records, status, error LIKE '%exited with status%' "
                "FROM zload_journal WHERE status <> 'done' ORDER BY time")
          .ToString(),
      QueryFile(dir / "store.db", "SELECT 14, 7, 'failed', 1 UNION ALL SELECT 21, 7, 'failed', 0")
          .ToString());
  EXPECT_EQ(QueryFile(dir / "store.db",
                      "SELECT count(*) FROM zload_journal WHERE error = 'not applied: the run "
                      "stopped first' AND time > (SELECT max(t) FROM last_update)")
                .ToString(),
            QueryFile(dir / "store.db", "SELECT 1").ToString());
  CliResult resume = RunZload(dir, "resume job.toml -q --workers 1");
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  ExpectSameAs(want, dir / "store.db");
}

// A worker that hangs holding a batch is killed after worker_timeout_s and its batch runs again.
TEST(KillPolicyTest, HungWorkerIsKilledAndItsBatchRunsAgain) {
  static const Tables want = SerialReference(kSeed);
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db", "worker_timeout_s = 2\n"));
  std::filesystem::create_directories(dir / "once");
  CliResult run = RunWithEnv(
      dir, "ZLOAD_TEST_HANG=after-parse@8 ZLOAD_TEST_KILL_ONCE_DIR='" + (dir / "once") + "'",
      "run job.toml -q --workers 2");
  EXPECT_TRUE(std::filesystem::exists(dir / "once/after-parse@8")) << "the worker never hung";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectSameAs(want, dir / "store.db");
}

// The SQLite file's disk fills up (RLIMIT_FSIZE, set to half of what the whole load writes):
// the run stops with an error and leaves the store resumable; `zload resume` with room again
// finishes the job exactly. Without workers the summary counts only what was committed.
TEST(DiskFullTest, RunStopsCleanlyAndResumeFinishes) {
  constexpr int kItems = 4000;
  ScratchDir ref;
  WriteInputs(ref, kSeed, kItems);
  ref.Write("job.toml", Config("sqlite:store.db", ""));
  ASSERT_EQ(RunZload(ref, "run job.toml -q").exit_code, 0);
  uintmax_t written = 0;
  for (const char* f : {"store.db", "store.db-wal"}) {
    if (std::filesystem::exists(ref / f)) written += std::filesystem::file_size(ref / f);
  }
  const Tables want = Read(ref / "store.db");
  for (const std::string flags : {" -q --json run.json", " -q --workers 2 --flush-every-set false",
                                  " -q --workers 2 --flush-every-set true"}) {
    ScratchDir dir;
    WriteInputs(dir, kSeed, kItems);
    dir.Write("job.toml", Config("sqlite:store.db", ""));
    // ulimit -f counts 512-byte blocks in sh.
    CliResult run = RunWithEnv(dir, "ulimit -f " + std::to_string(written / 2 / 512) + " &&",
                               "run job.toml" + flags);
    // A clean error: 64 when it struck before the first batch, 1 after; never a crash.
    EXPECT_TRUE(run.exit_code == 1 || run.exit_code == 64) << flags << ": " << run.err;
    EXPECT_NE(run.err.find("disk I/O error"), std::string::npos) << run.err;
    if (std::filesystem::exists(dir / "run.json")) {
      // What the summary reports as loaded is what the store kept.
      nlohmann::json summary = nlohmann::json::parse(ReadFile(dir / "run.json"));
      int64_t reported = 0;
      for (const auto& source : summary["sources"]) reported += source["rows"].get<int64_t>();
      ZSet kept = QueryFile(dir / "store.db", "SELECT sum(rows) FROM zload_journal");
      ZSet want_kept({{{reported == 0 ? Value::Null() : Value::Integer(reported)}, 1}});
      EXPECT_EQ(kept.ToString(), want_kept.ToString());
    }
    CliResult resume = RunZload(dir, "resume job.toml" + flags);
    ASSERT_EQ(resume.exit_code, 0) << flags << ": " << resume.err;
    ExpectSameAs(want, dir / "store.db");
  }
}

// on_error = "skip": a batch whose worker dies every time is, after max_retries, closed without
// being applied; its rows go to the reject file and later batches load.
TEST(KillPolicyTest, SkipClosesTheBatchAndRejectsItsRows) {
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db",
                               "on_error = \"skip\"\nmax_retries = 1\n"
                               "reject_file = \"rejects.csv\"\n"));
  CliResult run = RunWithEnv(dir, "ZLOAD_TEST_KILL=after-parse@8", "run job.toml -q --workers 2");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  // Batch 8 is line_items records 14..20, lines 16..22 (7 a batch: products' 40 rows take
  // batches 0..5, line_items starts at batch 6).
  const std::string items = ReadFile(dir / "items.csv");
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = items.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines.push_back(items.substr(start, end - start));
  }
  std::string skipped = lines[0] + "\n";
  for (int i = 15; i <= 21; ++i) skipped += lines[static_cast<size_t>(i)] + "\n";
  EXPECT_EQ(ReadFile(dir / "rejects.csv"), skipped);
  EXPECT_NE(ReadFile(dir / "rejects.csv.log").find("batch skipped"), std::string::npos);
  EXPECT_EQ(QueryFile(dir / "store.db", "SELECT status FROM zload_journal WHERE status = 'skipped'")
                .ToString(),
            ZSet({{{Value::Text("skipped")}, 1}}).ToString());
  // The views are exact over what was loaded.
  EXPECT_EQ(QueryFile(dir / "store.db", kTotalsSql).ToString(),
            QueryFile(dir / "store.db", "SELECT basket_id, total, _count_ FROM basket_totals", true)
                .ToString());
  EXPECT_EQ(QueryFile(dir / "store.db", kRangeSql).ToString(),
            QueryFile(dir / "store.db",
                      "SELECT product_name, least, most, n, _count_ FROM qty_range", true)
                .ToString());
}

}  // namespace
}  // namespace zload::test
