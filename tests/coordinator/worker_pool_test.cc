// WorkerPool with real child processes (/bin/cat, /bin/sh): lines come back from the worker they
// were sent to and in order, exits and signals are reported as statuses, a gone worker refuses
// lines, and neither Finish() nor destruction leaves a child behind.
#include "coordinator/worker_pool.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "engine/error.h"

namespace zload::test {
namespace {

std::vector<std::string> Cat() { return {"/bin/cat"}; }
std::vector<std::string> Sh(const std::string& script) { return {"/bin/sh", "-c", script}; }

// Receives until every worker of `pool` has reported the end of its output; returns each
// worker's lines, in arrival order, and its exit status.
struct Drained {
  std::map<size_t, std::vector<std::string>> lines;
  std::map<size_t, int> exit_codes;
};
Drained DrainAll(WorkerPool& pool) {
  Drained d;
  while (d.exit_codes.size() < pool.size()) {
    WorkerPool::Message m = pool.Receive();
    EXPECT_LT(m.worker, pool.size());
    EXPECT_EQ(d.exit_codes.count(m.worker), 0u) << "a line after the end of worker " << m.worker;
    if (m.line) {
      d.lines[m.worker].push_back(*m.line);
    } else {
      d.exit_codes[m.worker] = m.exit_code;
    }
  }
  return d;
}

// True while a process with id `pid` exists (a zombie counts).
bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(WorkerPoolTest, LinesComeBackFromTheirWorkerInOrder) {
  WorkerPool pool(Cat(), 1);
  ASSERT_EQ(pool.size(), 1u);
  const std::vector<std::string> sent = {"first", "", "  spaces  ", "{\"type\":\"batch\"}", "last"};
  for (const std::string& line : sent) pool.Send(0, line);
  std::vector<std::string> got;
  for (size_t i = 0; i < sent.size(); ++i) {
    WorkerPool::Message m = pool.Receive();
    EXPECT_EQ(m.worker, 0u);
    ASSERT_TRUE(m.line.has_value()) << "worker ended early with status " << m.exit_code;
    got.push_back(*m.line);
  }
  EXPECT_EQ(got, sent);
  pool.Finish();
  WorkerPool::Message end = pool.Receive();
  EXPECT_EQ(end.worker, 0u);
  EXPECT_FALSE(end.line.has_value());
  EXPECT_EQ(end.exit_code, 0);
}

TEST(WorkerPoolTest, SeveralWorkersInterleaveAndEachKeepsItsOrder) {
  constexpr size_t kWorkers = 3;
  constexpr int kLines = 200;
  WorkerPool pool(Cat(), kWorkers);
  ASSERT_EQ(pool.size(), kWorkers);
  std::map<size_t, std::vector<std::string>> sent;
  for (int i = 0; i < kLines; ++i) {
    for (size_t w = 0; w < kWorkers; ++w) {
      std::string line = "worker " + std::to_string(w) + " line " + std::to_string(i);
      pool.Send(w, line);
      sent[w].push_back(line);
    }
  }
  std::map<size_t, std::vector<std::string>> got;
  for (size_t n = 0; n < kWorkers * kLines; ++n) {
    WorkerPool::Message m = pool.Receive();
    ASSERT_TRUE(m.line.has_value()) << "worker " << m.worker << " ended with " << m.exit_code;
    ASSERT_LT(m.worker, kWorkers);
    got[m.worker].push_back(*m.line);
  }
  EXPECT_EQ(got, sent);
  pool.Finish();
  Drained rest = DrainAll(pool);
  EXPECT_TRUE(rest.lines.empty());
  for (size_t w = 0; w < kWorkers; ++w) EXPECT_EQ(rest.exit_codes[w], 0) << "worker " << w;
}

TEST(WorkerPoolTest, WorkerThatExitsReportsItsStatus) {
  WorkerPool pool(Sh("echo bye; exit 3"), 1);
  WorkerPool::Message line = pool.Receive();
  EXPECT_EQ(line.worker, 0u);
  ASSERT_TRUE(line.line.has_value());
  EXPECT_EQ(*line.line, "bye");
  WorkerPool::Message end = pool.Receive();
  EXPECT_EQ(end.worker, 0u);
  EXPECT_FALSE(end.line.has_value());
  EXPECT_EQ(end.exit_code, 3);
}

TEST(WorkerPoolTest, EachWorkerReportsItsOwnStatus) {
  // Each worker exits with the number it is sent.
  WorkerPool pool(Sh("read n; exit $n"), 3);
  pool.Send(0, "5");
  pool.Send(1, "0");
  pool.Send(2, "42");
  Drained d = DrainAll(pool);
  EXPECT_TRUE(d.lines.empty());
  EXPECT_EQ(d.exit_codes, (std::map<size_t, int>{{0, 5}, {1, 0}, {2, 42}}));
}

TEST(WorkerPoolTest, WorkerKilledBySignalReports128PlusTheSignal) {
  WorkerPool pool(Sh("kill -9 $$"), 1);
  WorkerPool::Message end = pool.Receive();
  EXPECT_FALSE(end.line.has_value());
  EXPECT_EQ(end.exit_code, 128 + SIGKILL);

  WorkerPool term(Sh("kill -TERM $$"), 1);
  WorkerPool::Message term_end = term.Receive();
  EXPECT_FALSE(term_end.line.has_value());
  EXPECT_EQ(term_end.exit_code, 128 + SIGTERM);
}

TEST(WorkerPoolTest, SendAfterFinishThrowsWorkerDied) {
  WorkerPool pool(Cat(), 2);
  pool.Finish();
  for (size_t w = 0; w < 2; ++w) {
    try {
      pool.Send(w, "too late");
      ADD_FAILURE() << "Send to a finished worker " << w << " did not throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kWorkerDied) << e.what();
    }
  }
}

TEST(WorkerPoolTest, SendAfterKillThrowsWorkerDied) {
  WorkerPool pool(Cat(), 1);
  pool.Kill();
  try {
    pool.Send(0, "too late");
    ADD_FAILURE() << "Send to a killed worker did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kWorkerDied) << e.what();
  }
}

TEST(WorkerPoolTest, SendToAWorkerThatExitedThrowsWorkerDied) {
  WorkerPool pool(Sh("exit 7"), 1);
  WorkerPool::Message end = pool.Receive();
  ASSERT_FALSE(end.line.has_value());
  ASSERT_EQ(end.exit_code, 7);
  // The worker is reaped: its stdin has no reader left. A line to it must be refused with
  // kWorkerDied (not end this process with SIGPIPE, and not vanish silently).
  try {
    pool.Send(0, "anyone there?");
    ADD_FAILURE() << "Send to an exited worker did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kWorkerDied) << e.what();
  }
}

TEST(WorkerPoolTest, FinishReturnsOnceEveryChildHasExited) {
  // Each worker prints its pid, then waits for the end of its stdin and says goodbye.
  WorkerPool pool(Sh("echo $$; cat >/dev/null; echo goodbye"), 3);
  std::map<size_t, pid_t> pids;
  while (pids.size() < 3) {
    WorkerPool::Message m = pool.Receive();
    ASSERT_TRUE(m.line.has_value());
    pids[m.worker] = static_cast<pid_t>(std::stol(*m.line));
  }
  pool.Finish();
  for (auto [w, pid] : pids) EXPECT_FALSE(ProcessExists(pid)) << "worker " << w << " pid " << pid;
  Drained rest = DrainAll(pool);
  for (size_t w = 0; w < 3; ++w) {
    EXPECT_EQ(rest.lines[w], std::vector<std::string>{"goodbye"}) << "worker " << w;
    EXPECT_EQ(rest.exit_codes[w], 0) << "worker " << w;
  }
}

TEST(WorkerPoolTest, DestroyingThePoolKillsRunningChildren) {
  std::vector<pid_t> pids;
  {
    // `exec` makes the pid printed the pid of the sleep itself.
    WorkerPool pool(Sh("echo $$; exec sleep 1000"), 2);
    while (pids.size() < 2) {
      WorkerPool::Message m = pool.Receive();
      ASSERT_TRUE(m.line.has_value());
      pids.push_back(static_cast<pid_t>(std::stol(*m.line)));
    }
    for (pid_t pid : pids) ASSERT_TRUE(ProcessExists(pid));
  }
  for (pid_t pid : pids) EXPECT_FALSE(ProcessExists(pid)) << "pid " << pid;
}

TEST(WorkerPoolTest, DestroyingThePoolWithoutReceivingDoesNotHang) {
  {
    WorkerPool pool({"/bin/sleep", "1000"}, 3);
    pool.Send(0, "ignored");
  }
  SUCCEED();
}

TEST(WorkerPoolTest, KillReportsTheSignalAsTheStatus) {
  WorkerPool pool({"/bin/sleep", "1000"}, 2);
  pool.Kill();
  Drained d = DrainAll(pool);
  EXPECT_TRUE(d.lines.empty());
  for (size_t w = 0; w < 2; ++w) EXPECT_EQ(d.exit_codes[w], 128 + SIGKILL) << "worker " << w;
}

TEST(WorkerPoolTest, MissingExecutableThrowsWorkerDied) {
  try {
    WorkerPool pool({"/nonexistent/zload-worker-binary", "worker"}, 2);
    ADD_FAILURE() << "a pool of a missing executable started";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kWorkerDied) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/zload-worker-binary"), std::string::npos)
        << e.what();
  }
}

TEST(WorkerPoolTest, EmptyCommandIsRefused) { EXPECT_THROW(WorkerPool({}, 1), Error); }

}  // namespace
}  // namespace zload::test
