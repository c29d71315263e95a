#include "tests/support/view_property.h"

#include <fmt/format.h>

#include <cstdlib>

#include "tests/support/regression_file.h"
#include "tests/support/view_batches.h"
#include "tests/support/view_check.h"
#include "tests/support/view_shrink.h"

namespace zload::test {

uint64_t PropertyBaseSeed(uint64_t fallback) {
  const char* env = std::getenv("ZLOAD_PROPERTY_SEED");
  if (env == nullptr || *env == '\0') return fallback;
  char* end = nullptr;
  uint64_t seed = std::strtoull(env, &end, 10);
  return *end == '\0' ? seed : fallback;
}

std::optional<std::string> RunViewProperty(const ViewShape& shape, const PropertyRun& run,
                                           CheckStats* stats) {
  for (size_t i = 0; i < run.seeds; ++i) {
    const uint64_t seed = run.first_seed + i;
    std::vector<Batch> batches = RandomBatches(shape, seed, run.batches, run.max_changes);
    auto failure = CheckBatches(shape, batches, stats);
    if (!failure) continue;
    std::vector<Batch> small = ShrinkFailure(shape, batches);
    auto small_failure = CheckBatches(shape, small);
    return fmt::format(
        "shape {}, seed {}: after batch {} of {}: {}\n"
        "shrunk to {} batches, failing after batch {}: {}\n"
        "as a regression file (tests/regressions/<bug>.txt):\n{}",
        shape.name, seed, failure->batch, batches.size(), failure->report, small.size(),
        small_failure ? small_failure->batch : 0,
        small_failure ? small_failure->report : std::string("(no longer fails)"),
        RenderRegression(shape, small));
  }
  return std::nullopt;
}

}  // namespace zload::test
