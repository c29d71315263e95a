#include "loader/batch_cutter.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "engine/error.h"
#include "loader/csv_reader.h"
#include "loader/csv_record_stepper.h"

namespace zload {
namespace {

constexpr size_t kHeaderChunk = size_t{64} << 10;  // the first read of a CSV header

}  // namespace

// Steps over records one at a time. position() and line() are where the next record may start
// (just past the last record stepped over, before any blank lines) and that physical line; at the
// end of input, position() is the end.
class BatchCutter::Records {
 public:
  virtual ~Records() = default;
  // Steps over the next record; false at the end of input.
  virtual bool Next() = 0;
  virtual uint64_t position() const = 0;
  virtual int64_t line() const = 0;
};

namespace {

// CSV records as CsvReader sees them, from where the reader's data begins: CsvScanner's
// boundaries, stepped over without splitting fields.
class CsvRecords final : public BatchCutter::Records {
 public:
  CsvRecords(InputSource& input, int64_t first_line, bool skip_blank_lines, size_t chunk_size)
      : stepper_(input, first_line, chunk_size) {
    stepper_.set_skip_blank_lines(skip_blank_lines);
  }

  bool Next() override { return stepper_.Next(); }
  uint64_t position() const override { return stepper_.position(); }
  int64_t line() const override { return stepper_.line(); }

 private:
  CsvRecordStepper stepper_;
};

// JSON Lines records as JsonlReader sees them: lines ("\n"-terminated, the last one possibly not)
// holding a byte other than ' ', '\t' and '\r'. Reads fixed chunks and keeps none of them.
class JsonlRecords final : public BatchCutter::Records {
 public:
  JsonlRecords(InputSource& input, size_t chunk_size)
      : input_(input), chunk_size_(chunk_size), buffer_(new char[chunk_size]) {}

  bool Next() override {
    bool content = false;  // the line scanned holds a non-blank byte
    for (;;) {
      if (cursor_ == size_ && !Refill()) {
        position_ = base_ + size_;
        if (!content) return false;
        line_ = scan_line_ + 1;  // a last line without terminator
        scan_line_ = line_;
        return true;
      }
      const char* p = buffer_.get() + cursor_;
      const char* const end = buffer_.get() + size_;
      if (!content) {
        while (p != end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
        if (p == end) {
          cursor_ = size_;
          continue;
        }
        content = *p != '\n';
      }
      const char* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (newline == nullptr) {
        cursor_ = size_;
        continue;
      }
      cursor_ = static_cast<size_t>(newline + 1 - buffer_.get());
      ++scan_line_;
      if (content) {
        position_ = base_ + cursor_;
        line_ = scan_line_;
        return true;
      }
    }
  }

  uint64_t position() const override { return position_; }
  int64_t line() const override { return line_; }

 private:
  // Replaces the buffer's bytes with the next chunk; false at the end of input.
  bool Refill() {
    base_ += size_;
    cursor_ = 0;
    size_ = input_.Read(buffer_.get(), chunk_size_);
    return size_ != 0;
  }

  InputSource& input_;
  const size_t chunk_size_;
  std::unique_ptr<char[]> buffer_;
  uint64_t base_ = 0;      // input offset of buffer_[0]
  size_t size_ = 0;        // valid bytes in buffer_
  size_t cursor_ = 0;      // next byte to scan
  int64_t scan_line_ = 1;  // the line the scan is on
  uint64_t position_ = 0;
  int64_t line_ = 1;
};

}  // namespace

BatchCutter::BatchCutter(const SourceConfig& source, const Schema& schema, int64_t batch_rows,
                         size_t chunk_size)
    : batch_rows_(batch_rows) {
  if (batch_rows <= 0 || chunk_size == 0) {
    throw Error(ErrorCode::kInternal, "BatchCutter needs batch_rows > 0 and chunk_size > 0");
  }
  input_ = InputSource::Open(source.file);
  if (!input_->total_size()) {
    ErrorContext context;
    context.file = input_->name();
    throw Error(ErrorCode::kConfig, "cannot cut input into batches: not a regular file", context);
  }
  if (source.format == "jsonl") {
    records_ = std::make_unique<JsonlRecords>(*input_, chunk_size);
    return;
  }
  // The reader checks the header and says where its data begins; a second handle on the file
  // then scans from there, exactly as a reader of a range does.
  CsvReaderOptions options;
  options.delimiter = source.delimiter;
  options.op_column = source.op_column;
  options.file_name = source.file;
  // The header is one record: a small first read (the window grows for a longer one).
  options.chunk_size = std::min(chunk_size, kHeaderChunk);
  std::unique_ptr<InputSource> header_input = std::move(input_);
  const CsvReader reader(std::move(header_input), schema, options);
  header_text_ = reader.header();
  cut_offset_ = reader.data_offset();
  cut_line_ = reader.data_line();
  input_ = InputSource::Open(source.file);
  input_->SkipTo(cut_offset_);
  // With one column an empty line is a record holding NULL, not a blank line.
  records_ = std::make_unique<CsvRecords>(*input_, cut_line_, reader.header_names().size() != 1,
                                          chunk_size);
}

BatchCutter::~BatchCutter() = default;

std::optional<uint64_t> BatchCutter::total_bytes() const { return input_->total_size(); }

std::optional<BatchRange> BatchCutter::Next(int64_t max_records) {
  if (max_records <= 0) throw Error(ErrorCode::kInternal, "a batch of no records");
  if (done_) return std::nullopt;
  BatchRange range;
  range.begin = cut_offset_;
  range.first_line = cut_line_;
  if (pending_) {
    range.records = 1;
    pending_ = false;
  }
  for (;;) {
    // Where the record about to be scanned may start: the cut if it does not fit.
    const uint64_t offset = records_->position();
    const int64_t line = records_->line();
    if (!records_->Next()) {
      done_ = true;
      if (range.records == 0) return std::nullopt;
      // The last range runs to the end, trailing blank lines included.
      range.end = std::max(records_->position(), input_->total_size().value_or(0));
      cut_offset_ = range.end;
      return range;
    }
    if (range.records == max_records) {
      pending_ = true;
      range.end = offset;
      cut_offset_ = offset;
      cut_line_ = line;
      return range;
    }
    ++range.records;
  }
}

}  // namespace zload
