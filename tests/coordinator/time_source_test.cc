// The shared-memory time source: unique, strictly increasing times across threads and across
// forked processes, checked against the exact set 1..N; ownership and error cases.
#include "coordinator/time_source.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "engine/error.h"

namespace zload {
namespace {

// A job id no other test run uses at the same time.
std::string UniqueJobId(const std::string& what) {
  return "test-" + what + "-" + std::to_string(getpid());
}

// Expects `times` to be strictly increasing.
void ExpectIncreasing(const std::vector<int64_t>& times, const std::string& who) {
  for (size_t i = 1; i < times.size(); ++i) {
    ASSERT_LT(times[i - 1], times[i]) << who << " at " << i;
  }
}

// Expects the union of `parts` to be exactly {first, first + 1, ..., first + total - 1}.
void ExpectExactly(std::vector<std::vector<int64_t>> parts, int64_t first) {
  std::vector<int64_t> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], first + static_cast<int64_t>(i)) << "a time is missing or repeated";
  }
}

// Runs `f` expecting a zload::Error of `code` whose message contains `needle`.
template <typename F>
void ExpectError(F f, ErrorCode code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(e.message().find(needle), std::string::npos) << e.message();
  }
}

TEST(SharedMemoryTimeSourceTest, StartsAtZeroAndCounts) {
  auto source = SharedMemoryTimeSource::Create(UniqueJobId("count"));
  EXPECT_TRUE(source->owner());
  EXPECT_EQ(source->Last(), 0);
  EXPECT_EQ(source->Next(), 1);
  EXPECT_EQ(source->Next(), 2);
  EXPECT_EQ(source->Last(), 2);
}

TEST(SharedMemoryTimeSourceTest, StartsAfterTheGivenValue) {
  const std::string job = UniqueJobId("start");
  auto source = SharedMemoryTimeSource::Create(job, 41);
  EXPECT_EQ(source->Last(), 41);
  auto worker = SharedMemoryTimeSource::Open(job);
  EXPECT_FALSE(worker->owner());
  EXPECT_EQ(worker->Last(), 41);
  EXPECT_EQ(worker->Next(), 42);
  EXPECT_EQ(source->Next(), 43);
  EXPECT_EQ(worker->Last(), 43);
}

// Threads, half through the owner's object and half through their own opened mapping.
TEST(SharedMemoryTimeSourceTest, UniqueAndIncreasingAcrossThreads) {
  const std::string job = UniqueJobId("threads");
  auto source = SharedMemoryTimeSource::Create(job, 1000);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::vector<int64_t>> times(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<SharedMemoryTimeSource> own;
      TimeSource* use = source.get();
      if (t % 2 == 1) {
        own = SharedMemoryTimeSource::Open(job);
        use = own.get();
      }
      times[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) times[t].push_back(use->Next());
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) ExpectIncreasing(times[t], "thread " + std::to_string(t));
  ExpectExactly(times, 1001);
  EXPECT_EQ(source->Last(), 1000 + kThreads * kPerThread);
}

// Writes all of `data` to `fd`; false on error.
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

// Reads `fd` to its end.
std::vector<int64_t> ReadAllTimes(int fd) {
  std::string bytes;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  std::vector<int64_t> times(bytes.size() / sizeof(int64_t));
  std::copy_n(bytes.data(), times.size() * sizeof(int64_t), reinterpret_cast<char*>(times.data()));
  return times;
}

// Real processes: each forked child opens the segment by name, takes times and sends them to
// the parent through its own pipe; the parent takes times too. All start together, released by
// the parent closing a shared pipe, so that their Next() calls overlap.
TEST(SharedMemoryTimeSourceTest, UniqueAndIncreasingAcrossProcesses) {
  const std::string job = UniqueJobId("processes");
  auto source = SharedMemoryTimeSource::Create(job, 7);
  constexpr int kChildren = 4;
  constexpr int kPerProcess = 5000;  // 40 KB each: fits a pipe buffer, so no child blocks
  std::vector<pid_t> pids;
  std::vector<int> fds;
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  for (int c = 0; c < kChildren; ++c) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(p[0]);
      close(go[1]);
      char byte;
      while (read(go[0], &byte, 1) < 0 && errno == EINTR) {
      }
      int status = 0;
      try {
        auto worker = SharedMemoryTimeSource::Open(job);
        std::vector<int64_t> times;
        times.reserve(kPerProcess);
        for (int i = 0; i < kPerProcess; ++i) times.push_back(worker->Next());
        if (!WriteAll(p[1], times.data(), times.size() * sizeof(int64_t))) status = 3;
      } catch (...) {
        status = 2;
      }
      close(p[1]);
      _exit(status);
    }
    close(p[1]);
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  close(go[0]);
  close(go[1]);  // releases the children
  std::vector<std::vector<int64_t>> times(kChildren + 1);
  for (int i = 0; i < kPerProcess; ++i) times[kChildren].push_back(source->Next());
  for (int c = 0; c < kChildren; ++c) {
    times[c] = ReadAllTimes(fds[c]);
    close(fds[c]);
    int status = 0;
    ASSERT_EQ(waitpid(pids[c], &status, 0), pids[c]);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << c << " " << status;
    ASSERT_EQ(times[c].size(), static_cast<size_t>(kPerProcess)) << "child " << c;
  }
  for (int c = 0; c <= kChildren; ++c) ExpectIncreasing(times[c], "process " + std::to_string(c));
  ExpectExactly(times, 8);
  EXPECT_EQ(source->Last(), 7 + (kChildren + 1) * kPerProcess);
}

TEST(SharedMemoryTimeSourceTest, OpeningAMissingSegmentFails) {
  const std::string job = UniqueJobId("missing");
  ExpectError([&] { SharedMemoryTimeSource::Open(job); }, ErrorCode::kConfig,
              "no time source segment 'zload-time-" + job + "' exists for job '" + job + "'");
}

TEST(SharedMemoryTimeSourceTest, OwnerRemovesTheSegment) {
  const std::string job = UniqueJobId("owner");
  {
    auto source = SharedMemoryTimeSource::Create(job);
    source->Next();
    {
      // A worker going away leaves the segment in place.
      auto worker = SharedMemoryTimeSource::Open(job);
      EXPECT_EQ(worker->Next(), 2);
    }
    EXPECT_EQ(SharedMemoryTimeSource::Open(job)->Last(), 2);
  }
  ExpectError([&] { SharedMemoryTimeSource::Open(job); }, ErrorCode::kConfig, "no time source");
  // A new coordinator may create it again.
  EXPECT_EQ(SharedMemoryTimeSource::Create(job, 2)->Next(), 3);
}

TEST(SharedMemoryTimeSourceTest, SecondCreatorFailsUntilTheStaleSegmentIsRemoved) {
  const std::string job = UniqueJobId("twice");
  auto first = SharedMemoryTimeSource::Create(job);
  ExpectError([&] { SharedMemoryTimeSource::Create(job); }, ErrorCode::kConfig, "already exists");
  EXPECT_EQ(first->Next(), 1);  // the failed creator did not remove the first one's segment
  EXPECT_TRUE(SharedMemoryTimeSource::Remove(job));
  EXPECT_FALSE(SharedMemoryTimeSource::Remove(job));
  auto second = SharedMemoryTimeSource::Create(job, 100);
  EXPECT_EQ(second->Next(), 101);
}

TEST(SharedMemoryTimeSourceTest, InvalidJobIdsAreRejected) {
  ExpectError([] { SharedMemoryTimeSource::Create(""); }, ErrorCode::kConfig, "it is empty");
  ExpectError([] { SharedMemoryTimeSource::Create("a/b"); }, ErrorCode::kConfig,
              "invalid job id 'a/b'");
  ExpectError([] { SharedMemoryTimeSource::Open("a b"); }, ErrorCode::kConfig,
              "only letters, digits");
  ExpectError([] { SharedMemoryTimeSource::Create(std::string(201, 'x')); }, ErrorCode::kConfig,
              "at most 200");
}

}  // namespace
}  // namespace zload
