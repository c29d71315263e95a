#include "engine/graph.h"

#include <fmt/format.h>

#include "engine/error.h"

namespace zload {

VertexId Graph::AddSource(std::string name, Schema schema) {
  return AddVertex(std::move(name), nullptr, {}, std::move(schema));
}

VertexId Graph::AddVertex(std::string name, std::unique_ptr<Operator> op,
                          std::vector<VertexId> inputs, Schema schema) {
  if (Find(name)) throw Error(ErrorCode::kSchema, "duplicate vertex name '" + name + "'");
  for (VertexId in : inputs) {
    if (in >= vertices_.size()) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("vertex '{}' reads missing vertex {}", name, in));
    }
  }
  vertices_.push_back(Vertex{std::move(name), std::move(op), std::move(inputs), std::move(schema)});
  return vertices_.size() - 1;
}

std::optional<VertexId> Graph::Find(const std::string& name) const {
  for (VertexId id = 0; id < vertices_.size(); ++id) {
    if (vertices_[id].name == name) return id;
  }
  return std::nullopt;
}

std::string Graph::UniqueName(const std::string& base) const {
  if (!Find(base)) return base;
  for (int i = 2;; ++i) {
    std::string name = fmt::format("{}_{}", base, i);
    if (!Find(name)) return name;
  }
}

void Graph::Bind(StateStore& store) {
  for (Vertex& v : vertices_) {
    if (v.op) v.op->Bind(store, v.name);
  }
}

std::string Graph::ToString() const {
  std::string s;
  for (VertexId id = 0; id < vertices_.size(); ++id) {
    const Vertex& v = vertices_[id];
    std::vector<std::string> cols;
    for (const Column& c : v.schema.columns()) cols.push_back(c.name + " " + TypeName(c.type));
    s += fmt::format("{} {} {} [{}] ({})\n", id, v.name, v.op ? v.op->Kind() : "source",
                     fmt::join(v.inputs, ","), fmt::join(cols, ", "));
  }
  return s;
}

}  // namespace zload
