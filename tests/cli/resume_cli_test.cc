// `zload resume` and the life of worker processes, end to end with the real binary: resume
// refuses input files that changed since their load started (in size, or in content at the same
// size), and a coordinator killed with SIGKILL takes its workers with it within a second.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "tests/cli/cli_harness.h"
#include "tests/cli/recovery_harness.h"

namespace zload::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kSeed = 20261126;

// A store whose line_items load was interrupted (the run killed after batch 8 was applied).
void InterruptedLoad(const ScratchDir& dir) {
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db", "commit_interval_ms = 0\n"));
  CliResult run = RunWithEnv(dir, "ZLOAD_TEST_KILL=coordinator-after-done@8", "run job.toml -q");
  ASSERT_EQ(run.exit_code, 137) << "the run was not killed: " << run.err;
}

TEST(ResumeCliTest, RefusesAnInputFileThatGrewSinceItsLoadStarted) {
  ScratchDir dir;
  InterruptedLoad(dir);
  dir.Write("items.csv", ReadFile(dir / "items.csv") + "7,p1,2,+\n");
  CliResult resume = RunZload(dir, "resume job.toml -q");
  EXPECT_EQ(resume.exit_code, 64) << resume.err;
  EXPECT_NE(resume.err.find("cannot resume: "), std::string::npos) << resume.err;
  EXPECT_NE(resume.err.find("items.csv changed since its load into source 'line_items' started"),
            std::string::npos)
      << resume.err;
  // Nothing was loaded by the refused resume.
  EXPECT_EQ(QueryFile(dir / "store.db", "SELECT count(*) FROM zload_journal").ToString(),
            QueryFile(dir / "store.db", "SELECT 9").ToString());
}

TEST(ResumeCliTest, RefusesAnInputFileChangedInPlaceAtTheSameSize) {
  ScratchDir dir;
  InterruptedLoad(dir);
  std::string items = ReadFile(dir / "items.csv");
  const size_t last_digit = items.find_last_of("123456789");
  ASSERT_NE(last_digit, std::string::npos);
  items[last_digit] = items[last_digit] == '1' ? '2' : '1';
  dir.Write("items.csv", items);
  CliResult resume = RunZload(dir, "resume job.toml -q");
  EXPECT_EQ(resume.exit_code, 64) << resume.err;
  EXPECT_NE(resume.err.find("content hash"), std::string::npos) << resume.err;
}

// The pids of the children of `pid` (from /proc; empty when it has none).
std::set<pid_t> ChildrenOf(pid_t pid) {
  std::set<pid_t> out;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::string text = ReadFile(task.path().string() + "/children");
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find(' ', pos);
      if (end == std::string::npos) end = text.size();
      if (end > pos) out.insert(static_cast<pid_t>(std::stol(text.substr(pos, end - pos))));
      pos = end + 1;
    }
  }
  return out;
}

TEST(ResumeCliTest, WorkersEndWithinASecondOfTheirCoordinator) {
  ScratchDir dir;
  WriteInputs(dir, kSeed);
  dir.Write("job.toml", Config("sqlite:store.db", ""));
  std::filesystem::create_directories(dir / "once");
  // Orphaned workers become this process's children, so that their end can be waited for.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const pid_t coordinator = fork();
  ASSERT_GE(coordinator, 0);
  if (coordinator == 0) {
    if (chdir(dir.path().c_str()) != 0) _exit(126);
    setenv("ZLOAD_TEST_HANG", "after-parse@8", 1);
    setenv("ZLOAD_TEST_KILL_ONCE_DIR", (dir / "once").c_str(), 1);
    const int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execl(ZLOAD_BINARY, ZLOAD_BINARY, "run", "job.toml", "-q", "--workers", "2", nullptr);
    _exit(127);
  }
  // Wait until a worker hangs holding batch 8: the job is in the middle of its work.
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(dir / "once/after-parse@8") && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(std::filesystem::exists(dir / "once/after-parse@8")) << "no worker hung";
  std::set<pid_t> workers = ChildrenOf(coordinator);
  EXPECT_EQ(workers.size(), 2u);

  ASSERT_EQ(kill(coordinator, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(coordinator, &status, 0), coordinator);
  const auto killed = Clock::now();
  while (!workers.empty() && Clock::now() - killed < std::chrono::seconds(1)) {
    const pid_t ended = waitpid(-1, &status, WNOHANG);
    if (ended > 0) {
      workers.erase(ended);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  EXPECT_TRUE(workers.empty()) << workers.size() << " worker(s) outlived their coordinator by 1 s";
  for (pid_t w : workers) kill(w, SIGKILL);
  while (waitpid(-1, &status, WNOHANG) > 0) {
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  // The store is left resumable.
  CliResult resume = RunZload(dir, "resume job.toml -q --workers 2");
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_EQ(QueryFile(dir / "store.db", kTotalsSql).ToString(),
            QueryFile(dir / "store.db", "SELECT basket_id, total, _count_ FROM basket_totals", true)
                .ToString());
}

}  // namespace
}  // namespace zload::test
