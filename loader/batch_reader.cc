#include "loader/batch_reader.h"

namespace zload {
namespace {

constexpr size_t kBatchesAhead = 2;

}  // namespace

BatchReader::BatchReader(RowReader& reader, int64_t batch_rows, std::optional<int64_t> limit)
    : reader_(reader), batch_rows_(batch_rows), limit_(limit), thread_([this] { Produce(); }) {}

BatchReader::~BatchReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BatchReader::Produce() {
  try {
    int64_t remaining = limit_.value_or(-1);
    bool end = remaining == 0;
    while (!end) {
      {
        std::vector<InputBatch> spent;
        {
          std::lock_guard<std::mutex> lock(mu_);
          spent.swap(spent_);
        }
      }  // freed here, outside the lock
      InputBatch batch;
      batch.rows.reserve(static_cast<size_t>(std::min<int64_t>(batch_rows_, 1 << 16)));
      while (static_cast<int64_t>(batch.rows.size()) < batch_rows_ && remaining != 0) {
        InputRow row;
        std::optional<Error> error;
        ReadStatus status = reader_.Next(row, error);
        if (status == ReadStatus::kEnd) {
          end = true;
          break;
        }
        if (status == ReadStatus::kBadRow) {
          batch.bad_rows.emplace_back(std::move(row), std::move(*error));
          continue;
        }
        batch.rows.push_back(std::move(row));
        if (remaining > 0) --remaining;
      }
      if (remaining == 0) end = true;
      batch.bytes_read = reader_.bytes_read();
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return stop_ || ready_.size() < kBatchesAhead; });
      if (stop_) return;
      if (!batch.rows.empty() || !batch.bad_rows.empty()) ready_.push_back(std::move(batch));
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    failure_ = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  changed_.notify_all();
}

void BatchReader::Recycle(InputBatch batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!done_) spent_.push_back(std::move(batch));
}  // after the reading thread ends, `batch` is freed here

std::optional<InputBatch> BatchReader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !ready_.empty() || done_; });
  if (ready_.empty()) {
    if (failure_) std::rethrow_exception(failure_);
    return std::nullopt;
  }
  InputBatch batch = std::move(ready_.front());
  ready_.pop_front();
  delivered_ += static_cast<int64_t>(batch.rows.size());
  changed_.notify_all();
  return batch;
}

}  // namespace zload
