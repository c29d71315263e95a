#pragma once

#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "engine/graph.h"
#include "engine/zset.h"

namespace zload {

// Z-sets given to a graph's sources, by source vertex id; a missing source gets an empty Z-set.
using SourceInputs = std::unordered_map<VertexId, ZSet>;

// Runs one incremental step of a bound graph: takes one input delta per source and returns the
// output delta of every vertex (indexed by VertexId), visiting vertices in topological order and
// updating their state. Takes the deltas by value: pass them with std::move to avoid a copy.
// Throws Error(kSchema) when a key of `deltas` is not a source.
std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas);

// Calls around each operator vertex's step in RunIteration, e.g. to wait for and commit the
// vertex's state tables one vertex at a time. Either may be empty.
struct IterationHooks {
  // Instead of stepping the vertex: its output, when a run of the same step already committed
  // it; nullopt to step it (then before and after are called).
  std::function<std::optional<ZSet>(VertexId)> replay;
  std::function<void(VertexId)> before;  // before the vertex reads or writes its state
  // Once its step (and every state write) is done, with the vertex's output.
  std::function<void(VertexId, const ZSet&)> after;
};

// RunIteration, calling `hooks` around every operator vertex's step in topological order.
// An exception from a hook or a step ends the iteration and passes through.
std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas, const IterationHooks& hooks);

// RunIteration with `hooks` whose result holds only the outputs of the vertices in `keep` (the
// others are empty): a vertex's output is released once the last vertex reading it has stepped,
// so a step holds no more deltas than are still to be read.
std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas, const IterationHooks& hooks,
                               std::span<const VertexId> keep);

// The non-incremental twin of the whole graph: the full contents of every vertex computed from
// the full contents of the sources with each operator's Evaluate(). Reads and writes no state.
std::vector<ZSet> EvaluateFromScratch(const Graph& graph, const SourceInputs& contents);

}  // namespace zload
