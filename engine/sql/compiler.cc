#include "engine/sql/compiler.h"

#include "engine/ops/distinct.h"
#include "engine/sql/aggregate_planner.h"
#include "engine/sql/bind_contexts.h"
#include "engine/sql/column_use.h"
#include "engine/sql/join_planner.h"
#include "engine/sql/parser.h"
#include "engine/sql/plan_builder.h"
#include "engine/sql/select_list.h"
#include "engine/sql/sql_error.h"

namespace zload {

namespace {

CompiledView Compile(Graph& graph, const RelationCatalog& catalog, const std::string& name,
                     const std::string& sql, const std::string& file) {
  sql::SelectStmt stmt = sql::ParseSelect(sql, file);
  if (stmt.from.empty()) {
    sql::ThrowAt(ErrorCode::kUnsupported, "SELECT without FROM is not supported", file, stmt.pos);
  }
  sql::ExprBinder binder(file);
  sql::PlanBuilder builder(graph, name);
  sql::FromPlan from = sql::PlanFrom(stmt.from, catalog, builder, binder, sql::ColumnUse(stmt));
  sql::SelectList list = sql::ExpandSelectList(stmt, from.scope, file);
  if (stmt.where) {
    sql::InputContext where(from.scope, binder, "WHERE", &list.aliases);
    from.node = builder.Filter(from.node, where.Bind(*stmt.where).expr);
  }
  sql::PlanNode node;
  if (sql::IsAggregateQuery(stmt, list)) {
    node = sql::PlanAggregate(stmt, list, from, builder, binder);
  } else {
    sql::InputContext select(from.scope, binder, "the select list");
    std::vector<sql::Bound> exprs;
    std::vector<std::string> names;
    for (const sql::OutputItem& item : list.items) {
      exprs.push_back(select.Bind(*item.expr));
      names.push_back(item.name);
    }
    node = builder.Map(from.node, exprs, names);
  }
  if (stmt.distinct) {
    node = builder.Add("distinct", std::make_unique<DistinctOp>(node.schema.size()), {node.vertex},
                       node.schema);
  }
  builder.Commit();
  return CompiledView{name, node.vertex, node.schema};
}

}  // namespace

CompiledView CompileView(Graph& graph, const RelationCatalog& catalog, const std::string& name,
                         const std::string& sql) {
  const std::string file = "view " + name;
  try {
    return Compile(graph, catalog, name, sql, file);
  } catch (const Error& error) {
    if (!error.context().file.empty()) throw;
    ErrorContext context = error.context();
    context.file = file;
    throw Error(error.code(), error.message(), std::move(context));
  }
}

}  // namespace zload
