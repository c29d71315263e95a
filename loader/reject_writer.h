#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "engine/error.h"
#include "loader/input_row.h"

namespace zload {

// Writes rejected rows to a reject file, each in its input format (a CSV source's header line
// first, once), and each row's position and reason to `<reject file>.log`, one line a row:
// "<file>:<line>:<column>: <reason>". Files are created on the first write. Rows are written
// at once, or after Hold() only when Flush() is called. Not thread-safe.
class RejectWriter {
 public:
  // With `append` (a resumed run), rows are added to the files an earlier run left.
  explicit RejectWriter(std::string path, bool append = false)
      : path_(std::move(path)), append_(append) {}
  // Records one rejected row; `header` is the source's header record (empty for JSONL).
  // Throws Error(kIo) when the files cannot be written.
  void Reject(const std::string& source, const std::string& header, const InputRow& row,
              const Error& error);
  // From now on rows are kept in memory until Flush() writes them or Discard() drops them.
  void Hold() { held_ = true; }
  // Writes the rows held so far. Throws Error(kIo) when the files cannot be written.
  void Flush();
  // Drops the rows held since the last Flush(); count() goes back with them.
  void Discard();
  // Rows rejected so far, held ones included.
  int64_t count() const { return count_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool append_;
  std::ofstream rows_, log_;
  bool held_ = false;
  std::string held_rows_, held_log_;  // formatted, not written yet
  std::string last_source_;           // whose header the rows (written or held) have
  std::string flushed_last_source_;   // last_source_ as of the last Flush()
  int64_t count_ = 0;
  int64_t flushed_count_ = 0;
};

}  // namespace zload
