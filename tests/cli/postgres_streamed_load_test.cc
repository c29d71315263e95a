// Worker processes on a PostgreSQL store write a source of inserts only (no op column, no primary
// key, read by no view) while they parse it, before their batch's frontier, each in a
// transaction that commits in batch order. The real zload binary runs a job with such a source
// between the recovery tests' products and line items; the store must equal a serial run's on
// SQLite over the same files: the same rows in every base table, byte-identical reject files,
// the same exit code, and views equal to PostgreSQL's own SELECT; also when the run stops at a
// bad row and when a worker or the coordinator is killed mid-batch.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <tuple>

#include "tests/cli/cli_harness.h"
#include "tests/cli/postgres_restart.h"
#include "tests/cli/recovery_harness.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/pg_query.h"

namespace zload::test {
namespace {

constexpr uint64_t kSeed = 20261124;
constexpr const char* kEventsSql = "SELECT id, amount, note FROM events";

// One CSV field, quoted when it must be.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// `count` events with awkward values: text with tabs, backslashes, quotes, commas and line
// breaks, NULLs (empty fields), reals from -0.0 to 1e300; with `bad_every` > 0, every
// bad_every-th record is malformed (a word for an integer, or a field too many); `bad_at` >= 0
// makes that record (0-based) the only bad one.
std::string Events(uint64_t seed, int count, int bad_every, int bad_at = -1) {
  std::mt19937_64 rng(seed);
  const char* notes[] = {"plain", "tab\there",   "back\\slash\\N", "say \"hi\"",
                         "a,b",   "line\nbreak", "caf\xc3\xa9",    "",
                         "\\.",   "{x}"};
  const char* amounts[] = {"12.5", "-0.0", "1e300", "0.1", "-7", "", "3.25e-5", "100"};
  std::string out = "id,amount,note\n";
  for (int i = 0; i < count; ++i) {
    const bool bad = bad_at >= 0 ? i == bad_at : bad_every > 0 && i % bad_every == bad_every - 1;
    if (bad) {
      out += rng() % 2 ? "seven,1.5,x\n" : std::to_string(i) + ",1.5,x,extra\n";
      continue;
    }
    const std::string note = notes[rng() % std::size(notes)];
    out += std::to_string(static_cast<int64_t>(rng() % 2000) - 1000) + "," +
           amounts[rng() % std::size(amounts)] + "," +
           (note.empty() ? std::string() : CsvField(note)) + "\n";
  }
  return out;
}

// The job: products and line items with their views (recovery_harness.h), and events between
// them.
std::string StreamedConfig(const std::string& store, const std::string& run) {
  std::string config = Config(store, run);
  const std::string events =
      "[[source]]\nname = \"events\"\nfile = \"events.csv\"\n"
      "schema = \"id INTEGER NOT NULL, amount REAL, note TEXT\"\n";
  const size_t at = config.find("[[source]]\nname = \"line_items\"");
  config.insert(at, events);
  return config;
}

// `text` with every mention of `dir` replaced by "DIR".
std::string WithoutDir(std::string text, const ScratchDir& dir) {
  const std::string path = dir.path().string();
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at)) {
    text.replace(at, path.size(), "DIR");
  }
  return text;
}

struct SerialRun {
  CliResult result;
  std::string products, events, items, rejects, rejects_log;
};

// The same job without workers on SQLite.
SerialRun RunSerially(const std::string& events, const std::string& run) {
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("events.csv", events);
  dir.Write("job.toml", StreamedConfig("sqlite:ref.db", run));
  SerialRun out;
  out.result = RunZload(dir, "run job.toml -q");
  out.result.err = WithoutDir(out.result.err, dir);
  out.products = QueryFile(dir / "ref.db", "SELECT name, price FROM products").ToString();
  out.events = QueryFile(dir / "ref.db", kEventsSql).ToString();
  out.items =
      QueryFile(dir / "ref.db", "SELECT basket_id, product_name, qty FROM line_items").ToString();
  if (std::filesystem::exists(dir / "rejects.csv")) {
    out.rejects = ReadFile(dir / "rejects.csv");
    out.rejects_log = WithoutDir(ReadFile(dir / "rejects.csv.log"), dir);
  }
  return out;
}

// The PostgreSQL store equals the serial run's SQLite store, and every view its SELECT.
void ExpectSameStore(const std::string& url, const SerialRun& want) {
  PgReader db(url);
  EXPECT_EQ(db.Query("SELECT name, price FROM products").ToString(), want.products);
  EXPECT_EQ(db.Query(kEventsSql).ToString(), want.events);
  EXPECT_EQ(db.Query("SELECT basket_id, product_name, qty FROM line_items").ToString(), want.items);
  EXPECT_TRUE(PgViewMatchesSelect(db, "basket_totals", kTotalsSql));
  EXPECT_TRUE(PgViewMatchesSelect(db, "qty_range", kRangeSql));
}

class StreamedLoadTest : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(StreamedLoadTest, RejectsAndRowsEqualASerialRun) {
  const auto [workers, flush] = GetParam();
  const std::string events = Events(kSeed, 300, 23);
  const std::string run = "on_bad_row = \"reject\"\nreject_file = \"rejects.csv\"\n";
  static const SerialRun want = RunSerially(events, run);
  ASSERT_EQ(want.result.exit_code, 2) << want.result.err;
  ASSERT_NE(want.events, ZSet().ToString());

  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("events.csv", events);
  dir.Write("job.toml", StreamedConfig(url, run));
  CliResult r = RunZload(dir, "run job.toml -q --workers " + std::to_string(workers) +
                                  " --flush-every-set " + (flush ? "true" : "false"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ExpectSameStore(url, want);
  EXPECT_EQ(ReadFile(dir / "rejects.csv"), want.rejects);
  EXPECT_EQ(WithoutDir(ReadFile(dir / "rejects.csv.log"), dir), want.rejects_log);
  PgReader db(url);
  // Every batch has its journal entry, in time order, each done.
  EXPECT_EQ(db.Query("SELECT count(*) FROM zload_journal WHERE status <> 'done'").ToString(),
            ZSet({{{Value::Integer(0)}, 1}}).ToString());
}

INSTANTIATE_TEST_SUITE_P(WorkersFlush, StreamedLoadTest,
                         ::testing::Combine(::testing::Values(1, 2, 3, 4), ::testing::Bool()),
                         [](const auto& info) {
                           return "workers" + std::to_string(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) ? "_flush" : "_batch");
                         });

TEST(StreamedLoadAbortTest, KeepsTheBatchesBeforeTheBadRowAsASerialRunDoes) {
  // Record 52 is in the 8th batch of events (7 rows a batch): 49 events stay.
  const std::string events = Events(kSeed, 200, 0, 52);
  const SerialRun want = RunSerially(events, "");
  ASSERT_EQ(want.result.exit_code, 1) << want.result.err;

  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("events.csv", events);
  dir.Write("job.toml", StreamedConfig(url, ""));
  CliResult r = RunZload(dir, "run job.toml -q --workers 3");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(WithoutDir(r.err, dir), want.result.err);
  PgReader db(url);
  EXPECT_EQ(db.Query("SELECT count(*) FROM events").ToString(),
            ZSet({{{Value::Integer(49)}, 1}}).ToString());
  ExpectSameStore(url, want);
}

// A worker killed while its batch of events is written (the COPY open, its transaction not
// committed) or after, and the coordinator killed after handing it out, then resumed.
class StreamedKillTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamedKillTest, NoRowLostOrDoubled) {
  const std::string events = Events(kSeed, 120, 0);
  static const SerialRun want = RunSerially(events, "");
  ASSERT_EQ(want.result.exit_code, 0) << want.result.err;
  const std::string point = GetParam();
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("events.csv", events);
  dir.Write("job.toml", StreamedConfig(url, ""));
  std::filesystem::create_directories(dir / "once");
  // Batches 0-5 are the 40 products; batch 8 is the third of events.
  const std::string env =
      "ZLOAD_TEST_KILL=" + point + "@8 ZLOAD_TEST_KILL_ONCE_DIR='" + (dir / "once") + "'";
  CliResult run = RunWithEnv(dir, env, "run job.toml -q --workers 2");
  EXPECT_TRUE(std::filesystem::exists(dir / ("once/" + point + "@8")))
      << "the fault point was never reached";
  if (point.rfind("coordinator-", 0) == 0) {
    EXPECT_EQ(run.exit_code, 137) << "the coordinator was not killed: " << run.err;
    CliResult resume = RunZload(dir, "resume job.toml -q --workers 2");
    ASSERT_EQ(resume.exit_code, 0) << resume.err;
  } else {
    ASSERT_EQ(run.exit_code, 0) << "a killed worker's batch was not run again: " << run.err;
  }
  ExpectSameStore(url, want);
  PgReader db(url);
  EXPECT_EQ(db.Query("SELECT status FROM zload_files").ToString(),
            ZSet({{{Value::Text("complete")}, 3}}).ToString());
}

INSTANTIATE_TEST_SUITE_P(Points, StreamedKillTest,
                         ::testing::Values("mid-parse", "after-parse", "before-last-update",
                                           "before-commit", "after-commit",
                                           "coordinator-after-handout", "coordinator-after-done"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// The server restarts (every connection cut) while batch 8, a batch of events, waits to apply:
// its COPY's transaction is lost with the connection, the batch runs again once the server is
// back, and nothing is lost or doubled.
TEST(StreamedRestartTest, ServerRestartedMidStreamLosesNothing) {
  const std::string events = Events(kSeed, 120, 0);
  static const SerialRun want = RunSerially(events, "");
  ASSERT_EQ(want.result.exit_code, 0) << want.result.err;
  const std::string url = PgCluster::Shared().FreshDatabase();
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("events.csv", events);
  dir.Write("job.toml", StreamedConfig(url, ""));
  const RestartedRun r = RunWithServerRestart(dir, url);
  ASSERT_TRUE(r.restarted) << "batch 8 was never reached";
  const CliResult& run = r.run;
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectSameStore(url, want);
}

}  // namespace
}  // namespace zload::test
