#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/sql/expr_binder.h"

namespace zload::sql {

// A vertex of the plan being built and the columns of its rows.
struct PlanNode {
  VertexId vertex = 0;
  Schema schema;
};

// Collects the vertices of one view and appends them to the graph only on Commit(), so that a
// view that fails to compile leaves the graph untouched. Vertices are named
// "<view>__<n>_<kind>" (made unique against the graph). Pending vertices get the ids they
// will have after Commit(), so the graph must not change between construction and Commit().
class PlanBuilder {
 public:
  PlanBuilder(Graph& graph, std::string view) : graph_(graph), view_(std::move(view)) {}

  // Adds a vertex running `op` over `inputs`, emitting rows of `schema`.
  PlanNode Add(const std::string& kind, std::unique_ptr<Operator> op, std::vector<VertexId> inputs,
               Schema schema);
  // A MapOp emitting the bound expressions as columns named `names`.
  PlanNode Map(const PlanNode& input, const std::vector<Bound>& exprs,
               const std::vector<std::string>& names);
  // A MapOp emitting every input column followed by `extra` (hidden columns named "__<i>").
  PlanNode AppendColumns(const PlanNode& input, const std::vector<Bound>& extra);
  // A FilterOp keeping the rows where `predicate` is true.
  PlanNode Filter(const PlanNode& input, const ExprPtr& predicate);
  // Appends the pending vertices to the graph, in order.
  void Commit();

 private:
  struct Pending {
    std::string name;
    std::unique_ptr<Operator> op;
    std::vector<VertexId> inputs;
    Schema schema;
  };
  bool NameTaken(const std::string& name) const;

  Graph& graph_;
  std::string view_;
  std::vector<Pending> pending_;
};

// The conjunction of `terms` (left-deep ANDs). REQUIRES: !terms.empty().
ExprPtr AndAll(const std::vector<ExprPtr>& terms);

}  // namespace zload::sql
