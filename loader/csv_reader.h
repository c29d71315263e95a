#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/schema.h"
#include "loader/csv_scanner.h"
#include "loader/input_row.h"
#include "loader/input_source.h"
#include "loader/row_reader.h"

namespace zload {

// How a CsvReader reads its input.
struct CsvReaderOptions {
  char delimiter = ',';                  // REQUIRES: not '"', '\r' or '\n'
  std::optional<std::string> op_column;  // header name of the per-row '+'/'-' column, if any
  std::string file_name;                 // the name in errors; empty: the source's name
  // Byte range, for workers that parse part of a file: reading starts at `start_offset` (a record
  // boundary, on physical line `first_line`) and stops before the first record that starts at or
  // after `end_offset`.
  uint64_t start_offset = 0;
  int64_t first_line = 1;
  std::optional<uint64_t> end_offset;
  // The header record's text (as header() returns it), when the range does not start with it;
  // without it the first record read is the header.
  std::optional<std::string> header_text;
  size_t chunk_size = InputWindow::kChunkSize;  // input read size; tests make it tiny
};

// Typed rows of an RFC 4180 CSV input. Fields are quoted with '"' (doubled inside quotes), may hold
// delimiters and newlines when quoted; lines end with "\n" or "\r\n"; the last line needs no
// terminator; blank lines are skipped, except with a single-column header: then an empty line is a
// record holding NULL (so a one-column file whose last record is NULL must end that empty line with
// a terminator). The header names the schema's columns (ASCII case-insensitive, surrounding spaces
// ignored, any order) plus the op column when configured. An empty unquoted field is NULL; a quoted
// empty field is the empty TEXT. The op column reads '+', 'insert' or empty as weight +1 and '-' or
// 'delete' as -1.
//
// Positions in errors: the physical line where the offending field starts and the 1-based character
// (UTF-8 code point) column of its first byte (its opening quote when quoted) within that line. Not
// thread-safe; one reader per input.
class CsvReader final : public RowReader {
 public:
  // Reads and checks the header (or options.header_text). Throws Error(kSchema), with the header's
  // position, when the header has an unknown or repeated column or lacks a schema column or the op
  // column; Error(kSchema) for an input without a header; Error(kParse) for a malformed header
  // record; Error(kIo) for read failures.
  CsvReader(std::unique_ptr<InputSource> source, Schema schema, CsvReaderOptions options = {});

  // kRow fills `row` (values in schema order, weight, line, offset, raw). kBadRow leaves `row`'s
  // values unspecified but sets line, offset and raw, and sets `error`: Error(kParse) for a wrong
  // field count, an unparsable value, invalid UTF-8, an unterminated quote (at the opening quote;
  // the record then runs to the end of input), stray quotes, or an unknown op; Error(kConstraint)
  // for NULL in a NOT NULL column. Reading resumes at the next record. Throws Error(kIo) on read
  // failures.
  ReadStatus Next(InputRow& row, std::optional<Error>& error) override;
  // Absolute input offset just past the last record returned.
  uint64_t bytes_read() const override { return scanner_->position(); }
  std::optional<uint64_t> total_bytes() const override { return source_->total_size(); }

  // The header record's text as written (without a byte order mark or line terminator).
  std::string header() const override { return header_text_; }
  // The header's names (unquoted, trimmed).
  const std::vector<std::string>& header_names() const { return header_; }
  // Where the first data record may start (past the header), and its physical line.
  uint64_t data_offset() const { return data_offset_; }
  int64_t data_line() const { return data_line_; }

 private:
  static constexpr int kOpField = -1;

  // Reads the header record from `scanner` into record_ and maps it to the schema.
  void ReadHeader(CsvScanner& scanner);
  void MapHeader();
  Error ErrorAt(ErrorCode code, size_t pos, const std::string& message) const;
  bool ReadOp(std::string_view text, int64_t& weight) const;

  std::unique_ptr<InputSource> source_;
  Schema schema_;
  CsvReaderOptions options_;
  std::string file_name_;
  std::unique_ptr<CsvScanner> scanner_;
  CsvRecord record_;
  std::string header_text_;
  std::vector<std::string> header_;
  std::vector<int> field_target_;  // per header field: its schema column, or kOpField
  uint64_t data_offset_ = 0;
  int64_t data_line_ = 1;
  std::string scratch_;
  std::string message_;
};

}  // namespace zload
