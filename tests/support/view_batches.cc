#include "tests/support/view_batches.h"

#include <random>

namespace zload::test {

std::vector<Batch> RandomBatches(const ViewShape& shape, uint64_t seed, size_t count,
                                 size_t max_changes) {
  std::mt19937_64 rng(seed);
  std::vector<RowGenerator> generators;
  for (const SourceSpec& source : shape.sources) {
    generators.emplace_back(source.schema, source.domains);
  }
  std::vector<ZSet> contents(shape.sources.size());
  std::vector<Batch> batches;
  for (size_t b = 0; b < count; ++b) {
    Batch batch(shape.sources.size());
    size_t changes = b == 0 ? 0 : std::uniform_int_distribution<size_t>(0, max_changes)(rng);
    // Split the changes at random among the sources; some batches touch only one.
    std::vector<size_t> share(shape.sources.size(), 0);
    const bool single = rng() % 4 == 0;
    const size_t only = rng() % shape.sources.size();
    for (size_t i = 0; i < changes; ++i) ++share[single ? only : rng() % shape.sources.size()];
    for (size_t s = 0; s < shape.sources.size(); ++s) {
      batch[s] = RandomBatch(rng, generators[s], contents[s], share[s], shape.batch);
      contents[s].AddAll(batch[s]);
    }
    batches.push_back(std::move(batch));
  }
  return batches;
}

bool BatchesAreValid(const ViewShape& shape, const std::vector<Batch>& batches) {
  std::vector<ZSet> contents(shape.sources.size());
  for (const Batch& batch : batches) {
    for (size_t s = 0; s < contents.size(); ++s) {
      contents[s].AddAll(batch[s]);
      for (const auto& entry : contents[s]) {
        if (entry.second < 0) return false;
      }
    }
  }
  return true;
}

}  // namespace zload::test
