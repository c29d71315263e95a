#pragma once

#include <cstddef>
#include <cstdint>

#include "loader/input_source.h"

namespace zload {

// Steps over CSV records with the boundaries CsvScanner finds, without splitting them into
// fields: a '\n' ends a record when the record holds an even number of '"' before it, "\r\n" and
// "\n" end lines, a last record needs no terminator, and blank lines are skipped (still counted
// as lines) unless set_skip_blank_lines(false). Malformed records end where CsvScanner ends them,
// as its recovery follows the same quote parity; the delimiter does not move a boundary. For
// cutting input into ranges: memory is one read chunk. Not thread-safe.
class CsvRecordStepper {
 public:
  // Steps over `source` from its current position, a record boundary on physical line
  // `first_line`. REQUIRES: chunk_size > 0.
  CsvRecordStepper(InputSource& source, int64_t first_line,
                   size_t chunk_size = InputWindow::kChunkSize);

  // Whether blank lines are skipped (the default) or are records of one empty field.
  void set_skip_blank_lines(bool skip) { skip_blank_lines_ = skip; }
  // Steps over the next record; false at the end of input. Throws Error(kIo) on read failures.
  bool Next();
  // Absolute offset just past the last record stepped over (where the next one may start).
  uint64_t position() const { return window_.base_offset() + (cursor_ - window_.begin()); }
  // The physical line the next record may start on.
  int64_t line() const { return line_; }

 private:
  // Whether `n` bytes from the cursor are in the window, reading more input when they are not.
  bool Have(size_t n);

  InputWindow window_;
  const char* cursor_;
  const char* newline_ = nullptr;  // the first '\n' at or after a past cursor, or the window's end
  int64_t line_;
  bool skip_blank_lines_ = true;
};

}  // namespace zload
