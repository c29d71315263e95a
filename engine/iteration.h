#pragma once

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

// The non-incremental twin of the whole graph: the full contents of every vertex computed from
// the full contents of the sources with each operator's Evaluate(). Reads and writes no state.
std::vector<ZSet> EvaluateFromScratch(const Graph& graph, const SourceInputs& contents);

}  // namespace zload
