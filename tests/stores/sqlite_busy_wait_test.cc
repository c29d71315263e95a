// A connection that finds the write lock taken waits for it up to its busy timeout: it takes the
// lock once the holder releases it, fails with a transient Error (which callers retry) when the
// timeout passes first, and with a timeout of 0 fails at once.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using Clock = std::chrono::steady_clock;

ErrorCode CodeOf(sqlite::Database& db, const char* sql) {
  try {
    db.Exec(sql);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;  // no error
}

TEST(SqliteBusyWaitTest, TakesTheLockOnceItsHolderReleasesIt) {
  test::ScratchDir dir;
  sqlite::Database holder(dir / "busy.db");
  holder.Exec("CREATE TABLE t (x INTEGER)");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)");
  std::promise<void> waiting;
  auto writer = std::async(std::launch::async, [&] {
    sqlite::Database db(dir / "busy.db", 30000);
    waiting.set_value();
    db.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT");
    sqlite::Statement count(db.handle(), "SELECT count(*) FROM t");
    count.Step();
    return count.ColumnInt(0);
  });
  waiting.get_future().wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  holder.Exec("COMMIT");
  // The waiting connection wrote after the holder's commit (it sees both rows).
  EXPECT_EQ(writer.get(), 2);
}

TEST(SqliteBusyWaitTest, FailsAsTransientOnceItsTimeoutHasPassed) {
  test::ScratchDir dir;
  sqlite::Database holder(dir / "busy.db");
  holder.Exec("CREATE TABLE t (x INTEGER)");
  holder.Exec("BEGIN IMMEDIATE");
  sqlite::Database db(dir / "busy.db", 200);
  const auto start = Clock::now();
  EXPECT_EQ(CodeOf(db, "BEGIN IMMEDIATE"), ErrorCode::kTransient);
  // It waited for the lock as long as its timeout says before giving up.
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(200));
  // Each wait starts its own timeout: a second try waits again.
  const auto again = Clock::now();
  EXPECT_EQ(CodeOf(db, "BEGIN IMMEDIATE"), ErrorCode::kTransient);
  EXPECT_GE(Clock::now() - again, std::chrono::milliseconds(200));
  holder.Exec("ROLLBACK");
  EXPECT_EQ(CodeOf(db, "BEGIN IMMEDIATE; COMMIT"), ErrorCode::kInternal);
}

TEST(SqliteBusyWaitTest, ATimeoutOfZeroDoesNotWait) {
  test::ScratchDir dir;
  sqlite::Database holder(dir / "busy.db");
  holder.Exec("CREATE TABLE t (x INTEGER)");
  holder.Exec("BEGIN IMMEDIATE");
  sqlite::Database db(dir / "busy.db", 0);
  EXPECT_EQ(CodeOf(db, "BEGIN IMMEDIATE"), ErrorCode::kTransient);
  holder.Exec("ROLLBACK");
}

}  // namespace
}  // namespace zload
