#include "engine/iteration.h"

#include <optional>

#include "engine/error.h"

namespace zload {
namespace {

// For each vertex id, the vertices whose outputs are read for the last time by its step: every
// vertex read by another, except those in `keep`.
std::vector<std::vector<VertexId>> ReleasedAfter(const Graph& graph,
                                                 std::span<const VertexId> keep) {
  std::vector<std::optional<VertexId>> last_reader(graph.size());
  for (VertexId id = 0; id < graph.size(); ++id) {
    for (VertexId in : graph.vertex(id).inputs) last_reader[in] = id;
  }
  for (VertexId k : keep) {
    if (k < graph.size()) last_reader[k].reset();
  }
  std::vector<std::vector<VertexId>> released(graph.size());
  for (VertexId id = 0; id < graph.size(); ++id) {
    if (last_reader[id]) released[*last_reader[id]].push_back(id);
  }
  return released;
}

// Runs `apply(id, op, inputs)` over every operator in id order; source contents are moved out of
// `inputs`. With `keep`, the outputs of other vertices are released once read for the last time.
template <typename Apply>
std::vector<ZSet> Walk(const Graph& graph, SourceInputs& inputs, Apply apply,
                       std::optional<std::span<const VertexId>> keep = std::nullopt) {
  for (const auto& entry : inputs) {
    if (entry.first >= graph.size() || graph.vertex(entry.first).op) {
      throw Error(ErrorCode::kSchema, "input given to a vertex that is not a source");
    }
  }
  std::vector<ZSet> out(graph.size());
  const std::vector<std::vector<VertexId>> released =
      keep ? ReleasedAfter(graph, *keep) : std::vector<std::vector<VertexId>>();
  std::vector<const ZSet*> args;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const Vertex& v = graph.vertex(id);
    if (!v.op) {
      auto it = inputs.find(id);
      if (it != inputs.end()) out[id] = std::move(it->second);
      continue;
    }
    args.clear();
    for (VertexId in : v.inputs) args.push_back(&out[in]);
    out[id] = apply(id, *v.op, std::span<const ZSet* const>(args));
    if (keep) {
      for (VertexId done : released[id]) out[done] = ZSet();
    }
  }
  return out;
}

// A vertex's step with `hooks` around it.
auto HookedStep(const IterationHooks& hooks) {
  return [&hooks](VertexId id, Operator& op, std::span<const ZSet* const> args) {
    if (hooks.replay) {
      if (std::optional<ZSet> done = hooks.replay(id)) return std::move(*done);
    }
    if (hooks.before) hooks.before(id);
    ZSet out = op.Step(args);
    if (hooks.after) hooks.after(id, out);
    return out;
  };
}

}  // namespace

std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas) {
  return Walk(graph, deltas, [](VertexId, Operator& op, std::span<const ZSet* const> args) {
    return op.Step(args);
  });
}

std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas, const IterationHooks& hooks) {
  return Walk(graph, deltas, HookedStep(hooks));
}

std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas, const IterationHooks& hooks,
                               std::span<const VertexId> keep) {
  return Walk(graph, deltas, HookedStep(hooks), keep);
}

std::vector<ZSet> EvaluateFromScratch(const Graph& graph, const SourceInputs& contents) {
  SourceInputs copy = contents;
  return Walk(graph, copy, [](VertexId, const Operator& op, std::span<const ZSet* const> args) {
    return op.Evaluate(args);
  });
}

}  // namespace zload
