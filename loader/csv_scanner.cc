#include "loader/csv_scanner.h"

#include <algorithm>
#include <cstring>

namespace zload {

std::string_view CsvRecord::FieldText(const CsvField& field, std::string& scratch) const {
  const std::string_view content = text.substr(field.begin, field.end - field.begin);
  if (!field.has_doubled_quotes) return content;
  scratch.clear();
  for (size_t i = 0; i < content.size(); ++i) {
    scratch += content[i];
    if (content[i] == '"') ++i;  // the second quote of a pair
  }
  return scratch;
}

std::pair<int64_t, int64_t> CsvRecord::Position(size_t pos) const {
  int64_t physical_line = line;
  size_t line_start = 0;
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++physical_line;
      line_start = i + 1;
    }
  }
  int64_t column = 1;
  for (size_t i = line_start; i < pos; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return {physical_line, column};
}

CsvScanner::CsvScanner(InputSource& source, char delimiter, int64_t first_line, size_t chunk_size)
    : window_(source, chunk_size),
      delimiter_(delimiter),
      cursor_(window_.begin()),
      line_(first_line) {
  for (unsigned char c : {static_cast<unsigned char>(delimiter), static_cast<unsigned char>('\n'),
                          static_cast<unsigned char>('\r'), static_cast<unsigned char>('"')}) {
    special_[c] = true;
  }
}

void CsvScanner::SkipByteOrderMark() {
  while (window_.end() - cursor_ < 3 && !window_.at_eof()) {
    window_.Refill(cursor_);
    cursor_ = window_.begin();
  }
  if (window_.end() - cursor_ >= 3 && std::memcmp(cursor_, "\xEF\xBB\xBF", 3) == 0) cursor_ += 3;
}

bool CsvScanner::Next(CsvRecord& record) {
  for (;;) {
    const char* end = window_.end();
    const char* p = cursor_;
    // Blank lines are not records.
    while (skip_blank_lines_) {
      if (p != end && *p == '\n') {
        ++p;
        ++line_;
      } else if (p != end && *p == '\r' && p + 1 != end && p[1] == '\n') {
        p += 2;
        ++line_;
      } else if (p != end && *p == '\r' && p + 1 == end && window_.at_eof()) {
        ++p;
      } else {
        break;
      }
    }
    cursor_ = p;
    const bool need_more =
        p == end || (*p == '\r' && p + 1 == end) || ScanRecord(record) == Scan::kNeedMore;
    if (!need_more) return true;
    if (window_.at_eof()) return false;  // only reachable with nothing left but blank lines
    window_.Refill(cursor_);
    cursor_ = window_.begin();
  }
}

void CsvScanner::Finish(const char* start, const char* text_end, const char* next,
                        CsvRecord& record) {
  record.text = std::string_view(start, static_cast<size_t>(text_end - start));
  record.offset = window_.base_offset() + static_cast<uint64_t>(start - window_.begin());
  record.line = line_;
  line_ += 1 + newlines_in_record_;
  cursor_ = next;
}

CsvScanner::Scan CsvScanner::ScanRecord(CsvRecord& record) {
  const char* const start = cursor_;
  const char* const end = window_.end();
  const bool eof = window_.at_eof();
  record.fields.clear();
  record.problem = CsvProblem::kNone;
  newlines_in_record_ = 0;
  const char* p = start;
  for (;;) {
    const size_t field_start = static_cast<size_t>(p - start);
    if (*p == '"') {
      const char* q = p + 1;
      bool doubled = false;
      for (;;) {
        q = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
        if (q == nullptr) {
          if (!eof) return Scan::kNeedMore;
          record.problem = CsvProblem::kUnterminatedQuote;
          record.problem_start = field_start;
          newlines_in_record_ = std::count(start, end, '\n');
          Finish(start, end, end, record);
          return Scan::kDone;
        }
        if (q + 1 == end && !eof) return Scan::kNeedMore;
        if (q + 1 != end && q[1] == '"') {
          doubled = true;
          q += 2;
          continue;
        }
        break;
      }
      newlines_in_record_ += std::count(p + 1, q, '\n');
      record.fields.push_back(
          {field_start, field_start + 1, static_cast<size_t>(q - start), true, doubled});
      p = q + 1;
      if (p == end) {  // the end of input: q + 1 == end returned above otherwise
        Finish(start, end, end, record);
        return Scan::kDone;
      }
      const char c = *p;
      if (c == delimiter_) {
        ++p;
        continue;
      }
      if (c == '\n') {
        Finish(start, p, p + 1, record);
        return Scan::kDone;
      }
      if (c == '\r') {
        if (p + 1 == end) {
          if (!eof) return Scan::kNeedMore;
          Finish(start, p, end, record);
          return Scan::kDone;
        }
        if (p[1] == '\n') {
          Finish(start, p, p + 2, record);
          return Scan::kDone;
        }
      }
      record.problem = CsvProblem::kTextAfterQuote;
      record.problem_start = field_start;
      return Recover(start, p, false, record);
    }
    const char* q = p;
    for (;;) {
      while (!special_[static_cast<unsigned char>(*q)]) ++q;  // the sentinel stops this
      if (q == end) {
        if (!eof) return Scan::kNeedMore;
        record.fields.push_back({field_start, field_start, static_cast<size_t>(q - start)});
        Finish(start, end, end, record);
        return Scan::kDone;
      }
      const char c = *q;
      if (c == delimiter_) {
        record.fields.push_back({field_start, field_start, static_cast<size_t>(q - start)});
        p = q + 1;
        break;
      }
      if (c == '\n') {
        record.fields.push_back({field_start, field_start, static_cast<size_t>(q - start)});
        Finish(start, q, q + 1, record);
        return Scan::kDone;
      }
      if (c == '\r') {
        if (q + 1 == end) {
          if (!eof) return Scan::kNeedMore;
          record.fields.push_back({field_start, field_start, static_cast<size_t>(q - start)});
          Finish(start, q, end, record);
          return Scan::kDone;
        }
        if (q[1] == '\n') {
          record.fields.push_back({field_start, field_start, static_cast<size_t>(q - start)});
          Finish(start, q, q + 2, record);
          return Scan::kDone;
        }
        ++q;  // a lone carriage return is data
        continue;
      }
      record.problem = CsvProblem::kQuoteInUnquoted;
      record.problem_start = field_start;
      return Recover(start, q + 1, true, record);
    }
  }
}

CsvScanner::Scan CsvScanner::Recover(const char* start, const char* p, bool in_quotes,
                                     CsvRecord& record) {
  const char* const end = window_.end();
  const char* q = p;
  for (;;) {
    while (*q != '"' && *q != '\n') ++q;  // the sentinel stops this
    if (q == end) {
      if (!window_.at_eof()) return Scan::kNeedMore;
      const char* text_end = (!in_quotes && q > start && q[-1] == '\r') ? q - 1 : q;
      newlines_in_record_ = std::count(start, text_end, '\n');
      Finish(start, text_end, end, record);
      return Scan::kDone;
    }
    if (*q == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes) {
      const char* text_end = (q > start && q[-1] == '\r') ? q - 1 : q;
      newlines_in_record_ = std::count(start, text_end, '\n');
      Finish(start, text_end, q + 1, record);
      return Scan::kDone;
    }
    ++q;
  }
}

}  // namespace zload
