#pragma once

#include <vector>

#include "tests/support/view_shape.h"

namespace zload::test {

// Given batches for which CheckBatches fails, returns a smaller valid sequence that still
// fails: later batches dropped, batches removed or merged, row changes removed or reduced,
// until no single such step keeps the failure (a local minimum).
std::vector<Batch> ShrinkFailure(const ViewShape& shape, std::vector<Batch> batches);

}  // namespace zload::test
