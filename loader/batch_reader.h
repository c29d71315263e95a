#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "loader/input_row.h"
#include "loader/row_reader.h"

namespace zload {

// Up to `batch_rows` good rows read in file order, with the bad records met while reading them.
struct InputBatch {
  std::vector<InputRow> rows;
  std::vector<std::pair<InputRow, Error>> bad_rows;
  uint64_t bytes_read = 0;  // the reader's position after this batch
};

// Reads batches on a background thread, a few ahead of the consumer, so that parsing overlaps
// applying. Stops after `limit` good rows when given. The reader must not be used by anyone
// else while this exists; destruction stops and joins the thread.
class BatchReader {
 public:
  BatchReader(RowReader& reader, int64_t batch_rows, std::optional<int64_t> limit);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // The next batch, or nullopt at the end of input (or of the limit). Rethrows what reading
  // threw (an I/O error), in order.
  std::optional<InputBatch> Next();
  // Hands back a consumed batch: its memory is freed on the reading thread, which has time to
  // spare, rather than on the consumer's.
  void Recycle(InputBatch batch);
  // Good rows handed out so far.
  int64_t rows_delivered() const { return delivered_; }

 private:
  void Produce();

  RowReader& reader_;
  const int64_t batch_rows_;
  std::optional<int64_t> limit_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<InputBatch> ready_;
  std::vector<InputBatch> spent_;  // recycled batches, freed by the reading thread
  bool done_ = false;
  bool stop_ = false;
  std::exception_ptr failure_;
  int64_t delivered_ = 0;
  std::thread thread_;  // last: started after every other member is ready
};

}  // namespace zload
