#include "engine/ops/distinct.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/error.h"
#include "engine/memory_store.h"

namespace zload {
namespace {

Value I(int64_t v) { return Value::Integer(v); }
Value T(std::string s) { return Value::Text(std::move(s)); }
const Value N;  // NULL

// Drives one DistinctOp over a MemoryStore and keeps the integrals of its input and output.
struct Harness {
  explicit Harness(size_t arity) : op(arity), spec{"v__integral", arity, {}} {
    op.Bind(store, "v");
  }

  std::string Step(const ZSet& delta) {
    const ZSet* deltas[] = {&delta};
    ZSet out = op.Step(deltas);
    input.AddAll(delta);
    output.AddAll(out);
    return out.ToString();
  }

  ZSet Evaluated() const {
    const ZSet* inputs[] = {&input};
    return op.Evaluate(inputs);
  }

  std::string State() {
    ZSet z;
    store.Open(spec).Scan([&](const Row& row, int64_t w) { z.Add(row, w); });
    return z.ToString();
  }

  MemoryStore store;
  DistinctOp op;
  StateTableSpec spec;
  ZSet input, output;
};

TEST(DistinctTest, BindOpensTheIntegralTable) {
  Harness h(2);
  EXPECT_EQ(h.store.TableNames(), std::vector<std::string>{"v__integral"});
  EXPECT_EQ(h.op.Kind(), "distinct");
}

TEST(DistinctTest, RejectsMisuse) {
  DistinctOp unbound(1);
  ZSet z;
  const ZSet* one[] = {&z};
  EXPECT_THROW(unbound.Step(one), Error);
  MemoryStore store;
  unbound.Bind(store, "u");
  const ZSet* two[] = {&z, &z};
  EXPECT_THROW(unbound.Step(two), Error);
  EXPECT_THROW(unbound.Evaluate(two), Error);
  ZSet wide{{{I(1), I(2)}, 1}};
  const ZSet* bad[] = {&wide};
  EXPECT_THROW(unbound.Step(bad), Error);
}

TEST(DistinctTest, EmitsOnlyWhenPresenceChanges) {
  Harness h(2);
  EXPECT_EQ(h.Step({{{I(1), T("a")}, 3}, {{I(2), N}, 1}}),
            "(1, 'a') x 1\n"
            "(2, NULL) x 1\n");
  EXPECT_EQ(h.Step({{{I(1), T("a")}, -2}, {{I(2), N}, 1}}), "{}\n");
  EXPECT_EQ(h.Step({{{I(1), T("a")}, -1}, {{I(3), T("c")}, 2}}),
            "(1, 'a') x -1\n"
            "(3, 'c') x 1\n");
  EXPECT_EQ(h.State(), "(2, NULL) x 2\n(3, 'c') x 2\n");
  EXPECT_EQ(h.Step({}), "{}\n");
  EXPECT_EQ(h.output, h.Evaluated());
}

TEST(DistinctTest, NegativeIntegralsAreAbsentUntilPositive) {
  Harness h(1);
  EXPECT_EQ(h.Step({{{I(1)}, -2}}), "{}\n");
  EXPECT_EQ(h.Step({{{I(1)}, 2}}), "{}\n");
  EXPECT_EQ(h.Step({{{I(1)}, 1}}), "(1) x 1\n");
  EXPECT_EQ(h.Step({{{I(1)}, -5}}), "(1) x -1\n");
  EXPECT_EQ(h.State(), "(1) x -4\n");
  EXPECT_EQ(h.output, h.Evaluated());
}

// After every random step the integral of the outputs equals Evaluate() of the integral of the
// inputs; once with non-negative integrals (as in SQL) and once with arbitrary weights.
void RunProperty(uint64_t seed, bool keep_non_negative) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> key(0, 6), weight(-3, 3), changes(0, 5);
  Harness h(2);
  for (int step = 0; step < 3000; ++step) {
    ZSet delta;
    for (int c = changes(rng); c > 0; --c) {
      int k = key(rng);
      Row row = {k == 6 ? N : I(k % 3), T(k < 3 ? "x" : "y")};
      int64_t w = weight(rng);
      if (keep_non_negative) w = std::max<int64_t>(w, -(h.input.Weight(row) + delta.Weight(row)));
      delta.Add(std::move(row), w);
    }
    h.Step(delta);
    ASSERT_EQ(h.output, h.Evaluated()) << "after step " << step << "\n"
                                       << h.output.ToString() << "vs\n"
                                       << h.Evaluated().ToString();
  }
  EXPECT_EQ(h.State(), h.input.ToString());
}

TEST(DistinctPropertyTest, NonNegativeIntegralsMatchEvaluate) {
  for (uint64_t seed = 1; seed <= 3; ++seed) RunProperty(seed, true);
}

TEST(DistinctPropertyTest, ArbitraryWeightsMatchEvaluate) {
  for (uint64_t seed = 11; seed <= 13; ++seed) RunProperty(seed, false);
}

}  // namespace
}  // namespace zload
