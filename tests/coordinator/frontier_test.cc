// Frontier waits against last_update in a real SQLite file, with a second connection writing
// from another thread; back-off checked on a simulated clock.
#include "coordinator/frontier.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_store.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const std::string kTable = "v__3_join__left";

// A clock that only moves when the wait sleeps; records every sleep.
struct SimulatedClock {
  std::chrono::steady_clock::time_point now{};
  std::vector<nanoseconds> sleeps;

  WaitClock Clock() {
    return {[this] { return now; },
            [this](nanoseconds d) {
              sleeps.push_back(d);
              now += d;
            }};
  }
};

TEST(FrontierTest, ReturnsAtOnceWhenReached) {
  test::ScratchDir dir;
  sqlite::Database db(dir / "job.db");
  SqliteStore store(db);
  int reads = 0;
  auto read = [&] {
    ++reads;
    return store.LastUpdate(kTable);
  };
  SimulatedClock clock;
  const FrontierWait wait{.max_sleep = milliseconds(50), .timeout = milliseconds(200)};
  // Never set counts as time 0.
  WaitForFrontier(read, kTable, 0, wait, clock.Clock());
  EXPECT_EQ(reads, 1);
  store.SetLastUpdate(kTable, 5);
  WaitForFrontier(read, kTable, 5, wait, clock.Clock());
  WaitForFrontier(read, kTable, 3, wait, clock.Clock());
  EXPECT_EQ(reads, 3);
  EXPECT_TRUE(clock.sleeps.empty());
}

// The waiting thread releases the writer only after it has seen the table short of the frontier,
// so the wait must notice a change made through another connection to the same file.
TEST(FrontierTest, ReturnsAfterAnotherConnectionReachesTheFrontier) {
  test::ScratchDir dir;
  const std::string path = dir / "job.db";
  sqlite::Database db(path);
  SqliteStore store(db);
  store.SetLastUpdate(kTable, 3);

  std::promise<void> seen_short;
  std::thread writer([&, released = seen_short.get_future()]() mutable {
    sqlite::Database own(path);
    SqliteStore writer_store(own);
    released.wait();
    writer_store.SetLastUpdate(kTable, 6);  // still short
    writer_store.SetLastUpdate(kTable, 7);
  });
  int reads = 0;
  int64_t last_seen = -1;
  auto read = [&] {
    std::optional<int64_t> t = store.LastUpdate(kTable);
    if (++reads == 1) seen_short.set_value();
    last_seen = t.value_or(0);
    return t;
  };
  // A generous timeout: the writer needs only milliseconds, and the test must not flake.
  WaitForFrontier(read, kTable, 7, {.max_sleep = milliseconds(5), .timeout = milliseconds(20000)});
  writer.join();
  EXPECT_GE(reads, 2);
  EXPECT_EQ(last_seen, 7);
}

TEST(FrontierTest, TimesOutNamingTableAndTimes) {
  test::ScratchDir dir;
  sqlite::Database db(dir / "job.db");
  SqliteStore store(db);
  store.SetLastUpdate(kTable, 39);
  try {
    WaitForFrontier([&] { return store.LastUpdate(kTable); }, kTable, 41,
                    {.max_sleep = milliseconds(20), .timeout = milliseconds(200)});
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTransient);
    EXPECT_EQ(e.message(),
              "timed out after 200 ms waiting for table 'v__3_join__left' to reach time 41 (it is "
              "at 39)");
    EXPECT_EQ(e.context().table, kTable);
    EXPECT_EQ(e.context().time, 41);
  }
}

TEST(FrontierTest, NeverSetTableCountsAsZero) {
  SimulatedClock clock;
  try {
    WaitForFrontier([] { return std::optional<int64_t>(); }, "t", 1,
                    {.max_sleep = milliseconds(10), .timeout = std::chrono::seconds(30)},
                    clock.Clock());
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "timed out after 30 s waiting for table 't' to reach time 1 (it is at 0)");
  }
}

// Sleeps go 0.1, 0.2, 0.4 ... 6.4 ms, then stay at max_sleep, the last one cut to the time left;
// there is one read before the first sleep and one after each.
TEST(FrontierTest, BackOffDoublesUpToMaxSleep) {
  SimulatedClock clock;
  int reads = 0;
  try {
    WaitForFrontier(
        [&] {
          ++reads;
          return std::optional<int64_t>(1);
        },
        kTable, 2, {.max_sleep = milliseconds(10), .timeout = milliseconds(100)}, clock.Clock());
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("(it is at 1)"), std::string::npos) << e.message();
  }
  // 0.1 + 0.2 + ... + 6.4 = 12.7, then eight sleeps of 10 = 92.7, then the 7.3 left.
  std::vector<nanoseconds> expected;
  for (int i = 0; i < 7; ++i) expected.push_back(microseconds(100 << i));
  for (int i = 0; i < 8; ++i) expected.push_back(milliseconds(10));
  expected.push_back(microseconds(7300));
  EXPECT_EQ(clock.sleeps, expected);
  EXPECT_EQ(reads, static_cast<int>(clock.sleeps.size()) + 1);
  for (nanoseconds s : clock.sleeps) EXPECT_LE(s, milliseconds(10));
}

TEST(FrontierTest, MaxSleepBelowOneMillisecondCapsTheFirstSleep) {
  SimulatedClock clock;
  int reads = 0;
  WaitForFrontier([&] { return std::optional<int64_t>(++reads >= 4 ? 9 : 0); }, kTable, 9,
                  {.max_sleep = milliseconds(0), .timeout = milliseconds(100)}, clock.Clock());
  EXPECT_EQ(reads, 4);
  EXPECT_EQ(clock.sleeps, std::vector<nanoseconds>(3, nanoseconds(0)));
}

// Returns on the first read that reaches the frontier, after exactly the sleeps before it.
TEST(FrontierTest, ReturnsOnTheReadThatReaches) {
  SimulatedClock clock;
  int reads = 0;
  WaitForFrontier([&] { return std::optional<int64_t>(++reads >= 6 ? 12 : 11); }, kTable, 12,
                  {.max_sleep = milliseconds(1000), .timeout = std::chrono::seconds(30)},
                  clock.Clock());
  EXPECT_EQ(reads, 6);
  EXPECT_EQ(clock.sleeps,
            (std::vector<nanoseconds>{microseconds(100), microseconds(200), microseconds(400),
                                      microseconds(800), microseconds(1600)}));
}

TEST(FrontierTest, NegativeSettingsAreRejected) {
  auto read = [] { return std::optional<int64_t>(0); };
  try {
    WaitForFrontier(read, kTable, 1, {.max_sleep = milliseconds(-1), .timeout = milliseconds(10)});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
  }
}

}  // namespace
}  // namespace zload
