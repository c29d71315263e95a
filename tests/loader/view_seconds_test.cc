// ViewSeconds: a vertex's step time goes in equal shares to the views it feeds, a view's own
// writes to it alone, and the rest of a span to all views equally; its hooks wrap another set's
// and time every stepped vertex.
#include "loader/view_seconds.h"

#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

namespace zload {
namespace {

// Emits its one input unchanged.
class PassOp : public Operator {
 public:
  std::string Kind() const override { return "pass"; }
  void Bind(StateStore&, const std::string&) override {}
  ZSet Step(std::span<const ZSet* const> deltas) override { return *deltas[0]; }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override { return *inputs[0]; }
};

const Schema kOne({{"x", Type::kInteger}});

// s -> shared -> a (view 0); shared -> b (view 1); s -> unused (no view).
struct TwoViews {
  Graph graph;
  VertexId s, shared, a, b, unused;
  TwoViews() {
    s = graph.AddSource("s", kOne);
    shared = graph.AddVertex("shared", std::make_unique<PassOp>(), {s}, kOne);
    a = graph.AddVertex("a", std::make_unique<PassOp>(), {shared}, kOne);
    b = graph.AddVertex("b", std::make_unique<PassOp>(), {shared}, kOne);
    unused = graph.AddVertex("unused", std::make_unique<PassOp>(), {s}, kOne);
  }
};

TEST(ViewSecondsTest, EachVertexFeedsTheViewsDownstreamOfIt) {
  TwoViews g;
  ViewSeconds seconds(g.graph, {g.a, g.b});
  using Views = std::vector<size_t>;
  EXPECT_EQ(seconds.feeds()[g.s], (Views{0, 1}));
  EXPECT_EQ(seconds.feeds()[g.shared], (Views{0, 1}));
  EXPECT_EQ(seconds.feeds()[g.a], (Views{0}));
  EXPECT_EQ(seconds.feeds()[g.b], (Views{1}));
  EXPECT_EQ(seconds.feeds()[g.unused], (Views{}));
}

TEST(ViewSecondsTest, SharedStepsAreSplitAndTheRestIsSharedEqually) {
  TwoViews g;
  ViewSeconds seconds(g.graph, {g.a, g.b});
  seconds.AddStep(g.shared, 2.0);  // 1 each
  seconds.AddStep(g.a, 1.0);       // view 0
  seconds.AddStep(g.unused, 0.5);  // no view: part of the rest
  seconds.AddToView(1, 0.25);      // view 1's table
  // 3.25 s assigned of 10: the other 6.75 s go half to each.
  const std::vector<double> shares = seconds.Split(10.0);
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_DOUBLE_EQ(shares[0], 2.0 + 3.375);
  EXPECT_DOUBLE_EQ(shares[1], 1.25 + 3.375);
  // Everything was handed out: the next span starts from nothing.
  EXPECT_EQ(seconds.Split(0.0), (std::vector<double>{0.0, 0.0}));
  // A span shorter than what was timed in it leaves no negative rest.
  seconds.AddStep(g.b, 4.0);
  EXPECT_EQ(seconds.Split(3.0), (std::vector<double>{0.0, 4.0}));
}

TEST(ViewSecondsTest, WrappedHooksCallTheInnerOnesAndTimeEverySteppedVertex) {
  TwoViews g;
  ViewSeconds seconds(g.graph, {g.a, g.b});
  std::vector<std::string> calls;
  IterationHooks inner;
  inner.replay = [&](VertexId v) -> std::optional<ZSet> {
    if (v != g.b) return std::nullopt;
    calls.push_back("replay b");
    return ZSet{{{Value::Integer(7)}, 1}};
  };
  inner.before = [&](VertexId v) { calls.push_back("before " + g.graph.vertex(v).name); };
  inner.after = [&](VertexId v, const ZSet& out) {
    calls.push_back("after " + g.graph.vertex(v).name + " " + std::to_string(out.size()));
  };
  SourceInputs inputs;
  inputs.emplace(g.s, ZSet{{{Value::Integer(1)}, 1}, {{Value::Integer(2)}, 1}});
  std::vector<ZSet> out = RunIteration(g.graph, std::move(inputs), seconds.Wrap(inner));
  EXPECT_EQ(calls,
            (std::vector<std::string>{"before shared", "after shared 2", "before a", "after a 2",
                                      "replay b", "before unused", "after unused 2"}));
  EXPECT_EQ(out[g.a].size(), 2u);
  EXPECT_EQ(out[g.b].ToString(), ZSet({{{Value::Integer(7)}, 1}}).ToString());
  // The shares of a span at least as long as the steps sum to the span; none is negative.
  const std::vector<double> shares = seconds.Split(1000.0);
  ASSERT_EQ(shares.size(), 2u);
  EXPECT_NEAR(std::accumulate(shares.begin(), shares.end(), 0.0), 1000.0, 1e-6);
  EXPECT_GE(shares[0], 0.0);
  EXPECT_GE(shares[1], 0.0);
}

}  // namespace
}  // namespace zload
