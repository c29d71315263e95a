#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loader/input_source.h"

namespace zload {

// Where one field lies in its record, as byte offsets from the record's first byte.
struct CsvField {
  size_t start = 0;  // the field's first byte: its opening quote when quoted
  size_t begin = 0;  // first content byte (after the opening quote)
  size_t end = 0;    // one past the last content byte (before the closing quote)
  bool quoted = false;
  bool has_doubled_quotes = false;  // content holds "" pairs that stand for one quote
};

// Why a record is malformed, if it is.
enum class CsvProblem {
  kNone,
  kUnterminatedQuote,  // a quoted field runs to the end of input
  kTextAfterQuote,     // a closing quote is followed by something other than a
                       // delimiter or end
  kQuoteInUnquoted,    // a quote inside a field that does not start with one
};

// One record as scanned: RFC 4180 field boundaries, not yet typed.
struct CsvRecord {
  std::string_view text;  // the record's bytes without its line terminator
  uint64_t offset = 0;    // absolute input offset of text's first byte
  int64_t line = 0;       // physical line (1-based) where the record starts
  std::vector<CsvField> fields;
  CsvProblem problem = CsvProblem::kNone;
  size_t problem_start = 0;  // start of the field the problem is in (record-relative)

  // The field's text with doubled quotes undone; uses `scratch` only when it must.
  std::string_view FieldText(const CsvField& field, std::string& scratch) const;
  // The physical line and 1-based character column of record-relative byte `pos`.
  std::pair<int64_t, int64_t> Position(size_t pos) const;
};

// Splits CSV input into records and fields in one pass over a chunked window, without copying field
// bytes. Record boundaries follow the quote-parity rule: a '\n' ends a record when the record
// before it holds an even number of '"' (so a cut by any component tracking quote parity agrees
// with it, and a malformed record still ends where that rule says). "\r\n" and "\n" end lines; a
// final line needs no terminator; blank lines are skipped (they still count as lines) unless
// set_skip_blank_lines(false).
class CsvScanner {
 public:
  // Scans `source` from its current position, which must be a record boundary on physical line
  // `first_line`. REQUIRES: `delimiter` is not '"', '\r' or '\n'.
  CsvScanner(InputSource& source, char delimiter, int64_t first_line,
             size_t chunk_size = InputWindow::kChunkSize);

  // Whether blank lines are skipped (the default) or read as records of one empty field.
  void set_skip_blank_lines(bool skip) { skip_blank_lines_ = skip; }
  // Skips a UTF-8 byte order mark if the input starts with one. Call before the first Next().
  void SkipByteOrderMark();
  // Scans the next record into `record` (views valid until the next call); false at the end of
  // input. Throws Error(kIo) on read failures.
  bool Next(CsvRecord& record);
  // Absolute offset just past the last record returned (where the next one may start).
  uint64_t position() const { return window_.base_offset() + (cursor_ - window_.begin()); }
  // The physical line the next record may start on.
  int64_t line() const { return line_; }

 private:
  enum class Scan { kDone, kNeedMore };
  // Scans one record starting at cursor_ (no blank-line handling); kNeedMore when the window ends
  // inside it before the end of input.
  Scan ScanRecord(CsvRecord& record);
  // Finds the record's end by quote parity from `p` after a problem; kNeedMore as above.
  Scan Recover(const char* start, const char* p, bool in_quotes, CsvRecord& record);
  void Finish(const char* start, const char* text_end, const char* next, CsvRecord& record);

  InputWindow window_;
  const char delimiter_;
  std::array<bool, 256> special_{};
  const char* cursor_;
  int64_t line_;
  int64_t newlines_in_record_ = 0;
  bool skip_blank_lines_ = true;
};

}  // namespace zload
