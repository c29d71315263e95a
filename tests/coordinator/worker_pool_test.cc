// WorkerPool with real child processes (/bin/cat, /bin/sh): lines come back from the worker they
// were sent to and in order, exits and signals are reported as statuses, a gone worker refuses
// lines, a restarted worker serves again, and neither Finish() nor destruction leaves a child
// running.
#include "coordinator/worker_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
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

// The state letter of process `pid` in /proc ('S' sleeping, 'Z' zombie, ...), or 0 when there
// is no such process.
char StateOf(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

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

// Sends a line to a worker that has exited and been reaped (its stdin has no reader left) and
// returns 0 when Send threw Error(kWorkerDied), 1 otherwise. Run in a child process: a SIGPIPE
// must not take the whole test binary down with it.
int SendToExitedWorker() {
  WorkerPool pool(Sh("exit 7"), 1);
  WorkerPool::Message end = pool.Receive();
  if (end.line || end.exit_code != 7) return 1;
  try {
    pool.Send(0, "anyone there?");
  } catch (const Error& e) {
    return e.code() == ErrorCode::kWorkerDied ? 0 : 1;
  }
  return 1;
}

TEST(WorkerPoolTest, SendToAWorkerThatExitedThrowsWorkerDied) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(SendToExitedWorker()), ::testing::ExitedWithCode(0), "");
}

TEST(WorkerPoolTest, SendToAWorkerThatExitedThrowsWorkerDiedWhenSigpipeIsIgnored) {
  // With SIGPIPE ignored the write fails with EPIPE, which Send reports as kWorkerDied.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        signal(SIGPIPE, SIG_IGN);
        std::exit(SendToExitedWorker());
      },
      ::testing::ExitedWithCode(0), "");
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

// Starts two workers that print their pid and sleep, and destroys the pool; returns the pids.
std::vector<pid_t> PidsOfDestroyedPool() {
  std::vector<pid_t> pids;
  // `exec` makes the pid printed the pid of the sleep itself.
  WorkerPool pool(Sh("echo $$; exec sleep 1000"), 2);
  while (pids.size() < 2) {
    WorkerPool::Message m = pool.Receive();
    EXPECT_TRUE(m.line.has_value());
    if (!m.line) break;
    pids.push_back(static_cast<pid_t>(std::stol(*m.line)));
  }
  for (pid_t pid : pids) EXPECT_TRUE(ProcessExists(pid) && StateOf(pid) != 'Z') << "pid " << pid;
  return pids;
}

TEST(WorkerPoolTest, DestroyingThePoolKillsRunningChildren) {
  std::vector<pid_t> pids = PidsOfDestroyedPool();
  ASSERT_EQ(pids.size(), 2u);
  // Each was killed: already reaped by the pool (ECHILD), or reaped here with SIGKILL as its
  // end. (Had the pool not killed it, this would wait for the sleep.)
  for (pid_t pid : pids) {
    int status = 0;
    pid_t got = waitpid(pid, &status, 0);
    if (got == -1) {
      EXPECT_EQ(errno, ECHILD) << "pid " << pid;
    } else {
      ASSERT_EQ(got, pid);
      EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "pid " << pid << " status " << status;
    }
  }
}

TEST(WorkerPoolTest, DestroyingThePoolReapsRunningChildren) {
  std::vector<pid_t> pids = PidsOfDestroyedPool();
  ASSERT_EQ(pids.size(), 2u);
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

TEST(WorkerPoolTest, RestartedWorkerServesAgain) {
  // Each worker answers one line and exits with status 5.
  WorkerPool pool(Sh("read l; echo \"got $l\"; exit 5"), 2);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    pool.Send(1, "r" + std::to_string(round));
    WorkerPool::Message line = pool.Receive();
    EXPECT_EQ(line.worker, 1u);
    ASSERT_TRUE(line.line.has_value());
    EXPECT_EQ(*line.line, "got r" + std::to_string(round));
    WorkerPool::Message end = pool.Receive();
    EXPECT_EQ(end.worker, 1u);
    ASSERT_FALSE(end.line.has_value());
    EXPECT_EQ(end.exit_code, 5);
    pool.Restart(1);
  }
  // Worker 0 was never restarted and still serves its first line; the last start of worker 1
  // reads the end of its input when the pool finishes.
  pool.Send(0, "first");
  pool.Finish();
  Drained d = DrainAll(pool);
  EXPECT_EQ(d.lines[0], std::vector<std::string>{"got first"});
  EXPECT_EQ(d.exit_codes[0], 5);
  EXPECT_EQ(d.lines[1], std::vector<std::string>{"got "});
  EXPECT_EQ(d.exit_codes[1], 5);
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
