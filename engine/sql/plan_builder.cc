#include "engine/sql/plan_builder.h"

#include <fmt/format.h>

#include "engine/ops/filter.h"
#include "engine/ops/map.h"

namespace zload::sql {

bool PlanBuilder::NameTaken(const std::string& name) const {
  if (graph_.Find(name)) return true;
  for (const Pending& p : pending_) {
    if (p.name == name) return true;
  }
  return false;
}

PlanNode PlanBuilder::Add(const std::string& kind, std::unique_ptr<Operator> op,
                          std::vector<VertexId> inputs, Schema schema) {
  std::string base = fmt::format("{}__{}_{}", view_, pending_.size() + 1, kind);
  std::string name = base;
  for (int i = 2; NameTaken(name); ++i) name = fmt::format("{}_{}", base, i);
  PlanNode node{graph_.size() + pending_.size(), schema};
  pending_.push_back({std::move(name), std::move(op), std::move(inputs), std::move(schema)});
  return node;
}

PlanNode PlanBuilder::Map(const PlanNode& input, const std::vector<Bound>& exprs,
                          const std::vector<std::string>& names) {
  std::vector<ExprPtr> list;
  Schema schema;
  for (size_t i = 0; i < exprs.size(); ++i) {
    list.push_back(exprs[i].expr);
    schema.Add({names[i], exprs[i].expr->type(), exprs[i].nullable});
  }
  return Add("map", std::make_unique<MapOp>(std::move(list)), {input.vertex}, std::move(schema));
}

PlanNode PlanBuilder::AppendColumns(const PlanNode& input, const std::vector<Bound>& extra) {
  std::vector<Bound> exprs;
  std::vector<std::string> names;
  for (size_t i = 0; i < input.schema.size(); ++i) {
    const Column& c = input.schema[i];
    exprs.push_back({MakeColumn(i, c.type, c.name), c.nullable});
    names.push_back(c.name);
  }
  for (size_t i = 0; i < extra.size(); ++i) {
    exprs.push_back(extra[i]);
    names.push_back(fmt::format("__{}", input.schema.size() + i));
  }
  return Map(input, exprs, names);
}

PlanNode PlanBuilder::Filter(const PlanNode& input, const ExprPtr& predicate) {
  return Add("filter", std::make_unique<FilterOp>(predicate), {input.vertex}, input.schema);
}

void PlanBuilder::Commit() {
  for (Pending& p : pending_) {
    graph_.AddVertex(std::move(p.name), std::move(p.op), std::move(p.inputs), std::move(p.schema));
  }
  pending_.clear();
}

ExprPtr AndAll(const std::vector<ExprPtr>& terms) {
  ExprPtr out = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) out = MakeBinary(BinaryOp::kAnd, out, terms[i]);
  return out;
}

}  // namespace zload::sql
