#pragma once

#include <cstdint>

namespace zload {

// The logical time under which a worker applies one batch.
struct Time {
  int64_t input_time = 0;        // the batch's own time; tables it touches reach this time
  int64_t frontier = 0;          // the previous batch's time; wait for each table to reach it
  bool flush_every_set = false;  // commit after each delay vertex instead of once per batch
};

}  // namespace zload
