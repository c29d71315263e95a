#pragma once

#include <string>

#include "engine/sql/ast.h"

namespace zload::sql {

// A canonical rendering of an expression: keywords in upper case, every operator application
// in parentheses, literals in SQL syntax, names as written. Parsing the rendering yields the
// same tree.
std::string ToCanonicalSql(const AstExpr& expr);

// The canonical rendering of a whole SELECT, with expressions rendered as ToCanonicalSql.
std::string ToCanonicalSql(const SelectStmt& stmt);

}  // namespace zload::sql
