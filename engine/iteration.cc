#include "engine/iteration.h"

#include "engine/error.h"

namespace zload {
namespace {

// Runs `apply(id, op, inputs)` over every operator in id order; source contents are moved out of
// `inputs`.
template <typename Apply>
std::vector<ZSet> Walk(const Graph& graph, SourceInputs& inputs, Apply apply) {
  for (const auto& entry : inputs) {
    if (entry.first >= graph.size() || graph.vertex(entry.first).op) {
      throw Error(ErrorCode::kSchema, "input given to a vertex that is not a source");
    }
  }
  std::vector<ZSet> out(graph.size());
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
  }
  return out;
}

}  // namespace

std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas) {
  return Walk(graph, deltas, [](VertexId, Operator& op, std::span<const ZSet* const> args) {
    return op.Step(args);
  });
}

std::vector<ZSet> RunIteration(Graph& graph, SourceInputs deltas, const IterationHooks& hooks) {
  auto step = [&](VertexId id, Operator& op, std::span<const ZSet* const> args) {
    if (hooks.replay) {
      if (std::optional<ZSet> done = hooks.replay(id)) return std::move(*done);
    }
    if (hooks.before) hooks.before(id);
    ZSet out = op.Step(args);
    if (hooks.after) hooks.after(id, out);
    return out;
  };
  return Walk(graph, deltas, step);
}

std::vector<ZSet> EvaluateFromScratch(const Graph& graph, const SourceInputs& contents) {
  SourceInputs copy = contents;
  return Walk(graph, copy, [](VertexId, const Operator& op, std::span<const ZSet* const> args) {
    return op.Evaluate(args);
  });
}

}  // namespace zload
