#pragma once

#include <cstddef>

// How SQLite stores split a batch over prepared multi-row or multi-key statements, so that a
// few statement shapes serve any batch size. Private to stores/.

namespace zload::statement_chunks {

// The number of key slots of a look-up statement for `n` keys: the next power of two (unused
// slots repeat a key), so at most log2 statements per table are prepared.
inline size_t Slots(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Rows for the next multi-row write of what is `left`: the largest of 64, 16, 4 and 1 that fits.
inline size_t WriteChunk(size_t left) {
  for (size_t n : {size_t{64}, size_t{16}, size_t{4}}) {
    if (n <= left) return n;
  }
  return 1;
}

// The most rows one multi-row write takes.
constexpr size_t kLargestWriteChunk = 64;

}  // namespace zload::statement_chunks
