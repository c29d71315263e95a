#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zload::bench {

// How one child process ended.
struct ChildRun {
  double seconds = 0;       // wall time from fork to the end of wait4
  int64_t peak_rss_kb = 0;  // the child's own ru_maxrss (from wait4), in KiB
  int exit_code = 0;        // exit status, or 128 + signal number when killed
};

// Runs `argv` (argv[0] is the program's path) as a child process with stdout and stderr
// appended to `log_path` and stdin read from `stdin_path` (or /dev/null when empty), waits for it
// with wait4 and returns its wall time and peak RSS. Throws Error(kIo) when the child cannot be
// started; a non-zero exit is returned, not thrown.
ChildRun RunChild(const std::vector<std::string>& argv, const std::string& log_path,
                  const std::string& stdin_path = "");

// The last `max_bytes` of the file at `path` (for error messages), or "" when unreadable.
std::string FileTail(const std::string& path, size_t max_bytes = 2000);

}  // namespace zload::bench
