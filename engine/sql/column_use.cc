#include "engine/sql/column_use.h"

#include "engine/sql/scope.h"

namespace zload::sql {

ColumnUse::ColumnUse(const SelectStmt& stmt) {
  for (const SelectItem& item : stmt.items) {
    switch (item.kind) {
      case SelectItem::Kind::kExpr:
        Collect(item.expr.get());
        break;
      case SelectItem::Kind::kStar:
        all_ = true;
        break;
      case SelectItem::Kind::kTableStar:
        whole_items_.push_back(item.table);
        break;
    }
  }
  for (const FromItem& from : stmt.from) Collect(from.on.get());
  Collect(stmt.where.get());
  for (const AstPtr& e : stmt.group_by) Collect(e.get());
  Collect(stmt.having.get());
}

void ColumnUse::Collect(const AstExpr* e) {
  if (e == nullptr) return;
  if (e->kind == AstKind::kColumn) references_.push_back({e->table, e->name});
  for (const AstPtr& arg : e->args) Collect(arg.get());
}

bool ColumnUse::Reads(const std::string& item, const std::string& column) const {
  if (all_) return true;
  for (const std::string& whole : whole_items_) {
    if (SameName(whole, item)) return true;
  }
  for (const Reference& r : references_) {
    if (SameName(r.name, column) && (r.table.empty() || SameName(r.table, item))) return true;
  }
  return false;
}

}  // namespace zload::sql
