#pragma once

#include <string>

namespace zload {

// A copy of stdin in a temporary file, so that workers can read byte ranges of it; removed
// when destroyed.
class SpooledStdin {
 public:
  // Copies all of stdin to a new file whose name ends in `extension`. Throws Error(kIo) when
  // it cannot be written.
  explicit SpooledStdin(const std::string& extension);
  ~SpooledStdin();
  SpooledStdin(const SpooledStdin&) = delete;
  SpooledStdin& operator=(const SpooledStdin&) = delete;
  // The file holding the copy.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace zload
