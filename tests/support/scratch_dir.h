#pragma once

#include <filesystem>
#include <string>

namespace zload::test {

// A fresh, empty directory under the system temp directory, removed with everything in it on
// destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to path() / name (creating parent directories) and returns that path.
  std::string Write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

}  // namespace zload::test
