#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tests/support/view_check.h"
#include "tests/support/view_shape.h"

namespace zload::test {

// The base seed of the property tests: the value of the environment variable
// ZLOAD_PROPERTY_SEED when it is set to a number, otherwise `fallback`.
uint64_t PropertyBaseSeed(uint64_t fallback);

// How much random input one property run draws.
struct PropertyRun {
  uint64_t first_seed = 0;
  size_t seeds = 4;         // seeds first_seed, first_seed + 1, ...
  size_t batches = 50;      // per seed; batch 0 is empty
  size_t max_changes = 50;  // per batch
};

// Checks `shape` (CheckBatches) on the random batches of each seed in turn. Returns nullopt
// when every check passes; otherwise stops at the first failing seed and returns a report: the
// seed, the failing batch and its diff, then the input shrunk by ShrinkFailure, its own
// failure and its rendering as a regression file.
// When `stats` is given, adds what the checks saw to it.
std::optional<std::string> RunViewProperty(const ViewShape& shape, const PropertyRun& run,
                                           CheckStats* stats = nullptr);

}  // namespace zload::test
