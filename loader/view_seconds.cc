#include "loader/view_seconds.h"

#include <algorithm>
#include <utility>

namespace zload {

ViewSeconds::ViewSeconds(const Graph& graph, const std::vector<VertexId>& outputs)
    : feeds_(graph.size()), started_(graph.size()), pending_(outputs.size(), 0) {
  // A vertex feeds a view when the view's output is the vertex or reads it: walk each output's
  // inputs backwards (ids are topological, so one pass from the top suffices).
  for (size_t view = 0; view < outputs.size(); ++view) {
    std::vector<bool> reached(graph.size(), false);
    reached.at(outputs[view]) = true;
    for (size_t id = graph.size(); id-- > 0;) {
      if (!reached[id]) continue;
      feeds_[id].push_back(view);
      for (VertexId input : graph.vertex(id).inputs) reached[input] = true;
    }
  }
}

IterationHooks ViewSeconds::Wrap(IterationHooks inner) {
  IterationHooks hooks;
  hooks.replay = std::move(inner.replay);
  hooks.before = [this, before = std::move(inner.before)](VertexId v) {
    started_.at(v) = std::chrono::steady_clock::now();
    if (before) before(v);
  };
  hooks.after = [this, after = std::move(inner.after)](VertexId v, const ZSet& out) {
    if (after) after(v, out);
    AddStep(
        v,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_.at(v)).count());
  };
  return hooks;
}

void ViewSeconds::AddStep(VertexId vertex, double seconds) {
  const std::vector<size_t>& views = feeds_.at(vertex);
  if (views.empty()) return;  // feeds no view: counted in the untimed rest
  for (size_t view : views) pending_[view] += seconds / static_cast<double>(views.size());
}

void ViewSeconds::AddToView(size_t view, double seconds) { pending_.at(view) += seconds; }

std::vector<double> ViewSeconds::Split(double total_seconds) {
  std::vector<double> out = std::move(pending_);
  pending_.assign(out.size(), 0);
  if (!out.empty()) {
    // A vertex feeding no view was timed but belongs to none: share it with the untimed rest.
    double assigned = 0;
    for (double s : out) assigned += s;
    const double rest = std::max(0.0, total_seconds - assigned);
    for (double& s : out) s += rest / static_cast<double>(out.size());
  }
  return out;
}

}  // namespace zload
