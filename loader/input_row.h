#pragma once

#include <cstdint>
#include <string>

#include "engine/error.h"
#include "engine/row.h"

namespace zload {

// One record read from an input file, typed by the source's schema.
struct InputRow {
  Row row;              // one value per schema column, in schema order
  int64_t weight = 1;   // +1 insert, -1 delete (from the op column; +1 without one)
  int64_t line = 0;     // 1-based line where the record starts
  uint64_t offset = 0;  // byte offset of the record's first byte in the input
  std::string raw;      // the record's text as it appears in the input (no line terminator)
};

// What reading one record produced.
enum class ReadStatus {
  kRow,     // a good row
  kBadRow,  // a malformed record: `error` says where and why; reading can go on
  kEnd,     // no more input
};

}  // namespace zload
