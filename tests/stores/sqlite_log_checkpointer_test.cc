// A SqliteLogCheckpointer copies the write-ahead log of a writer that does not checkpoint into the
// database file, again and again while the writer goes on: the database file alone, copied
// without its log, then holds every committed row. A file it cannot open fails at construction
// with Error(kIo). A SqliteJobStore that leaves checkpoints commits without checkpointing, and
// hands out such a checkpointer of its file.
#include "stores/sqlite_log_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_job_store.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using namespace std::chrono_literals;

// Rows of table t in a copy of the database file at `path` made without its log; -1 when the
// copy has no table t.
int64_t RowsInFileAlone(const test::ScratchDir& dir, const std::string& path,
                        const std::string& copy_name) {
  const std::string copy = dir / copy_name;
  std::filesystem::copy_file(path, copy);
  sqlite::Database db(copy);
  sqlite::Statement has(db.handle(), "SELECT count(*) FROM sqlite_schema WHERE name = 't'");
  has.Step();
  if (has.ColumnInt(0) == 0) return -1;
  sqlite::Statement count(db.handle(), "SELECT count(*) FROM t");
  count.Step();
  return count.ColumnInt(0);
}

void InsertRows(sqlite::Database& db, int n) {
  db.Exec("BEGIN IMMEDIATE");
  sqlite::Statement insert(db.handle(), "INSERT INTO t VALUES (?1, randomblob(200))");
  for (int i = 0; i < n; ++i) {
    insert.BindInt(1, i);
    insert.Run();
  }
  db.Exec("COMMIT");
}

// Waits up to 10 s for `checkpointer` to have completed `n` checkpoints.
bool WaitForCheckpoints(const SqliteLogCheckpointer& checkpointer, int64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (checkpointer.checkpoints() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(SqliteLogCheckpointerTest, CopiesTheLogOfAWriterThatDoesNotCheckpoint) {
  test::ScratchDir dir;
  const std::string path = dir / "store.db";
  sqlite::Database writer(path);
  writer.Exec("PRAGMA wal_autocheckpoint=0; CREATE TABLE t (x INTEGER, pad BLOB)");
  InsertRows(writer, 1000);
  // Without a checkpoint the rows are only in the log.
  EXPECT_EQ(RowsInFileAlone(dir, path, "before.db"), -1);

  SqliteLogCheckpointer checkpointer(path, 10ms);
  ASSERT_TRUE(WaitForCheckpoints(checkpointer, 1));
  EXPECT_EQ(RowsInFileAlone(dir, path, "first.db"), 1000);

  // The writer goes on; the next checkpoint copies its new commit too.
  InsertRows(writer, 500);
  ASSERT_TRUE(WaitForCheckpoints(checkpointer, 2));
  EXPECT_EQ(RowsInFileAlone(dir, path, "second.db"), 1500);
}

TEST(SqliteLogCheckpointerTest, AFileItCannotOpenFailsAtConstruction) {
  test::ScratchDir dir;
  try {
    SqliteLogCheckpointer checkpointer(dir / "no/such/dir/store.db", 10ms);
    FAIL() << "opened a file in a directory that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(e.what()).find("store.db"), std::string::npos) << e.what();
  }
}

TEST(SqliteLogCheckpointerTest, AJobStoreLeavingCheckpointsCommitsWithoutThem) {
  test::ScratchDir dir;
  const std::string path = dir / "job.db";
  SqliteJobStore store(path);
  auto autocheckpoint = [&] {
    sqlite::Statement q(store.database().handle(), "PRAGMA wal_autocheckpoint");
    q.Step();
    return q.ColumnInt(0);
  };
  EXPECT_GT(autocheckpoint(), 0);
  store.LeaveCheckpoints();
  EXPECT_EQ(autocheckpoint(), 0);

  std::unique_ptr<BackgroundWork> checkpoints = store.CheckpointInBackground();
  ASSERT_NE(checkpoints, nullptr);
  auto* checkpointer = dynamic_cast<SqliteLogCheckpointer*>(checkpoints.get());
  ASSERT_NE(checkpointer, nullptr);
  store.database().Exec("CREATE TABLE t (x INTEGER, pad BLOB)");
  InsertRows(store.database(), 300);
  ASSERT_TRUE(WaitForCheckpoints(*checkpointer, 1));
  EXPECT_EQ(RowsInFileAlone(dir, path, "copy.db"), 300);
}

}  // namespace
}  // namespace zload
