// CommitGroup on a real SQLite store: batches share a transaction until the group is due, a
// second connection sees a group only once it commits, and a rollback takes the summary's
// counts and the held rejects back to the last commit.
#include "loader/commit_group.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "loader/job.h"
#include "tests/support/scratch_dir.h"

namespace zload::test {
namespace {

using std::chrono::milliseconds;

// Journal entries another connection sees in the store at `path`.
int64_t CommittedBatches(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM zload_journal", -1, &stmt, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  ScratchDir dir;
  std::string db = dir / "store.db";
  std::unique_ptr<JobStore> store = OpenJobStore("sqlite:" + db);
  RejectWriter rejects{dir / "rejects.csv"};
  RunSummary summary{.sources = {{"items", "items.csv"}}, .views = {{"totals"}}};
  int64_t time = 0;

  // One applied batch of `rows` good rows: a journal entry and the summary's counts.
  void Batch(CommitGroup& group, int64_t rows) {
    group.BeginBatch();
    store->PutJournalEntry({++time, 1, 0, rows, "done", rows, ""});
    summary.sources[0].rows_read += rows;
    summary.sources[0].inserts += rows;
    summary.views[0].changes += rows;
    ++summary.batches;
    group.EndBatch();
  }
  void RejectRow(const std::string& raw) {
    rejects.Reject("items", "a,b", InputRow{.line = 2, .raw = raw},
                   Error(ErrorCode::kParse, "bad row", {.file = "items.csv", .line = 2}));
    ++summary.rejected;
    ++summary.sources[0].rejected;
  }
};

TEST(CommitGroupTest, ZeroIntervalCommitsEveryBatch) {
  Fixture f;
  CommitGroup group(*f.store, f.rejects, f.summary, milliseconds(0));
  f.Batch(group, 5);
  EXPECT_FALSE(group.open());
  EXPECT_EQ(CommittedBatches(f.db), 1);
  f.Batch(group, 5);
  EXPECT_EQ(CommittedBatches(f.db), 2);
}

TEST(CommitGroupTest, BatchesShareATransactionUntilTheGroupCommits) {
  Fixture f;
  CommitGroup group(*f.store, f.rejects, f.summary, milliseconds(3'600'000));
  for (int i = 0; i < 3; ++i) f.Batch(group, 4);
  EXPECT_TRUE(group.open());
  EXPECT_EQ(CommittedBatches(f.db), 0);
  group.Commit();
  EXPECT_FALSE(group.open());
  EXPECT_EQ(CommittedBatches(f.db), 3);
  EXPECT_EQ(f.summary.sources[0].rows_read, 12);
}

TEST(CommitGroupTest, RejectsAreWrittenOnlyWhenTheirGroupCommits) {
  Fixture f;
  CommitGroup group(*f.store, f.rejects, f.summary, milliseconds(3'600'000));
  f.RejectRow("x,1");
  f.Batch(group, 4);
  EXPECT_FALSE(std::filesystem::exists(f.dir / "rejects.csv"));
  EXPECT_EQ(f.rejects.count(), 1);
  group.Commit();
  EXPECT_EQ(ReadText(f.dir / "rejects.csv"), "a,b\nx,1\n");
  EXPECT_EQ(ReadText(f.dir / "rejects.csv.log"), "items.csv:2: bad row\n");
}

TEST(CommitGroupTest, RollbackReturnsStoreSummaryAndRejectsToTheLastCommit) {
  Fixture f;
  CommitGroup group(*f.store, f.rejects, f.summary, milliseconds(3'600'000));
  f.RejectRow("x,1");
  f.Batch(group, 4);
  group.Commit();
  const RunSummary committed = f.summary;

  f.RejectRow("y,2");
  f.Batch(group, 6);
  f.Batch(group, 7);
  EXPECT_EQ(f.summary.sources[0].rows_read, 17);
  EXPECT_EQ(f.rejects.count(), 2);
  group.Rollback();

  EXPECT_FALSE(group.open());
  EXPECT_EQ(CommittedBatches(f.db), 1);
  EXPECT_EQ(f.summary.batches, committed.batches);
  EXPECT_EQ(f.summary.rejected, committed.rejected);
  EXPECT_EQ(f.summary.sources[0].rows_read, 4);
  EXPECT_EQ(f.summary.sources[0].inserts, 4);
  EXPECT_EQ(f.summary.sources[0].rejected, 1);
  EXPECT_EQ(f.summary.views[0].changes, 4);
  EXPECT_EQ(f.rejects.count(), 1);
  group.Commit();  // nothing held: the rolled-back reject is never written
  EXPECT_EQ(ReadText(f.dir / "rejects.csv"), "a,b\nx,1\n");
  // The store takes new batches after a rollback.
  f.Batch(group, 2);
  group.Commit();
  EXPECT_EQ(CommittedBatches(f.db), 2);
}

TEST(CommitGroupTest, DestroyingAnOpenGroupRollsItBack) {
  Fixture f;
  {
    CommitGroup group(*f.store, f.rejects, f.summary, milliseconds(3'600'000));
    f.Batch(group, 3);
  }
  EXPECT_EQ(CommittedBatches(f.db), 0);
  EXPECT_EQ(f.summary.batches, 0);
}

}  // namespace
}  // namespace zload::test
