#pragma once

#include <cstdint>
#include <vector>

#include "tests/support/view_shape.h"

namespace zload::test {

// Draws `count` random batches for `shape` from `seed`: batch 0 is empty, every other batch
// has a uniform number of changes in [0, max_changes], spread over random sources, so that each
// source's integral stays a multiset with positive weights. Deterministic in its arguments.
std::vector<Batch> RandomBatches(const ViewShape& shape, uint64_t seed, size_t count,
                                 size_t max_changes);

// True when replaying `batches` keeps every source's integral free of negative weights.
bool BatchesAreValid(const ViewShape& shape, const std::vector<Batch>& batches);

}  // namespace zload::test
