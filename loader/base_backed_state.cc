#include "loader/base_backed_state.h"

#include "engine/error.h"

namespace zload {

BaseBackedStateStore::BaseBackedStateStore(const Graph& graph, JobStore& store)
    : graph_(graph), store_(store) {}

std::optional<std::string> BaseBackedStateStore::SourceIntegral(const Graph& graph,
                                                                const StateTableSpec& spec) {
  if (!spec.integral_of_input) return std::nullopt;
  // The owning vertex is the one whose name, followed by "__", begins the table's name.
  std::optional<VertexId> owner;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const std::string& name = graph.vertex(id).name;
    if (spec.name.size() > name.size() + 2 && spec.name.compare(0, name.size(), name) == 0 &&
        spec.name.compare(name.size(), 2, "__") == 0 &&
        (!owner || graph.vertex(*owner).name.size() < name.size())) {
      owner = id;
    }
  }
  if (!owner) return std::nullopt;
  const Vertex& v = graph.vertex(*owner);
  if (*spec.integral_of_input >= v.inputs.size()) return std::nullopt;
  const Vertex& input = graph.vertex(v.inputs[*spec.integral_of_input]);
  if (input.op != nullptr) return std::nullopt;
  return input.name;
}

StateTable& BaseBackedStateStore::Open(const StateTableSpec& spec) {
  std::optional<std::string> source = SourceIntegral(graph_, spec);
  if (!source) return store_.state().Open(spec);
  auto it = shared_.find(spec.name);
  if (it != shared_.end()) return *it->second;
  std::unique_ptr<StateTable> table = store_.OpenBaseTableState(*source, spec);
  if (!table) return store_.state().Open(spec);
  return *shared_.emplace(spec.name, std::move(table)).first->second;
}

}  // namespace zload
