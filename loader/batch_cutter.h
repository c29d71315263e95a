#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/schema.h"
#include "loader/input_source.h"
#include "loader/job_config.h"

namespace zload {

// One batch of a source's input: the whole records in bytes [begin, end), the first of them on or
// after physical line `first_line` (the line where reading at `begin` starts). Read it with a
// CsvReader or JsonlReader given start_offset = begin, first_line, end_offset = end and, for CSV,
// header_text = BatchCutter::header_text().
struct BatchRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  int64_t first_line = 1;
  int64_t records = 0;  // records in the range, malformed ones included; blank lines are none
};

// Cuts one source's input file into ranges of at most `batch_rows` records each, in file order,
// with the record boundaries the readers use (CSV: CsvScanner's quote-parity rule, with blank
// lines skipped unless the header has a single column; JSONL: non-blank lines). A malformed record
// counts as one record, as the reader reports it as one bad row. Ranges are contiguous: the first
// begins where the data begins (past a CSV header), each begins where the previous one ends, and
// the last ends at the end of the file. Streams the file: memory is bounded by the largest record
// (CSV) or a chunk (JSONL). Types no values. Not thread-safe.
class BatchCutter {
 public:
  // Opens source.file (a path; "csv" or "jsonl" by source.format, as OpenRowReader does) and, for
  // CSV, reads and checks its header against `schema`. `chunk_size` is the read size (tests make
  // it tiny). Throws what the readers throw: Error(kIo) naming the file when it cannot be opened
  // or read, Error(kSchema)/Error(kParse) for a CSV header that is missing, malformed or does not
  // match `schema`; and Error(kConfig) naming the file when it is not a regular file (a pipe or
  // stdin cannot be read again by range). REQUIRES: batch_rows > 0, chunk_size > 0.
  BatchCutter(const SourceConfig& source, const Schema& schema, int64_t batch_rows,
              size_t chunk_size = InputWindow::kChunkSize);
  ~BatchCutter();
  BatchCutter(const BatchCutter&) = delete;
  BatchCutter& operator=(const BatchCutter&) = delete;

  // The next range (1..batch_rows records), or nullopt once the input holds no more records.
  // Throws Error(kIo) on read failures.
  std::optional<BatchRange> Next() { return Next(batch_rows_); }
  // The next range of 1..max_records records (for the last batch of a limit, or to skip records
  // already loaded). REQUIRES: max_records > 0.
  std::optional<BatchRange> Next(int64_t max_records);
  // CSV: the header record's text as CsvReader::header() returns it (pass it as header_text to
  // the readers of ranges); empty for JSONL.
  const std::string& header_text() const { return header_text_; }
  // The end of the last range returned (where the data begins before the first): for progress.
  uint64_t bytes_cut() const { return cut_offset_; }
  // The physical line where the next range begins.
  int64_t line_cut() const { return cut_line_; }
  // The file's size when opened.
  std::optional<uint64_t> total_bytes() const;

  class Records;  // finds record boundaries in one format

 private:
  std::unique_ptr<InputSource> input_;
  std::unique_ptr<Records> records_;
  const int64_t batch_rows_;
  std::string header_text_;
  uint64_t cut_offset_ = 0;  // where the next range begins
  int64_t cut_line_ = 1;     // and its first line
  bool pending_ = false;     // the next range's first record has been scanned already
  bool done_ = false;
};

}  // namespace zload
