// The long variant of view_property_test.cc (label slow): more seeds, longer
// histories and larger batches per shape. ZLOAD_PROPERTY_SEED=<n> replaces the
// base seed.
#include <gtest/gtest.h>

#include "tests/support/shape_catalog.h"
#include "tests/support/view_property.h"

namespace zload::test {
namespace {

constexpr uint64_t kDefaultBaseSeed = 7700000;

class ViewPropertySlowTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ViewPropertySlowTest, LongHistoriesMatchFromScratchAndSqlite) {
  const ViewShape &shape = FindViewShape(GetParam());
  for (size_t max_changes : {8, 50, 200}) {
    PropertyRun run;
    run.first_seed = PropertyBaseSeed(kDefaultBaseSeed) + max_changes * 1000;
    run.seeds = 6;
    run.batches = max_changes > 100 ? 60 : 200;
    run.max_changes = max_changes;
    SCOPED_TRACE(::testing::Message()
                 << "shape " << shape.name << ", seeds " << run.first_seed << ".."
                 << run.first_seed + run.seeds - 1 << ", max_changes " << max_changes);
    auto failure = RunViewProperty(shape, run);
    ASSERT_FALSE(failure) << *failure;
  }
}

std::vector<std::string> ShapeNames() {
  std::vector<std::string> names;
  for (const ViewShape &shape : ViewShapes()) names.push_back(shape.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Shapes, ViewPropertySlowTest, ::testing::ValuesIn(ShapeNames()),
                         [](const auto &info) { return info.param; });

}  // namespace
}  // namespace zload::test
