#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "engine/error.h"
#include "loader/input_row.h"

namespace zload {

// Writes rejected rows to a reject file, each in its input format (a CSV source's header line
// first, once), and each row's position and reason to `<reject file>.log`, one line a row:
// "<file>:<line>:<column>: <reason>". Files are created on the first reject. Not thread-safe.
class RejectWriter {
 public:
  // With `append` (a resumed run), rows are added to the files an earlier run left.
  explicit RejectWriter(std::string path, bool append = false)
      : path_(std::move(path)), append_(append) {}
  // Records one rejected row; `header` is the source's header record (empty for JSONL).
  // Throws Error(kIo) when the files cannot be written.
  void Reject(const std::string& source, const std::string& header, const InputRow& row,
              const Error& error);
  int64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool append_;
  std::ofstream rows_, log_;
  std::string last_source_;
  int64_t count_ = 0;
};

}  // namespace zload
