#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/schema.h"
#include "loader/input_row.h"
#include "loader/input_source.h"
#include "loader/row_reader.h"

namespace zload {

// How a JsonlReader reads its input.
struct JsonlReaderOptions {
  std::optional<std::string> op_column;  // key of the per-row '+'/'-' member, if any
  std::string file_name;                 // the name in errors; empty: the source's name
  // Byte range, as for CsvReaderOptions: start at a line boundary `start_offset` on line
  // `first_line`, stop before the first line that starts at or after `end_offset`.
  uint64_t start_offset = 0;
  int64_t first_line = 1;
  std::optional<uint64_t> end_offset;
  size_t chunk_size = InputWindow::kChunkSize;  // input read size; tests make it tiny
};

// Typed rows of JSON Lines input: one JSON object per line ("\n" or "\r\n"), blank lines skipped.
// Members are matched to schema columns by key (ASCII case-insensitive); a missing key or a JSON
// null is NULL. JSON types must fit the column: INTEGER takes JSON integers in int64 range; REAL
// takes any JSON number; TEXT takes strings; BOOLEAN takes true/false; TIMESTAMP takes strings in
// the ParseTimestamp forms. The op member is a string ('+', 'insert', '', '-', 'delete'), null or
// absent (+1).
//
// Positions in errors: the line, and the 1-based character column within it of the offending
// member's value (its key for an unknown or repeated key; where the parser stopped for malformed
// JSON; 1 for a NOT NULL column whose key is missing). Not thread-safe.
class JsonlReader final : public RowReader {
 public:
  // Opens the reader. Throws Error(kIo) for read failures.
  JsonlReader(std::unique_ptr<InputSource> source, Schema schema, JsonlReaderOptions options = {});
  ~JsonlReader() override;

  // kRow fills `row`; kBadRow sets `row`'s line, offset and raw and sets `error`: Error(kParse) for
  // malformed JSON, a line that is not an object, a nested value, a value of the wrong JSON type,
  // an unknown key (unknown keys are errors so that a misspelt key is not silently loaded as NULL),
  // a repeated key or an unknown op; Error(kConstraint) for NULL or a missing key in a NOT NULL
  // column. Reading resumes at the next line.
  ReadStatus Next(InputRow& row, std::optional<Error>& error) override;
  uint64_t bytes_read() const override;
  std::optional<uint64_t> total_bytes() const override { return source_->total_size(); }
  // JSON Lines has no header: always empty.
  std::string header() const override { return {}; }

 private:
  class Handler;

  std::unique_ptr<InputSource> source_;
  Schema schema_;
  JsonlReaderOptions options_;
  std::string file_name_;
  std::unique_ptr<InputWindow> window_;
  const char* cursor_;
  int64_t line_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace zload
