#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "engine/graph.h"
#include "engine/iteration.h"

namespace zload {

// Splits the time spent maintaining views among them: the time of each operator vertex's step
// goes in equal shares to the views whose output it feeds (itself or through later vertices),
// and the rest of a measured span to every view equally. Not thread-safe.
class ViewSeconds {
 public:
  // For `graph` and the output vertex of each view, in view order.
  ViewSeconds(const Graph& graph, const std::vector<VertexId>& outputs);

  // Hooks that time each stepped vertex, its `inner` before and after hooks included, around
  // `inner` (whose replay passes through: a replayed vertex takes no time).
  IterationHooks Wrap(IterationHooks inner);
  // Counts `seconds` of vertex `vertex`'s step, shared by the views it feeds.
  void AddStep(VertexId vertex, double seconds);
  // Counts `seconds` for view `view` alone (its table's writes).
  void AddToView(size_t view, double seconds);
  // Each view's share of a span of `total_seconds` that covered everything timed since the last
  // Split(): its steps' shares, its own seconds, and an equal share of the untimed rest.
  std::vector<double> Split(double total_seconds);

  // The views each vertex feeds, by vertex id (for tests).
  const std::vector<std::vector<size_t>>& feeds() const { return feeds_; }

 private:
  std::vector<std::vector<size_t>> feeds_;
  std::vector<std::chrono::steady_clock::time_point> started_;
  std::vector<double> pending_;
};

}  // namespace zload
