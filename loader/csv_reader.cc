#include "loader/csv_reader.h"

#include <utility>

#include "loader/field_parse.h"

namespace zload {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string ProblemMessage(const CsvRecord& record) {
  const std::string quoted = QuoteForMessage(record.text.substr(record.problem_start));
  switch (record.problem) {
    case CsvProblem::kUnterminatedQuote:
      return "unterminated quoted field: " + quoted;
    case CsvProblem::kTextAfterQuote:
      return "text after the closing quote of a field: " + quoted;
    case CsvProblem::kQuoteInUnquoted:
      return "quote inside an unquoted field: " + quoted;
    case CsvProblem::kNone:
      break;
  }
  return "malformed record";
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<InputSource> source, Schema schema, CsvReaderOptions options)
    : source_(std::move(source)), schema_(std::move(schema)), options_(std::move(options)) {
  file_name_ = options_.file_name.empty() ? source_->name() : options_.file_name;
  if (options_.start_offset > 0) source_->SkipTo(options_.start_offset);
  scanner_ = std::make_unique<CsvScanner>(*source_, options_.delimiter, options_.first_line,
                                          options_.chunk_size);
  if (options_.header_text) {
    std::unique_ptr<InputSource> header_source =
        InputSource::FromString(*options_.header_text, file_name_);
    CsvScanner header_scanner(*header_source, options_.delimiter, 1);
    ReadHeader(header_scanner);
  } else {
    ReadHeader(*scanner_);
  }
  // With one column an empty line is a record holding NULL, not a blank line.
  scanner_->set_skip_blank_lines(header_.size() != 1);
  data_offset_ = scanner_->position();
  data_line_ = scanner_->line();
}

void CsvReader::ReadHeader(CsvScanner& scanner) {
  scanner.SkipByteOrderMark();
  if (!scanner.Next(record_)) {
    ErrorContext context;
    context.file = file_name_;
    throw Error(ErrorCode::kSchema, "no header row: the input is empty", context);
  }
  if (record_.problem != CsvProblem::kNone) {
    throw ErrorAt(ErrorCode::kParse, record_.problem_start,
                  "malformed header: " + ProblemMessage(record_));
  }
  header_text_ = record_.text;
  for (const CsvField& field : record_.fields) {
    std::string_view name = record_.FieldText(field, scratch_);
    header_.emplace_back(field.quoted ? name : TrimSpaces(name));
  }
  MapHeader();
}

void CsvReader::MapHeader() {
  auto fail = [&](size_t field, const std::string& message) -> Error {
    const size_t pos =
        field < record_.fields.size() ? record_.fields[field].start : record_.text.size();
    return ErrorAt(ErrorCode::kSchema, pos, message);
  };
  std::vector<bool> seen(schema_.size(), false);
  bool op_seen = false;
  field_target_.clear();
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    if (options_.op_column && EqualsIgnoreCase(name, *options_.op_column)) {
      if (op_seen) throw fail(i, "op column '" + name + "' appears twice in the header");
      op_seen = true;
      field_target_.push_back(kOpField);
      continue;
    }
    std::optional<size_t> index = schema_.IndexOf(name);
    if (!index) {
      std::string known;
      for (const Column& column : schema_.columns()) {
        known += (known.empty() ? "" : ", ") + column.name;
      }
      throw fail(i, "unknown column '" + name + "' in the header (the schema has: " + known + ")");
    }
    if (seen[*index]) throw fail(i, "column '" + name + "' appears twice in the header");
    seen[*index] = true;
    field_target_.push_back(static_cast<int>(*index));
  }
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (!seen[c]) throw fail(header_.size(), "the header lacks column '" + schema_[c].name + "'");
  }
  if (options_.op_column && !op_seen) {
    throw fail(header_.size(), "the header lacks op column '" + *options_.op_column + "'");
  }
}

Error CsvReader::ErrorAt(ErrorCode code, size_t pos, const std::string& message) const {
  auto [line, column] = record_.Position(pos);
  ErrorContext context;
  context.file = file_name_;
  context.line = line;
  context.column = column;
  return Error(code, message, std::move(context));
}

bool CsvReader::ReadOp(std::string_view text, int64_t& weight) const {
  if (text.empty() || text == "+" || EqualsIgnoreCase(text, "insert")) {
    weight = 1;
    return true;
  }
  if (text == "-" || EqualsIgnoreCase(text, "delete")) {
    weight = -1;
    return true;
  }
  return false;
}

ReadStatus CsvReader::Next(InputRow& row, std::optional<Error>& error) {
  const std::optional<uint64_t>& limit = options_.end_offset;
  if (limit && scanner_->position() >= *limit) return ReadStatus::kEnd;
  if (!scanner_->Next(record_)) return ReadStatus::kEnd;
  if (limit && record_.offset >= *limit) return ReadStatus::kEnd;

  row.line = record_.line;
  row.offset = record_.offset;
  row.raw.assign(record_.text);
  row.weight = 1;
  if (record_.problem != CsvProblem::kNone) {
    error = ErrorAt(ErrorCode::kParse, record_.problem_start, ProblemMessage(record_));
    return ReadStatus::kBadRow;
  }
  const std::vector<CsvField>& fields = record_.fields;
  if (fields.size() != field_target_.size()) {
    const size_t pos = fields.size() > field_target_.size() ? fields[field_target_.size()].start
                                                            : record_.text.size();
    error = ErrorAt(ErrorCode::kParse, pos,
                    "expected " + std::to_string(field_target_.size()) + " fields, found " +
                        std::to_string(fields.size()) + ": " + QuoteForMessage(record_.text));
    return ReadStatus::kBadRow;
  }
  row.row.resize(schema_.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    const CsvField& field = fields[i];
    const int target = field_target_[i];
    const std::string_view text = record_.FieldText(field, scratch_);
    if (target == kOpField) {
      if (!ReadOp(text, row.weight)) {
        error = ErrorAt(ErrorCode::kParse, field.start,
                        "unknown op " + QuoteForMessage(text) + " in column '" + header_[i] +
                            "' (expected '+', '-', 'insert', 'delete' or empty)");
        return ReadStatus::kBadRow;
      }
      continue;
    }
    const Column& column = schema_[static_cast<size_t>(target)];
    Value& value = row.row[static_cast<size_t>(target)];
    if (!field.quoted && text.empty()) {
      if (!column.nullable) {
        error = ErrorAt(ErrorCode::kConstraint, field.start,
                        "NULL (an empty field) in NOT NULL column '" + column.name + "'");
        return ReadStatus::kBadRow;
      }
      value = Value();
      continue;
    }
    if (!ParseField(text, column.type, value, message_)) {
      error = ErrorAt(ErrorCode::kParse, field.start, "column '" + column.name + "': " + message_);
      return ReadStatus::kBadRow;
    }
  }
  return ReadStatus::kRow;
}

}  // namespace zload
