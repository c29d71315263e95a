// RunIteration with IterationHooks, over views compiled by the SQL compiler and bound to a
// MemoryStore: before(v) and after(v) bracket exactly the Step of each operator vertex, in id
// order (sources get none); before(v) sees every state table as the previous vertices left it and
// v's own tables without this step's delta, after(v) sees v's delta applied and later vertices'
// tables untouched; after(v) is given v's output; replay(v) returning an output stands in for
// v's step (no hooks, no state change, its output feeds later vertices); outputs equal a run
// without hooks; an exception from a hook ends the iteration with no later vertex stepped; a run
// that keeps only the views' outputs returns those as a full run does, every other output read
// by a vertex empty, and leaves the same state.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/graph.h"
#include "engine/iteration.h"
#include "engine/memory_store.h"
#include "engine/sql/compiler.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

using Log = std::vector<std::string>;

// Delegates to an operator and writes "step <id>" to a log before each Step.
class LoggedOp : public Operator {
 public:
  LoggedOp(std::unique_ptr<Operator> inner, VertexId id, Log* log)
      : inner_(std::move(inner)), id_(id), log_(log) {}
  std::string Kind() const override { return inner_->Kind(); }
  void Bind(StateStore& store, const std::string& prefix) override { inner_->Bind(store, prefix); }
  ZSet Step(std::span<const ZSet* const> deltas) override {
    log_->push_back("step " + std::to_string(id_));
    return inner_->Step(deltas);
  }
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override {
    return inner_->Evaluate(inputs);
  }

 private:
  std::unique_ptr<Operator> inner_;
  VertexId id_;
  Log* log_;
};

// A MemoryStore that remembers every table it opened, to read them from outside the graph.
class RecordingStore : public StateStore {
 public:
  StateTable& Open(const StateTableSpec& spec) override {
    StateTable& t = inner_.Open(spec);
    tables_[spec.name] = &t;
    return t;
  }
  const std::map<std::string, StateTable*>& tables() const { return tables_; }

 private:
  MemoryStore inner_;
  std::map<std::string, StateTable*> tables_;
};

using Snapshot = std::map<std::string, ZSet>;  // table name -> its rows and weights

Snapshot Take(const RecordingStore& store) {
  Snapshot s;
  for (const auto& [name, table] : store.tables()) {
    ZSet rows;
    table->Scan([&](const Row& row, int64_t w) { rows.Add(row, w); });
    s[name] = std::move(rows);
  }
  return s;
}

const Schema kT({{"k", Type::kInteger, true}, {"v", Type::kInteger, true}});
const Schema kU({{"k", Type::kInteger, true}, {"w", Type::kText, true}});

// Two sources t(k, v) and u(k, w) and views with joins, aggregates and DISTINCT, each vertex's
// operator wrapped in a LoggedOp, bound to a RecordingStore.
struct Fixture {
  Graph graph;
  RecordingStore store;
  Log log;
  VertexId t = 0, u = 0;
  std::vector<CompiledView> views;

  Fixture() {
    t = graph.AddSource("t", kT);
    u = graph.AddSource("u", kU);
    RelationCatalog catalog;
    catalog.Add({"t", t, kT});
    catalog.Add({"u", u, kU});
    for (auto [name, sql] : {
             std::pair{"sums", "SELECT k, SUM(v) AS s, COUNT(*) AS n FROM t GROUP BY k"},
             std::pair{"joined", "SELECT t.k, t.v, u.w FROM t JOIN u ON t.k = u.k"},
             std::pair{"keys", "SELECT DISTINCT k FROM t"},
             std::pair{"padded", "SELECT u.w, t.v FROM u LEFT JOIN t ON t.k = u.k"},
             std::pair{"tops", "SELECT w, MAX(v) AS top FROM joined GROUP BY w"},
         }) {
      views.push_back(CompileView(graph, catalog, name, sql));
      catalog.Add({name, views.back().output, views.back().schema});
    }
    for (VertexId id = 0; id < graph.size(); ++id) {
      Vertex& v = graph.vertex(id);
      if (v.op) v.op = std::make_unique<LoggedOp>(std::move(v.op), id, &log);
    }
    graph.Bind(store);
  }

  // The vertex whose state table `table` is: the longest vertex name it extends with "__".
  VertexId OwnerOf(const std::string& table) const {
    std::optional<VertexId> owner;
    for (VertexId id = 0; id < graph.size(); ++id) {
      const std::string& name = graph.vertex(id).name;
      if (table.size() > name.size() + 2 && table.compare(0, name.size(), name) == 0 &&
          table.compare(name.size(), 2, "__") == 0 &&
          (!owner || graph.vertex(*owner).name.size() < name.size())) {
        owner = id;
      }
    }
    EXPECT_TRUE(owner) << "state table of no vertex: " << table;
    return owner.value_or(0);
  }
};

// Random deltas for t and u from `rng`: mostly inserts, and deletes of rows inserted before.
struct Inputs {
  std::mt19937_64 rng;
  ZSet t_all, u_all;  // what has been inserted so far

  explicit Inputs(uint64_t seed) : rng(seed) {}

  ZSet Next(ZSet& all, bool text) {
    ZSet delta;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      if (!all.empty() && rng() % 4 == 0) {
        auto it = all.begin() + static_cast<long>(rng() % all.size());
        if (delta.Weight(it->first) == 0) delta.Add(it->first, -1);
        continue;
      }
      Value k = rng() % 7 == 0 ? Value() : Value::Integer(static_cast<int64_t>(rng() % 4));
      Value x = text ? Value::Text(std::string(1, static_cast<char>('a' + rng() % 3)))
                     : Value::Integer(static_cast<int64_t>(rng() % 10));
      delta.Add(Row{k, x}, 1);
    }
    all.AddAll(delta);
    return delta;
  }

  SourceInputs Batch(VertexId t, VertexId u) {
    SourceInputs in;
    in[t] = Next(t_all, false);
    if (rng() % 3 != 0) in[u] = Next(u_all, true);
    return in;
  }
};

constexpr uint64_t kSeed = 20240611;
constexpr int kBatches = 30;

// The log one iteration writes: before, step and after of each operator vertex in id order.
Log ExpectedLog(const Graph& graph) {
  Log log;
  for (VertexId id = 0; id < graph.size(); ++id) {
    if (!graph.vertex(id).op) continue;
    for (const char* event : {"before ", "step ", "after "})
      log.push_back(event + std::to_string(id));
  }
  return log;
}

TEST(IterationHooksTest, HooksBracketEachOperatorStepOnceInIdOrder) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture f;
  ASSERT_GT(f.store.tables().size(), 3u) << f.graph.ToString();
  const Log expected = ExpectedLog(f.graph);
  Inputs inputs(kSeed);
  IterationHooks hooks;
  hooks.before = [&](VertexId v) { f.log.push_back("before " + std::to_string(v)); };
  hooks.after = [&](VertexId v, const ZSet&) { f.log.push_back("after " + std::to_string(v)); };
  for (int b = 0; b < kBatches; ++b) {
    f.log.clear();
    RunIteration(f.graph, inputs.Batch(f.t, f.u), hooks);
    ASSERT_EQ(f.log, expected) << "batch " << b << "\n" << f.graph.ToString();
  }
  // An iteration with no input at all still visits every operator vertex.
  f.log.clear();
  RunIteration(f.graph, {}, hooks);
  EXPECT_EQ(f.log, expected);
}

TEST(IterationHooksTest, BeforeSeesTheStateWithoutTheStepAndAfterSeesItApplied) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture f;
  Inputs inputs(kSeed);
  std::map<VertexId, Snapshot> at_before, at_after;
  IterationHooks hooks;
  hooks.before = [&](VertexId v) { at_before[v] = Take(f.store); };
  hooks.after = [&](VertexId v, const ZSet&) { at_after[v] = Take(f.store); };
  Snapshot previous = Take(f.store);
  int changed_tables = 0;
  for (int b = 0; b < kBatches; ++b) {
    SCOPED_TRACE(::testing::Message() << "batch " << b);
    at_before.clear();
    at_after.clear();
    RunIteration(f.graph, inputs.Batch(f.t, f.u), hooks);
    const Snapshot now = Take(f.store);
    for (const auto& [table, rows] : now) {
      if (!(rows == previous.at(table))) ++changed_tables;
    }
    for (const auto& [v, seen] : at_before) {
      for (const auto& [table, rows] : seen) {
        const ZSet& want = f.OwnerOf(table) < v ? now.at(table) : previous.at(table);
        EXPECT_TRUE(ZSetsMatch(rows, want, {}, "seen", "expected"))
            << "before(" << v << ") reading " << table;
      }
    }
    for (const auto& [v, seen] : at_after) {
      for (const auto& [table, rows] : seen) {
        const ZSet& want = f.OwnerOf(table) <= v ? now.at(table) : previous.at(table);
        EXPECT_TRUE(ZSetsMatch(rows, want, {}, "seen", "expected"))
            << "after(" << v << ") reading " << table;
      }
    }
    previous = now;
  }
  // The check above means something only if steps did change state.
  EXPECT_GT(changed_tables, kBatches);
}

TEST(IterationHooksTest, OutputsEqualARunWithoutHooks) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture hooked, plain, empty_hooks;
  Inputs inputs(kSeed);
  IterationHooks hooks;
  int calls = 0;
  hooks.before = [&](VertexId) { ++calls; };
  hooks.after = [&](VertexId, const ZSet&) { ++calls; };
  for (int b = 0; b < kBatches; ++b) {
    SCOPED_TRACE(::testing::Message() << "batch " << b);
    SourceInputs batch = inputs.Batch(hooked.t, hooked.u);
    std::vector<ZSet> with = RunIteration(hooked.graph, batch, hooks);
    std::vector<ZSet> without = RunIteration(plain.graph, batch);
    std::vector<ZSet> none = RunIteration(empty_hooks.graph, batch, IterationHooks{});
    ASSERT_EQ(with.size(), hooked.graph.size());
    ASSERT_EQ(without.size(), with.size());
    ASSERT_EQ(none.size(), with.size());
    for (VertexId id = 0; id < with.size(); ++id) {
      EXPECT_TRUE(ZSetsMatch(with[id], without[id], {}, "hooks", "no hooks")) << "vertex " << id;
      EXPECT_TRUE(ZSetsMatch(none[id], without[id], {}, "empty hooks", "no hooks"))
          << "vertex " << id;
    }
    for (const CompiledView& v : hooked.views) {
      EXPECT_TRUE(ZSetsMatch(with[v.output], without[v.output], {}, "hooks", "no hooks"))
          << "view " << v.name;
    }
  }
  EXPECT_GT(calls, 0);
  EXPECT_EQ(Take(hooked.store), Take(plain.store));
  EXPECT_EQ(Take(empty_hooks.store), Take(plain.store));
}

TEST(IterationHooksTest, KeepingOnlyTheViewsOutputsReleasesTheOthers) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture kept, plain;
  std::vector<VertexId> outputs;
  for (const CompiledView& v : kept.views) outputs.push_back(v.output);
  std::vector<bool> read(kept.graph.size(), false);
  for (VertexId id = 0; id < kept.graph.size(); ++id) {
    for (VertexId in : kept.graph.vertex(id).inputs) read[in] = true;
  }
  for (VertexId out : outputs) read[out] = false;
  Inputs inputs(kSeed);
  int released = 0;
  for (int b = 0; b < kBatches; ++b) {
    SCOPED_TRACE(::testing::Message() << "batch " << b);
    SourceInputs batch = inputs.Batch(kept.t, kept.u);
    std::vector<ZSet> with = RunIteration(kept.graph, batch, IterationHooks{}, outputs);
    std::vector<ZSet> full = RunIteration(plain.graph, batch);
    ASSERT_EQ(with.size(), full.size());
    for (const CompiledView& v : kept.views) {
      EXPECT_TRUE(ZSetsMatch(with[v.output], full[v.output], {}, "kept", "full run"))
          << "view " << v.name;
    }
    for (VertexId id = 0; id < with.size(); ++id) {
      if (!read[id]) continue;
      EXPECT_TRUE(with[id].empty()) << "vertex " << id << " read by others and not kept";
      if (!full[id].empty()) ++released;
    }
  }
  // The emptiness above means something only if those outputs had rows in a full run.
  EXPECT_GT(released, kBatches);
  EXPECT_EQ(Take(kept.store), Take(plain.store));
}

// The first vertex with a state table that has stateful vertices after it.
VertexId FirstStatefulWithStatefulAfter(const Fixture& f) {
  std::optional<VertexId> first;
  VertexId last = 0;
  for (const auto& [table, ignored] : f.store.tables()) {
    VertexId owner = f.OwnerOf(table);
    if (!first || owner < *first) first = owner;
    last = std::max(last, owner);
  }
  EXPECT_TRUE(first && *first < last);
  return first.value_or(0);
}

struct HookFailure {
  VertexId at;
};

// Runs five batches on a fixture and on its twin without hooks, then one more batch on the first
// with a hook that throws at vertex `at` (before its step when `in_before`, after it otherwise),
// and checks what was stepped.
void CheckThrowingHook(bool in_before) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed << (in_before ? " before" : " after"));
  Fixture f, twin;
  Inputs inputs(kSeed);
  for (int b = 0; b < 5; ++b) {
    SourceInputs batch = inputs.Batch(f.t, f.u);
    RunIteration(f.graph, batch);
    RunIteration(twin.graph, batch);
  }
  // Throw at the first vertex with a state table that has stateful vertices after it.
  const VertexId at = FirstStatefulWithStatefulAfter(f);

  // A batch that changes every view's state: new keys in both sources.
  SourceInputs batch;
  batch[f.t] = ZSet{{{Value::Integer(100), Value::Integer(1)}, 1},
                    {{Value::Integer(101), Value::Integer(2)}, 1}};
  batch[f.u] = ZSet{{{Value::Integer(100), Value::Text("z")}, 1}};
  const Snapshot previous = Take(f.store);
  ASSERT_EQ(previous, Take(twin.store));
  RunIteration(twin.graph, batch);
  const Snapshot stepped = Take(twin.store);

  IterationHooks hooks;
  hooks.before = [&](VertexId v) {
    f.log.push_back("before " + std::to_string(v));
    if (in_before && v == at) throw HookFailure{v};
  };
  hooks.after = [&](VertexId v, const ZSet&) {
    f.log.push_back("after " + std::to_string(v));
    if (!in_before && v == at) throw HookFailure{v};
  };
  f.log.clear();
  try {
    RunIteration(f.graph, batch, hooks);
    ADD_FAILURE() << "the hook's exception did not pass through";
  } catch (const HookFailure& e) {
    EXPECT_EQ(e.at, at);
  }
  // The log stops at the throwing hook: nothing later was stepped.
  Log expected;
  for (const std::string& event : ExpectedLog(f.graph)) {
    expected.push_back(event);
    if (event == (in_before ? "before " : "after ") + std::to_string(at)) break;
  }
  EXPECT_EQ(f.log, expected);
  // Vertices up to the throw (including it when the after hook threw) hold the stepped state;
  // the rest hold the state from before the batch.
  const Snapshot now = Take(f.store);
  int untouched_changed_twin = 0;
  for (const auto& [table, rows] : now) {
    VertexId owner = f.OwnerOf(table);
    bool ran = in_before ? owner < at : owner <= at;
    EXPECT_TRUE(ZSetsMatch(rows, ran ? stepped.at(table) : previous.at(table), {}, "state",
                           ran ? "stepped" : "before the batch"))
        << table << " of vertex " << owner;
    if (!ran && !(stepped.at(table) == previous.at(table))) ++untouched_changed_twin;
  }
  // Some later vertex would have changed its state had it been stepped.
  EXPECT_GT(untouched_changed_twin, 0);
}

TEST(IterationHooksTest, ExceptionFromBeforeEndsTheIterationBeforeTheStep) {
  CheckThrowingHook(true);
}

TEST(IterationHooksTest, ExceptionFromAfterEndsTheIterationAfterTheStep) {
  CheckThrowingHook(false);
}

TEST(IterationHooksTest, AfterIsGivenTheVertexOutput) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture f;
  Inputs inputs(kSeed);
  std::map<VertexId, ZSet> given;
  IterationHooks hooks;
  hooks.after = [&](VertexId v, const ZSet& out) {
    EXPECT_EQ(given.count(v), 0u) << "after(" << v << ") twice";
    given[v] = out;
  };
  int non_empty = 0;
  for (int b = 0; b < kBatches; ++b) {
    SCOPED_TRACE(::testing::Message() << "batch " << b);
    given.clear();
    std::vector<ZSet> out = RunIteration(f.graph, inputs.Batch(f.t, f.u), hooks);
    for (VertexId id = 0; id < f.graph.size(); ++id) {
      if (!f.graph.vertex(id).op) {
        EXPECT_EQ(given.count(id), 0u) << "source " << id;
        continue;
      }
      ASSERT_EQ(given.count(id), 1u) << "vertex " << id;
      EXPECT_TRUE(ZSetsMatch(given[id], out[id], {}, "given to after", "returned"))
          << "vertex " << id;
      non_empty += out[id].empty() ? 0 : 1;
    }
  }
  EXPECT_GT(non_empty, kBatches);
}

TEST(IterationHooksTest, ReplayStandsInForTheStep) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture f, twin;
  const VertexId at = FirstStatefulWithStatefulAfter(f);
  Inputs inputs(kSeed);
  for (int b = 0; b < 5; ++b) {
    SourceInputs batch = inputs.Batch(f.t, f.u);
    RunIteration(f.graph, batch);
    RunIteration(twin.graph, batch);
  }
  SourceInputs batch;
  batch[f.t] = ZSet{{{Value::Integer(100), Value::Integer(1)}, 1},
                    {{Value::Integer(101), Value::Integer(2)}, 1}};
  batch[f.u] = ZSet{{{Value::Integer(100), Value::Text("z")}, 1}};
  const Snapshot previous = Take(f.store);
  const std::vector<ZSet> stepped = RunIteration(twin.graph, batch);
  const Snapshot after_step = Take(twin.store);
  ASSERT_FALSE(stepped[at].empty());

  // Vertex `at` replays the output the twin's step gave; every other vertex steps.
  IterationHooks hooks;
  std::vector<VertexId> asked;
  hooks.replay = [&](VertexId v) -> std::optional<ZSet> {
    asked.push_back(v);
    if (v == at) return stepped[at];
    return std::nullopt;
  };
  hooks.before = [&](VertexId v) { f.log.push_back("before " + std::to_string(v)); };
  hooks.after = [&](VertexId v, const ZSet&) { f.log.push_back("after " + std::to_string(v)); };
  f.log.clear();
  std::vector<ZSet> out = RunIteration(f.graph, batch, hooks);

  // Asked once for every operator vertex, in id order; `at` has no before, step or after.
  std::vector<VertexId> operators;
  Log expected;
  for (VertexId id = 0; id < f.graph.size(); ++id) {
    if (!f.graph.vertex(id).op) continue;
    operators.push_back(id);
    if (id == at) continue;
    for (const char* event : {"before ", "step ", "after "}) {
      expected.push_back(event + std::to_string(id));
    }
  }
  EXPECT_EQ(asked, operators);
  EXPECT_EQ(f.log, expected);
  // The replayed output is `at`'s output and feeds the vertices after it: every output is the
  // twin's.
  ASSERT_EQ(out.size(), stepped.size());
  for (VertexId id = 0; id < out.size(); ++id) {
    EXPECT_TRUE(ZSetsMatch(out[id], stepped[id], {}, "replayed run", "stepped run"))
        << "vertex " << id;
  }
  // `at` kept its state (its step did not run); every other vertex applied its step.
  for (const auto& [table, rows] : Take(f.store)) {
    const bool replayed = f.OwnerOf(table) == at;
    EXPECT_TRUE(ZSetsMatch(rows, replayed ? previous.at(table) : after_step.at(table), {}, "state",
                           replayed ? "before the batch" : "stepped"))
        << table;
  }
}

TEST(IterationHooksTest, ReplayOfNothingStepsEveryVertex) {
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  Fixture f, twin;
  Inputs inputs(kSeed);
  IterationHooks hooks;
  int asked = 0;
  hooks.replay = [&](VertexId) -> std::optional<ZSet> {
    ++asked;
    return std::nullopt;
  };
  for (int b = 0; b < kBatches; ++b) {
    SourceInputs batch = inputs.Batch(f.t, f.u);
    std::vector<ZSet> with = RunIteration(f.graph, batch, hooks);
    std::vector<ZSet> without = RunIteration(twin.graph, batch);
    ASSERT_EQ(with.size(), without.size());
    for (VertexId id = 0; id < with.size(); ++id) {
      EXPECT_TRUE(ZSetsMatch(with[id], without[id])) << "batch " << b << " vertex " << id;
    }
  }
  EXPECT_GT(asked, 0);
  EXPECT_EQ(Take(f.store), Take(twin.store));
}

TEST(IterationHooksTest, InputToANonSourceIsRefusedBeforeAnyHook) {
  Fixture f;
  IterationHooks hooks;
  hooks.before = [&](VertexId v) { f.log.push_back("before " + std::to_string(v)); };
  SourceInputs bad;
  bad[f.views[0].output] = ZSet{};
  try {
    RunIteration(f.graph, bad, hooks);
    ADD_FAILURE() << "input to a view vertex was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSchema);
  }
  EXPECT_TRUE(f.log.empty());
}

}  // namespace
}  // namespace zload::test
