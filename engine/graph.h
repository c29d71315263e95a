#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/operator.h"
#include "engine/schema.h"
#include "engine/state_store.h"

namespace zload {

using VertexId = size_t;

// A vertex of a dataflow graph: a source (no operator) or an operator over earlier vertices.
struct Vertex {
  std::string name;              // unique within the graph; prefixes its state tables
  std::unique_ptr<Operator> op;  // null for a source
  std::vector<VertexId> inputs;  // all smaller than this vertex's id
  Schema schema;                 // the columns of the rows it emits
};

// A directed acyclic graph of vertices, kept in topological order: a vertex can only read
// vertices added before it, so id order is an evaluation order. Not thread-safe.
class Graph {
 public:
  // Adds a source that receives input deltas. Throws Error(kSchema) on a duplicate name.
  VertexId AddSource(std::string name, Schema schema);
  // Adds an operator over `inputs`. Throws Error(kSchema) on a duplicate name and
  // Error(kInternal) when an input does not exist.
  VertexId AddVertex(std::string name, std::unique_ptr<Operator> op, std::vector<VertexId> inputs,
                     Schema schema);

  size_t size() const { return vertices_.size(); }
  const Vertex& vertex(VertexId id) const { return vertices_.at(id); }
  Vertex& vertex(VertexId id) { return vertices_.at(id); }
  // The id of the vertex named `name`, or nullopt.
  std::optional<VertexId> Find(const std::string& name) const;
  // A name not yet used, made from `base` ("base", "base_2", ...).
  std::string UniqueName(const std::string& base) const;

  // Binds every operator to its state tables in `store`. Call once, before any iteration.
  void Bind(StateStore& store);

  // One line per vertex: id, name, kind, inputs and columns.
  std::string ToString() const;

 private:
  std::vector<Vertex> vertices_;
};

}  // namespace zload
