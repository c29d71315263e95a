#pragma once

#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/bind_contexts.h"
#include "engine/sql/scope.h"

namespace zload::sql {

// One result column: the expression computing it and its name.
struct OutputItem {
  const AstExpr* expr = nullptr;
  std::string name;
};

// The select list with `*` and `t.*` expanded into column references, each result column
// named as SQLite names a view's columns: the alias; else, for a column reference, the
// column's name; else the expression's text as written; a name already taken
// (case-insensitively) gets ":1", ":2", ... appended.
struct SelectList {
  std::vector<OutputItem> items;
  std::vector<AstPtr> owned;  // the column references made for stars
  AliasList aliases;          // for WHERE, GROUP BY and HAVING
};

// Expands and names the select list of `stmt` over `scope`. Throws Error(kSchema) with the
// position of `t.*` when no FROM item is named t, and of a column that resolves to nothing.
SelectList ExpandSelectList(const SelectStmt& stmt, const Scope& scope, const std::string& file);

}  // namespace zload::sql
