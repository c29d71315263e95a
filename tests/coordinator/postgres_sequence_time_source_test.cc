// The PostgreSQL sequence time source on a real server: times are checked against the exact set
// they must form (the sequence hands out 1, 2, 3, ... with no cache), across threads, across a
// forked process in lock step and free-running, and while other sources raise the sequence;
// start_after only ever raises it; connection and naming errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/sequence_time_source.h"
#include "engine/error.h"
#include "stores/postgres_db.h"
#include "tests/support/pg_cluster.h"

namespace zload {
namespace {

// Expects `times` to be strictly increasing.
void ExpectIncreasing(const std::vector<int64_t>& times, const std::string& who) {
  for (size_t i = 1; i < times.size(); ++i) {
    ASSERT_LT(times[i - 1], times[i]) << who << " at " << i;
  }
}

// Expects the union of `parts` to be exactly {first, first + 1, ..., first + total - 1}.
void ExpectExactly(const std::vector<std::vector<int64_t>>& parts, int64_t first) {
  std::vector<int64_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], first + static_cast<int64_t>(i)) << "a time is missing or repeated";
  }
}

// Writes all of `size` bytes; false on failure.
bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Reads exactly `size` bytes; false on end of file or failure.
bool ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// A fresh database in the executable's shared cluster.
class PostgresSequenceTimeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { url_ = test::PgCluster::Shared().FreshDatabase(); }

  // Runs a query returning one integer on a connection of its own.
  int64_t QueryInt(const std::string& sql) {
    postgres::Database db(url_);
    return db.Read([&](pqxx::transaction_base& tx) { return tx.exec1(sql)[0].as<int64_t>(); });
  }
  // The last value the sequence handed out to anyone.
  int64_t SequenceLast() {
    return QueryInt(
        "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM zload_time");
  }

  std::string url_;
};

TEST_F(PostgresSequenceTimeSourceTest, CreatesTheSequenceAndCountsFromOne) {
  PostgresSequenceTimeSource source(url_);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM pg_class WHERE relname = 'zload_time' AND "
                     "relkind = 'S'"),
            1);
  EXPECT_EQ(source.Last(), 0);
  EXPECT_EQ(source.Next(), 1);
  EXPECT_EQ(source.Next(), 2);
  EXPECT_EQ(source.Last(), 2);
  EXPECT_EQ(SequenceLast(), 2);
  // A second source on the existing sequence continues it.
  PostgresSequenceTimeSource again(url_);
  EXPECT_EQ(again.Last(), 0);
  EXPECT_EQ(again.Next(), 3);
}

TEST_F(PostgresSequenceTimeSourceTest, FirstTimeFollowsStartAfter) {
  PostgresSequenceTimeSource source(url_, 41);
  EXPECT_EQ(source.Last(), 41);
  EXPECT_EQ(SequenceLast(), 41);
  EXPECT_EQ(source.Next(), 42);
  EXPECT_EQ(source.Next(), 43);
  EXPECT_EQ(source.Last(), 43);
}

TEST_F(PostgresSequenceTimeSourceTest, StrictlyIncreasingWithoutGaps) {
  PostgresSequenceTimeSource source(url_, 1000);
  std::vector<int64_t> times;
  for (int i = 0; i < 3000; ++i) {
    times.push_back(source.Next());
    ASSERT_EQ(source.Last(), times.back());
  }
  ExpectIncreasing(times, "source");
  ExpectExactly({times}, 1001);
  EXPECT_EQ(SequenceLast(), 4000);
}

TEST_F(PostgresSequenceTimeSourceTest, TwoThreadsShareTheSequence) {
  constexpr int kPerThread = 2000;
  std::vector<std::vector<int64_t>> times(2);
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      try {
        PostgresSequenceTimeSource source(url_);
        for (int i = 0; i < kPerThread; ++i) times[t].push_back(source.Next());
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 2; ++t) ASSERT_EQ(errors[t], "") << "thread " << t;
  ExpectIncreasing(times[0], "thread 0");
  ExpectIncreasing(times[1], "thread 1");
  ExpectExactly(times, 1);
  EXPECT_EQ(SequenceLast(), 2 * kPerThread);
}

// A forked child with its own connection: first in strict alternation with the parent (each
// side then gets every other time, exactly), then both free-running.
TEST_F(PostgresSequenceTimeSourceTest, ForkedProcessInterleavesWithoutRepeats) {
  constexpr int kLockstep = 200;
  constexpr int kFree = 2000;
  int to_child[2], to_parent[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(to_parent), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child reports through the pipe and leaves with _exit: it must not run the parent's
    // destructors (the shared cluster's among them).
    close(to_child[1]);
    close(to_parent[0]);
    int status = 0;
    try {
      PostgresSequenceTimeSource source(url_);
      for (int i = 0; i < kLockstep; ++i) {
        char go;
        if (!ReadAll(to_child[0], &go, 1)) _exit(2);
        int64_t t = source.Next();
        if (!WriteAll(to_parent[1], &t, sizeof t)) _exit(3);
      }
      std::vector<int64_t> free(kFree);
      for (int64_t& t : free) t = source.Next();
      if (!WriteAll(to_parent[1], free.data(), free.size() * sizeof(int64_t))) _exit(4);
    } catch (const std::exception&) {
      status = 5;
    }
    _exit(status);
  }
  close(to_child[0]);
  close(to_parent[1]);
  std::vector<int64_t> parent_times, child_times;
  {
    PostgresSequenceTimeSource source(url_);
    for (int i = 0; i < kLockstep; ++i) {
      parent_times.push_back(source.Next());
      char go = 'g';
      ASSERT_TRUE(WriteAll(to_child[1], &go, 1));
      int64_t t;
      ASSERT_TRUE(ReadAll(to_parent[0], &t, sizeof t)) << "the child stopped at round " << i;
      child_times.push_back(t);
    }
    for (int i = 0; i < kLockstep; ++i) {
      ASSERT_EQ(parent_times[i], 2 * i + 1);
      ASSERT_EQ(child_times[i], 2 * i + 2);
    }
    for (int i = 0; i < kFree; ++i) parent_times.push_back(source.Next());
  }
  std::vector<int64_t> free(kFree);
  ASSERT_TRUE(ReadAll(to_parent[0], free.data(), free.size() * sizeof(int64_t)));
  child_times.insert(child_times.end(), free.begin(), free.end());
  close(to_child[1]);
  close(to_parent[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ExpectIncreasing(parent_times, "parent");
  ExpectIncreasing(child_times, "child");
  ExpectExactly({parent_times, child_times}, 1);
}

TEST_F(PostgresSequenceTimeSourceTest, LowerStartAfterNeverLowersTheSequence) {
  PostgresSequenceTimeSource first(url_, 100);
  EXPECT_EQ(first.Next(), 101);
  EXPECT_EQ(first.Next(), 102);
  PostgresSequenceTimeSource lower(url_, 5);
  EXPECT_EQ(SequenceLast(), 102);
  EXPECT_EQ(lower.Last(), 5);
  EXPECT_EQ(lower.Next(), 103);
  EXPECT_EQ(first.Next(), 104);
  PostgresSequenceTimeSource equal(url_, 104);
  EXPECT_EQ(SequenceLast(), 104);
  EXPECT_EQ(equal.Next(), 105);
  PostgresSequenceTimeSource negative(url_, -7);
  EXPECT_EQ(negative.Last(), -7);
  EXPECT_EQ(negative.Next(), 106);
}

TEST_F(PostgresSequenceTimeSourceTest, HigherStartAfterRaisesTheSequence) {
  PostgresSequenceTimeSource first(url_);
  EXPECT_EQ(first.Next(), 1);
  PostgresSequenceTimeSource higher(url_, 500);
  EXPECT_EQ(SequenceLast(), 500);
  EXPECT_EQ(higher.Next(), 501);
  EXPECT_EQ(first.Next(), 502);
  // Raised from a sequence nobody has drawn from yet, too.
  std::string other = test::PgCluster::Shared().FreshDatabase();
  { PostgresSequenceTimeSource create(other); }
  PostgresSequenceTimeSource raise(other, 7);
  EXPECT_EQ(raise.Next(), 8);
}

// While one thread draws times, another keeps creating sources whose start_after is ahead of the
// times it sees (some raise the sequence, some find the drawer already past): no error, no
// repeated time, and every source's first time follows its start_after.
TEST_F(PostgresSequenceTimeSourceTest, RaisingWhileOthersDrawNeverRepeats) {
  constexpr size_t kDraws = 3000;
  constexpr int kRaises = 40;
  PostgresSequenceTimeSource drawer(url_);
  std::vector<int64_t> drawn, raised;
  std::string error;
  std::atomic<bool> raising_done = false;
  std::thread raiser([&] {
    try {
      int64_t seen = 0;
      for (int i = 0; i < kRaises; ++i) {
        const int64_t start_after = seen + 200;
        PostgresSequenceTimeSource source(url_, start_after);
        seen = source.Next();
        if (seen <= start_after) {
          error = "time " + std::to_string(seen) + " is not after " + std::to_string(start_after);
          return;
        }
        raised.push_back(seen);
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    raising_done = true;
  });
  // The drawer keeps drawing for as long as the raiser runs.
  while (!raising_done || drawn.size() < kDraws) drawn.push_back(drawer.Next());
  raiser.join();
  ASSERT_EQ(error, "");
  ExpectIncreasing(drawn, "drawer");
  ExpectIncreasing(raised, "raiser");
  std::vector<int64_t> all = drawn;
  all.insert(all.end(), raised.begin(), raised.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "a time was repeated";
  EXPECT_EQ(SequenceLast(), std::max(drawn.back(), raised.back()));
}

// A raise that reads the sequence, then sets it, must not let nextval run in between. A
// transaction that has drawn from the sequence and stays open holds the lock nextval takes; the
// raise must wait for it, and must then see the times drawn meanwhile instead of setting the
// sequence back below them.
TEST_F(PostgresSequenceTimeSourceTest, RaiseWaitsForOpenDrawsAndKeepsTheirTimes) {
  postgres::Database holder(url_);
  { PostgresSequenceTimeSource create(url_); }
  auto draw = [&] {
    return holder.Write([](pqxx::transaction_base& tx) {
      return tx.exec1("SELECT nextval('zload_time')")[0].as<int64_t>();
    });
  };
  holder.Begin();
  ASSERT_EQ(draw(), 1);
  std::atomic<bool> raised = false;
  int64_t first_raised_time = 0;
  std::string error;
  std::thread raiser([&] {
    try {
      PostgresSequenceTimeSource source(url_, 5);
      raised = true;
      first_raised_time = source.Next();
    } catch (const std::exception& e) {
      raised = true;
      error = e.what();
    }
  });
  // Polls the server until the raise waits for a lock on the sequence (or, wrongly, finishes).
  postgres::Database observer(url_);
  bool waiting = false;
  while (!waiting && !raised) {
    waiting = observer.Read([](pqxx::transaction_base& tx) {
      return tx.exec1(
                   "SELECT count(*) FROM pg_locks WHERE relation = 'zload_time'::regclass "
                   "AND NOT granted")[0]
                 .as<int64_t>() > 0;
    });
  }
  EXPECT_TRUE(waiting) << "the raise did not wait for the open transaction";
  // Drawn while the raise waits: past its start_after.
  std::vector<int64_t> held;
  for (int i = 0; i < 10; ++i) held.push_back(draw());
  holder.Commit();
  raiser.join();
  ASSERT_EQ(error, "");
  EXPECT_EQ(held.front(), 2);
  EXPECT_EQ(held.back(), 11);
  EXPECT_EQ(first_raised_time, 12);
  EXPECT_EQ(SequenceLast(), 12);
}

TEST_F(PostgresSequenceTimeSourceTest, UnreachableServerThrowsWithoutThePassword) {
  // Port 1 on the loopback refuses connections.
  try {
    PostgresSequenceTimeSource source("postgresql://zload:sekret@127.0.0.1:1/nowhere");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
    std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:1/nowhere"), std::string::npos) << what;
    EXPECT_EQ(what.find("sekret"), std::string::npos) << what;
  }
  // A database the running server does not have.
  const std::string missing =
      "postgresql://postgres:hidden@127.0.0.1:" + std::to_string(test::PgCluster::Shared().port()) +
      "/no_such_database";
  try {
    PostgresSequenceTimeSource source(missing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
    std::string what = e.what();
    EXPECT_NE(what.find("no_such_database"), std::string::npos) << what;
    EXPECT_EQ(what.find("hidden"), std::string::npos) << what;
  }
}

TEST_F(PostgresSequenceTimeSourceTest, RelationWithTheNameThatIsNotASequenceIsAConfigError) {
  {
    postgres::Database db(url_);
    db.Exec("CREATE TABLE zload_time (x integer)");
  }
  try {
    PostgresSequenceTimeSource source(url_);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig) << e.what();
    EXPECT_NE(e.message().find("zload_time"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace zload
