#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/error.h"
#include "engine/schema.h"
#include "loader/input_row.h"
#include "loader/job_config.h"

namespace zload {

// Typed records of one source's input file, in file order.
class RowReader {
 public:
  virtual ~RowReader() = default;
  // Reads the next record into `row`. kBadRow sets `error` (with file, line and column) and
  // leaves the reader at the next record; kEnd means the input is exhausted.
  virtual ReadStatus Next(InputRow& row, std::optional<Error>& error) = 0;
  // Bytes of input consumed so far.
  virtual uint64_t bytes_read() const = 0;
  // The input's size when known (not for stdin).
  virtual std::optional<uint64_t> total_bytes() const = 0;
  // The header record's text as written (CSV); empty for formats without one.
  virtual std::string header() const = 0;
};

// Opens the reader for `source` (CSV or JSONL by source.format; "-" reads stdin), checking its
// header against `schema`. Throws Error(kIo) when the file cannot be opened and Error(kSchema)
// for a header that does not match the schema.
std::unique_ptr<RowReader> OpenRowReader(const SourceConfig& source, const Schema& schema);

// Opens a reader of `source`'s file (or of `file` when given: a copy of it) that starts at byte
// `offset` (a record boundary on physical line `line`), stops before the first record at or
// after `end` when given and, for CSV, takes `header` as the header record. Throws as
// OpenRowReader does.
std::unique_ptr<RowReader> OpenRowReaderAt(const SourceConfig& source, const Schema& schema,
                                           uint64_t offset, int64_t line, const std::string& header,
                                           std::optional<uint64_t> end = std::nullopt,
                                           const std::string& file = "");

}  // namespace zload
