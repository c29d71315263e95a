#include "bench/throughput_child.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/error.h"

namespace zload::bench {

ChildRun RunChild(const std::vector<std::string>& argv, const std::string& log_path,
                  const std::string& stdin_path) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* in_path = stdin_path.empty() ? "/dev/null" : stdin_path.c_str();
  int in = open(in_path, O_RDONLY | O_CLOEXEC);
  if (in < 0) throw Error(ErrorCode::kIo, std::strerror(errno), {.file = in_path});
  int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) {
    close(in);
    throw Error(ErrorCode::kIo, std::strerror(errno), {.file = log_path});
  }

  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    // The child ends with the driver, so an interrupted measurement leaves no loader running.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0) {
      _exit(127);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  int fork_errno = errno;
  close(in);
  close(out);
  if (pid < 0) throw Error(ErrorCode::kIo, std::string("fork: ") + std::strerror(fork_errno));

  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) throw Error(ErrorCode::kIo, std::string("wait4: ") + std::strerror(errno));
  }
  ChildRun run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peak_rss_kb = usage.ru_maxrss;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace zload::bench
