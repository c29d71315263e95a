// Delta throughput of the incremental operators on the in-memory store, and the cost of a 1%
// delta against a full recompute. Prints Google Benchmark's table (or JSON with
// --benchmark_format=json); "rows/s" counts delta rows consumed.
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>

#include "engine/expr.h"
#include "engine/iteration.h"
#include "engine/memory_store.h"
#include "engine/ops/distinct.h"
#include "engine/ops/filter.h"
#include "engine/ops/group_reduce.h"
#include "engine/ops/join.h"
#include "engine/ops/map.h"
#include "engine/sql/compiler.h"

namespace zload {
namespace {

constexpr int64_t kTableRows = 1'000'000;
constexpr int64_t kDeltaRows = 10'000;

// (key, group, amount, label) rows with `key` in [0, key_domain).
ZSet MakeRows(int64_t n, int64_t key_domain, int64_t groups, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ZSet z;
  z.Reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    z.Add(Row{Value::Integer(static_cast<int64_t>(rng() % key_domain)),
              Value::Integer(static_cast<int64_t>(rng() % groups)),
              Value::Real(static_cast<double>(rng() % 100000) / 100.0),
              Value::Integer(i)},
          1);
  }
  return z;
}

ZSet Step(Operator& op, const ZSet& a) {
  const ZSet* args[] = {&a};
  return op.Step(args);
}

// Steps `op` with +delta then -delta, so state stays at its loaded size.
void RunDeltaPairs(benchmark::State& state, Operator& op, const ZSet& delta) {
  ZSet negated = delta.Negated();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Step(op, delta));
    benchmark::DoNotOptimize(Step(op, negated));
  }
  state.SetItemsProcessed(state.iterations() * 2 * static_cast<int64_t>(delta.size()));
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * 2 * delta.size()), benchmark::Counter::kIsRate);
}

void BM_FilterProject(benchmark::State& state) {
  ZSet delta = MakeRows(kDeltaRows, kTableRows, 1000, 1);
  FilterOp filter(MakeBinary(BinaryOp::kGt, MakeColumn(2, Type::kReal, "amount"),
                             MakeLiteral(Value::Real(500.0))));
  MapOp map({MakeColumn(0, Type::kInteger, "key"),
             MakeBinary(BinaryOp::kMul, MakeColumn(2, Type::kReal, "amount"),
                        MakeLiteral(Value::Integer(2)))});
  for (auto _ : state) {
    ZSet kept = Step(filter, delta);
    benchmark::DoNotOptimize(Step(map, kept));
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * delta.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FilterProject)->Unit(benchmark::kMillisecond);

void BM_JoinDelta(benchmark::State& state) {
  MemoryStore store;
  JoinOp join(4, {0}, 4, {0});
  join.Bind(store, "bench_join");
  ZSet table = MakeRows(kTableRows, kTableRows, 1000, 2);
  ZSet empty;
  const ZSet* load[] = {&empty, &table};
  join.Step(load);
  ZSet delta = MakeRows(kDeltaRows, kTableRows, 1000, 3);
  ZSet negated = delta.Negated();
  for (auto _ : state) {
    const ZSet* plus[] = {&delta, &empty};
    benchmark::DoNotOptimize(join.Step(plus));
    const ZSet* minus[] = {&negated, &empty};
    benchmark::DoNotOptimize(join.Step(minus));
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * 2 * delta.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_JoinDelta)->Unit(benchmark::kMillisecond);

void BM_GroupBySumDelta(benchmark::State& state) {
  MemoryStore store;
  GroupReduceOp group(4, {1}, {{AggregateKind::kSum, 2}});
  group.Bind(store, "bench_group");
  Step(group, MakeRows(kTableRows, kTableRows, state.range(0), 4));
  RunDeltaPairs(state, group, MakeRows(kDeltaRows, kTableRows, state.range(0), 5));
}
BENCHMARK(BM_GroupBySumDelta)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_DistinctDelta(benchmark::State& state) {
  MemoryStore store;
  DistinctOp distinct(2);
  distinct.Bind(store, "bench_distinct");
  MapOp project({MakeColumn(0, Type::kInteger, "key"), MakeColumn(1, Type::kInteger, "g")});
  Step(distinct, Step(project, MakeRows(kTableRows, kTableRows, 1000, 6)));
  RunDeltaPairs(state, distinct, Step(project, MakeRows(kDeltaRows, kTableRows, 1000, 7)));
}
BENCHMARK(BM_DistinctDelta)->Unit(benchmark::kMillisecond);

// One 1% delta through a join + GROUP BY view, against recomputing that view from scratch over
// the whole input. Reports both times and their ratio.
void BM_DeltaVersusRecompute(benchmark::State& state) {
  Graph graph;
  Schema items({{"basket_id", Type::kInteger}, {"product", Type::kInteger},
                {"qty", Type::kInteger}});
  Schema products({{"id", Type::kInteger}, {"price", Type::kReal}});
  VertexId items_v = graph.AddSource("items", items);
  VertexId products_v = graph.AddSource("products", products);
  RelationCatalog catalog;
  catalog.Add({"items", items_v, items});
  catalog.Add({"products", products_v, products});
  CompiledView view = CompileView(graph, catalog, "totals",
                                  "SELECT i.basket_id, SUM(p.price * i.qty) AS total "
                                  "FROM items i JOIN products p ON p.id = i.product "
                                  "GROUP BY i.basket_id");
  MemoryStore store;
  graph.Bind(store);
  std::mt19937_64 rng(8);
  auto make_items = [&](int64_t n) {
    ZSet z;
    for (int64_t i = 0; i < n; ++i) {
      z.Add(Row{Value::Integer(static_cast<int64_t>(rng() % 100'000)),
                Value::Integer(static_cast<int64_t>(rng() % 10'000)),
                Value::Integer(static_cast<int64_t>(rng() % 10 + 1))},
            1);
    }
    return z;
  };
  ZSet product_rows;
  for (int64_t p = 0; p < 10'000; ++p) {
    product_rows.Add(Row{Value::Integer(p), Value::Real(static_cast<double>(p % 977) / 10.0)}, 1);
  }
  SourceInputs all{{items_v, make_items(kTableRows)}, {products_v, product_rows}};
  RunIteration(graph, all);
  ZSet delta = make_items(kTableRows / 100);
  all[items_v].AddAll(delta);
  double delta_s = 0, recompute_s = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(RunIteration(graph, {{items_v, delta}}));
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(EvaluateFromScratch(graph, all)[view.output]);
    auto t2 = std::chrono::steady_clock::now();
    delta_s += std::chrono::duration<double>(t1 - t0).count();
    recompute_s += std::chrono::duration<double>(t2 - t1).count();
    // Take the delta back so every iteration sees the same state.
    RunIteration(graph, {{items_v, delta.Negated()}});
  }
  double n = static_cast<double>(state.iterations());
  state.counters["delta_ms"] = delta_s / n * 1e3;
  state.counters["recompute_ms"] = recompute_s / n * 1e3;
  state.counters["ratio"] = recompute_s / delta_s;
}
BENCHMARK(BM_DeltaVersusRecompute)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace zload

BENCHMARK_MAIN();
