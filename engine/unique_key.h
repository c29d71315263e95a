#pragma once

#include <optional>
#include <vector>

#include "engine/graph.h"

namespace zload {

// Output columns of `vertex` that identify its rows: when known, the integral of what it emits
// holds at most one row per value of these columns, each of weight 1 (for a GROUP BY, its
// group columns, kept through filters and projections that pass them unchanged). nullopt when
// no such columns are known; never an empty list.
std::optional<std::vector<size_t>> UniqueKey(const Graph& graph, VertexId vertex);

}  // namespace zload
