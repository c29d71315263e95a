#pragma once

#include "engine/sql/ast.h"
#include "engine/sql/expr_binder.h"
#include "engine/sql/join_planner.h"
#include "engine/sql/plan_builder.h"
#include "engine/sql/select_list.h"

namespace zload::sql {

// True when `stmt` aggregates: it has GROUP BY or HAVING, or its select list calls an
// aggregate function.
bool IsAggregateQuery(const SelectStmt& stmt, const SelectList& list);

// Plans GROUP BY, the aggregates, HAVING and the select list of an aggregate query over the
// rows of `input`: a MapOp computing (group expressions ++ aggregate arguments), a
// GroupReduceOp, a FilterOp for HAVING and a MapOp for the select list. A GROUP BY term that is
// an integer literal N means the N-th result column, as in SQLite. Aggregates with DISTINCT
// are planned with a DistinctOp before grouping when they all read the same argument, and are
// Error(kUnsupported) otherwise. A column outside aggregates that is not grouped is
// Error(kUnsupported); an aggregate inside an aggregate or in GROUP BY is Error(kSchema).
PlanNode PlanAggregate(const SelectStmt& stmt, const SelectList& list, const FromPlan& input,
                       PlanBuilder& builder, const ExprBinder& binder);

}  // namespace zload::sql
