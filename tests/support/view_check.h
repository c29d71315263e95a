#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/view_shape.h"

namespace zload::test {

// A mismatch found by CheckBatches.
struct CheckFailure {
  size_t batch = 0;    // index of the first batch after which a check failed
  std::string report;  // which view, which twin, the diff, and the inputs
};

// What a check saw, to show that a passing check exercised something.
struct CheckStats {
  size_t view_checks = 0;     // (batch, view) pairs checked
  size_t nonempty_views = 0;  // of those, how many had a non-empty view
  size_t delta_rows = 0;      // rows in all view output deltas
};

// Builds a Graph with the shape's sources, compiles its views (CompileView) into it, binds a
// MemoryStore, mirrors the sources in a SqliteOracle, then runs the batches one RunIteration
// each. After every batch, each view's integrated output deltas must match (a)
// EvaluateFromScratch over the integrated sources and (b) SQLite's result of the view's SQL
// over the same rows (values in SQLite's storage classes). Returns the first mismatch; an
// Error thrown by the engine is a mismatch too. Returns nullopt when all checks pass. When
// `stats` is given, adds what was checked to it.
std::optional<CheckFailure> CheckBatches(const ViewShape& shape, const std::vector<Batch>& batches,
                                         CheckStats* stats = nullptr);

}  // namespace zload::test
