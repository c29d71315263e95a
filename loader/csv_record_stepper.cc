#include "loader/csv_record_stepper.h"

#include <algorithm>
#include <cstring>

namespace zload {

CsvRecordStepper::CsvRecordStepper(InputSource& source, int64_t first_line, size_t chunk_size)
    : window_(source, chunk_size), cursor_(window_.begin()), line_(first_line) {}

bool CsvRecordStepper::Have(size_t n) {
  while (static_cast<size_t>(window_.end() - cursor_) < n && !window_.at_eof()) {
    window_.Refill(cursor_);
    cursor_ = window_.begin();
    newline_ = nullptr;
  }
  return static_cast<size_t>(window_.end() - cursor_) >= n;
}

bool CsvRecordStepper::Next() {
  // Blank lines are not records; a lone '\r' ending the input is nothing (CsvScanner::Next).
  for (;;) {
    if (!Have(1)) return false;
    if (*cursor_ == '\n' && skip_blank_lines_) {
      ++cursor_;
      ++line_;
      continue;
    }
    if (*cursor_ == '\r') {
      if (!Have(2)) {
        if (skip_blank_lines_) ++cursor_;
        return false;
      }
      if (skip_blank_lines_ && cursor_[1] == '\n') {
        cursor_ += 2;
        ++line_;
        continue;
      }
    }
    break;
  }
  // The record: up to the first '\n' outside quotes, or the end of input. A record without
  // quotes is two memchr calls; once one holds a quote, the rest of it is read byte by byte (its
  // quotes tend to come close together: field after field, or doubled).
  bool quoted = false;     // a quote was seen: the byte loop reads the rest of the record
  bool in_quotes = false;  // an odd number of quotes seen
  for (;;) {
    const char* const end = window_.end();
    if (cursor_ == end) {
      if (!Have(1)) {
        ++line_;  // as CsvScanner counts a last record without terminator
        return true;
      }
      continue;
    }
    if (!quoted && *cursor_ == '"') {
      ++cursor_;
      quoted = true;
      in_quotes = true;
    } else if (!quoted) {
      // The next '\n' is searched for again only once the cursor has passed the one found.
      if (newline_ == nullptr || newline_ < cursor_) {
        const auto* newline = static_cast<const char*>(
            std::memchr(cursor_, '\n', static_cast<size_t>(end - cursor_)));
        newline_ = newline != nullptr ? newline : end;
      }
      const auto* quote = static_cast<const char*>(
          std::memchr(cursor_, '"', static_cast<size_t>(newline_ - cursor_)));
      if (quote == nullptr) {
        cursor_ = newline_;
        if (cursor_ == end) continue;
        ++cursor_;
        ++line_;
        return true;
      }
      cursor_ = quote + 1;
      quoted = true;
      in_quotes = true;
    }
    const char* p = cursor_;
    for (; p != end; ++p) {
      in_quotes ^= *p == '"';
      if (*p == '\n') {
        ++line_;
        if (!in_quotes) {
          cursor_ = p + 1;
          return true;
        }
      }
    }
    cursor_ = end;
  }
}

}  // namespace zload
