// PeakResidentKb follows this process's own high-water mark of resident memory.
#include "loader/peak_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace zload {
namespace {

TEST(PeakMemoryTest, GrowsWithMemoryTouchedAndNeverFalls) {
  const int64_t before = PeakResidentKb();
  EXPECT_GT(before, 0);
  constexpr size_t kBytes = size_t{96} << 20;
  {
    std::vector<char> block(kBytes);
    std::memset(block.data(), 1, block.size());  // resident only once written
    EXPECT_GE(PeakResidentKb(), static_cast<int64_t>(kBytes / 1024) - 1024);
  }
  EXPECT_GE(PeakResidentKb(), static_cast<int64_t>(kBytes / 1024) - 1024);
  EXPECT_GE(PeakResidentKb(), before);
}

}  // namespace
}  // namespace zload
