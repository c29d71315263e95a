#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "engine/error.h"
#include "engine/memory_store.h"
#include "engine/ops/delay.h"
#include "engine/ops/differentiate.h"
#include "engine/ops/integrate.h"

namespace zload {
namespace {

Value I(int64_t v) { return Value::Integer(v); }
const Value N;  // NULL

ZSet StepOnce(Operator& op, const ZSet& input) {
  const ZSet* deltas[] = {&input};
  return op.Step(deltas);
}

// A random stream of Z-sets over rows (k, v) of a small domain, with weights of both signs.
std::vector<ZSet> RandomStream(std::mt19937_64& rng, int length) {
  std::uniform_int_distribution<int> key(0, 5), weight(-3, 3), size(0, 6);
  std::vector<ZSet> stream(length);
  for (ZSet& z : stream) {
    for (int i = size(rng); i > 0; --i) {
      int k = key(rng);
      z.Add({k == 5 ? N : I(k), I(k % 2)}, weight(rng));
    }
  }
  return stream;
}

TEST(StreamOpsTest, BindNamesTheStateTables) {
  MemoryStore store;
  IntegrateOp integrate(2);
  DifferentiateOp differentiate(2);
  DelayOp delay(2);
  integrate.Bind(store, "i");
  differentiate.Bind(store, "d");
  delay.Bind(store, "z");
  EXPECT_EQ(store.TableNames(),
            (std::vector<std::string>{"d__previous", "i__integral", "z__delayed"}));
  EXPECT_EQ(integrate.Kind(), "integrate");
  EXPECT_EQ(differentiate.Kind(), "differentiate");
  EXPECT_EQ(delay.Kind(), "delay");
}

TEST(StreamOpsTest, RejectMisuse) {
  std::vector<std::unique_ptr<Operator>> ops;
  ops.push_back(std::make_unique<IntegrateOp>(1));
  ops.push_back(std::make_unique<DifferentiateOp>(1));
  ops.push_back(std::make_unique<DelayOp>(1));
  MemoryStore store;
  ZSet z;
  ZSet wide{{{I(1), I(2)}, 1}};
  for (size_t i = 0; i < ops.size(); ++i) {
    SCOPED_TRACE(ops[i]->Kind());
    EXPECT_THROW(StepOnce(*ops[i], z), Error);
    ops[i]->Bind(store, "s" + std::to_string(i));
    const ZSet* two[] = {&z, &z};
    EXPECT_THROW(ops[i]->Step(two), Error);
    EXPECT_THROW(StepOnce(*ops[i], wide), Error);
    EXPECT_EQ(StepOnce(*ops[i], z), ZSet{});
  }
}

TEST(StreamOpsTest, HandCases) {
  MemoryStore store;
  IntegrateOp integrate(1);
  DifferentiateOp differentiate(1);
  DelayOp delay(1);
  integrate.Bind(store, "i");
  differentiate.Bind(store, "d");
  delay.Bind(store, "z");
  const ZSet s0{{{I(1)}, 2}}, s1{{{I(1)}, -2}, {{I(2)}, 1}}, s2{{{I(2)}, 1}};
  EXPECT_EQ(StepOnce(integrate, s0).ToString(), "(1) x 2\n");
  EXPECT_EQ(StepOnce(integrate, s1).ToString(), "(2) x 1\n");
  EXPECT_EQ(StepOnce(integrate, s2).ToString(), "(2) x 2\n");
  EXPECT_EQ(StepOnce(differentiate, s0).ToString(), "(1) x 2\n");
  EXPECT_EQ(StepOnce(differentiate, s1).ToString(), "(1) x -4\n(2) x 1\n");
  EXPECT_EQ(StepOnce(differentiate, s2).ToString(), "(1) x 2\n");
  EXPECT_EQ(StepOnce(delay, s0).ToString(), "{}\n");
  EXPECT_EQ(StepOnce(delay, s1).ToString(), "(1) x 2\n");
  EXPECT_EQ(StepOnce(delay, s2).ToString(), "(1) x -2\n(2) x 1\n");
  // Evaluate() is the identity for all three.
  const ZSet* inputs[] = {&s1};
  EXPECT_EQ(integrate.Evaluate(inputs), s1);
  EXPECT_EQ(differentiate.Evaluate(inputs), s1);
  EXPECT_EQ(delay.Evaluate(inputs), s1);
}

// Each operator over random streams against its definition, stepping one fresh operator of each
// kind and computing the expected output from the whole stream.
TEST(StreamOpsPropertyTest, MatchDefinitions) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const std::vector<ZSet> s = RandomStream(rng, 200);
    MemoryStore store;
    IntegrateOp integrate(2);
    DifferentiateOp differentiate(2);
    DelayOp delay(2);
    integrate.Bind(store, "i");
    differentiate.Bind(store, "d");
    delay.Bind(store, "z");
    for (size_t t = 0; t < s.size(); ++t) {
      ZSet sum;  // s[0] + ... + s[t], from scratch
      for (size_t i = 0; i <= t; ++i) sum.AddAll(s[i]);
      ZSet difference = s[t];  // s[t] - s[t-1]
      if (t > 0) difference.AddAll(s[t - 1], -1);
      const ZSet previous = t > 0 ? s[t - 1] : ZSet{};
      ASSERT_EQ(StepOnce(integrate, s[t]), sum) << "integrate at " << t;
      ASSERT_EQ(StepOnce(differentiate, s[t]), difference) << "differentiate at " << t;
      ASSERT_EQ(StepOnce(delay, s[t]), previous) << "delay at " << t;
    }
  }
}

// D(I(s)) == s and I(D(s)) == s, each composition over its own store.
TEST(StreamOpsPropertyTest, DifferentiateAndIntegrateAreInverses) {
  for (uint64_t seed = 100; seed < 120; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    const std::vector<ZSet> s = RandomStream(rng, 200);
    MemoryStore store;
    IntegrateOp integrate_first(2), integrate_second(2);
    DifferentiateOp differentiate_second(2), differentiate_first(2);
    integrate_first.Bind(store, "i1");
    differentiate_second.Bind(store, "d2");
    differentiate_first.Bind(store, "d1");
    integrate_second.Bind(store, "i2");
    for (size_t t = 0; t < s.size(); ++t) {
      ASSERT_EQ(StepOnce(differentiate_second, StepOnce(integrate_first, s[t])), s[t]) << t;
      ASSERT_EQ(StepOnce(integrate_second, StepOnce(differentiate_first, s[t])), s[t]) << t;
    }
  }
}

}  // namespace
}  // namespace zload
