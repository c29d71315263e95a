#include "engine/sql/scope.h"

#include "engine/sql/lexer.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

bool SameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && ToLowerAscii(a) == ToLowerAscii(b);
}

std::optional<size_t> Scope::FindItem(const std::string& name, const SourcePos& pos) const {
  std::optional<size_t> found;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (!SameName(items_[i].name, name)) continue;
    if (found) ThrowAt(ErrorCode::kSchema, "ambiguous table name: " + name, file_, pos);
    found = i;
  }
  return found;
}

namespace {

ResolvedColumn Make(const ScopeItem& item, size_t item_index, size_t column) {
  ResolvedColumn r;
  r.index = item.offset + column;
  r.item = item_index;
  r.column = item.schema[column];
  if (item.padded) r.column.nullable = true;
  return r;
}

}  // namespace

std::optional<ResolvedColumn> Scope::TryResolve(const AstExpr& column) const {
  if (!column.table.empty()) {
    std::optional<size_t> item = FindItem(column.table, column.table_pos);
    std::string full = column.table + "." + column.name;
    if (!item)
      ThrowAt(ErrorCode::kSchema, "no such table: " + column.table, file_, column.table_pos);
    std::optional<size_t> index = items_[*item].schema.IndexOf(column.name);
    if (!index) ThrowAt(ErrorCode::kSchema, "no such column: " + full, file_, column.name_pos);
    return Make(items_[*item], *item, *index);
  }
  std::optional<ResolvedColumn> found;
  for (size_t i = 0; i < items_.size(); ++i) {
    std::optional<size_t> index = items_[i].schema.IndexOf(column.name);
    if (!index) continue;
    if (found) {
      ThrowAt(ErrorCode::kSchema, "ambiguous column name: " + column.name, file_, column.name_pos);
    }
    found = Make(items_[i], i, *index);
  }
  return found;
}

ResolvedColumn Scope::Resolve(const AstExpr& column) const {
  std::optional<ResolvedColumn> r = TryResolve(column);
  if (!r) ThrowAt(ErrorCode::kSchema, "no such column: " + column.name, file_, column.name_pos);
  return *r;
}

}  // namespace zload::sql
