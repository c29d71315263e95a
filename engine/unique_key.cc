#include "engine/unique_key.h"

#include "engine/ops/filter.h"
#include "engine/ops/group_reduce.h"
#include "engine/ops/map.h"

namespace zload {

std::optional<std::vector<size_t>> UniqueKey(const Graph& graph, VertexId vertex) {
  const Vertex& v = graph.vertex(vertex);
  if (const auto* group = dynamic_cast<const GroupReduceOp*>(v.op.get())) {
    if (group->group_by().empty()) return std::nullopt;
    std::vector<size_t> key(group->group_by().size());
    for (size_t i = 0; i < key.size(); ++i) key[i] = i;
    return key;
  }
  if (dynamic_cast<const FilterOp*>(v.op.get())) return UniqueKey(graph, v.inputs.at(0));
  if (const auto* map = dynamic_cast<const MapOp*>(v.op.get())) {
    std::optional<std::vector<size_t>> in = UniqueKey(graph, v.inputs.at(0));
    if (!in) return std::nullopt;
    std::vector<size_t> key;
    for (size_t column : *in) {
      std::optional<size_t> found;
      for (size_t i = 0; i < map->exprs().size() && !found; ++i) {
        if (map->exprs()[i]->PassedColumn() == column) found = i;
      }
      if (!found) return std::nullopt;
      key.push_back(*found);
    }
    return key;
  }
  return std::nullopt;
}

}  // namespace zload
