#pragma once

#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/column_use.h"
#include "engine/sql/compiler.h"
#include "engine/sql/expr_binder.h"
#include "engine/sql/plan_builder.h"
#include "engine/sql/scope.h"

namespace zload::sql {

// The joined rows of a FROM clause and the scope naming their columns. Rows may carry hidden
// key columns beyond the scope's items.
struct FromPlan {
  PlanNode node;
  Scope scope;
};

// Plans FROM as a left-deep tree of joins. Each join's ON conjuncts of the form
// left-expr = right-expr (one side over the tables joined so far, the other over the new
// table, with types that compare equal exactly when SQL's = does) become join keys, computed
// into extra columns when not plain columns; conjuncts over the new table alone filter it
// before the join; for an inner join the other conjuncts filter the joined rows, for a LEFT
// JOIN they are Error(kUnsupported). A join without keys joins on a constant. When there is
// more than one item, each is first narrowed to the columns `use` says the statement may read.
// Throws Error(kSchema) for an unknown table or column.
FromPlan PlanFrom(const std::vector<FromItem>& from, const RelationCatalog& catalog,
                  PlanBuilder& builder, const ExprBinder& binder, const ColumnUse& use);

// The type both sides of an equality key are compared in, when JoinOp's structural equality
// on values of that type agrees with SQL's `=`; nullopt when no such type exists.
std::optional<Type> JoinKeyType(Type left, Type right);

}  // namespace zload::sql
