#include "loader/frontier_plan.h"

#include <algorithm>
#include <optional>

#include "engine/error.h"

namespace zload {
namespace {

void AddOnce(std::vector<std::string>& list, const std::string& name) {
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

// The vertex whose Bind opened state table `name`: the longest vertex name it extends with "__".
VertexId OwnerOf(const Graph& graph, const std::string& name) {
  std::optional<VertexId> owner;
  size_t best = 0;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const std::string& v = graph.vertex(id).name;
    if (v.size() + 2 <= name.size() && name.compare(0, v.size(), v) == 0 &&
        name.compare(v.size(), 2, "__") == 0 && v.size() >= best) {
      owner = id;
      best = v.size();
    }
  }
  if (!owner) throw Error(ErrorCode::kInternal, "state table of no vertex", {.table = name});
  return *owner;
}

}  // namespace

FrontierPlan MakeFrontierPlan(Job& job) {
  const Graph& graph = job.graph();
  FrontierPlan plan;
  plan.vertex_state.resize(graph.size());
  plan.vertex_bases.resize(graph.size());
  for (const BaseBackedStateStore::Opened& table : job.StateTables()) {
    VertexId owner = OwnerOf(graph, table.name);
    if (table.base_tables.empty()) {
      AddOnce(plan.vertex_state[owner], table.name);
      AddOnce(plan.all, table.name);
      continue;
    }
    for (const std::string& base : table.base_tables) {
      AddOnce(plan.vertex_bases[owner], base);
      VertexId& last = plan.last_reader[base];
      last = std::max(last, owner);
    }
  }
  plan.vertex_marker.resize(graph.size());
  for (VertexId id = 0; id < graph.size(); ++id) {
    if (plan.vertex_state[id].empty() && plan.vertex_bases[id].empty()) continue;
    plan.vertex_marker[id] = graph.vertex(id).name;
    AddOnce(plan.all, plan.vertex_marker[id]);
  }
  for (const Job::View& v : job.views()) AddOnce(plan.all, v.compiled.name);
  for (const Job::Source& s : job.sources()) AddOnce(plan.all, s.config->name);
  AddOnce(plan.all, kBatchMarker);
  return plan;
}

}  // namespace zload
