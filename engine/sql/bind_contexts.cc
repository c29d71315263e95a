#include "engine/sql/bind_contexts.h"

#include <fmt/format.h>

#include "engine/sql/ast_printer.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

const AstExpr* AliasList::Find(const std::string& name) const {
  for (const auto& [alias, expr] : items) {
    if (!alias.empty() && SameName(alias, name)) return expr;
  }
  return nullptr;
}

const AstExpr* InputContext::AliasFor(const AstExpr& column) const {
  if (aliases_ == nullptr || !column.table.empty()) return nullptr;
  const AstExpr* expr = aliases_->Find(column.name);
  // An alias used inside its own expression names nothing.
  return expanding_.count(expr) ? nullptr : expr;
}

Bound InputContext::Column(const AstExpr& e) {
  if (std::optional<ResolvedColumn> r = scope_.TryResolve(e)) {
    return {MakeColumn(r->index, r->column.type, r->column.name), r->column.nullable};
  }
  if (const AstExpr* alias = AliasFor(e)) {
    expanding_.insert(alias);
    Bound bound = Bind(*alias);
    expanding_.erase(alias);
    return bound;
  }
  scope_.Resolve(e);  // throws "no such column"
  return {};
}

Bound InputContext::Aggregate(const AstExpr& e) {
  ThrowAt(ErrorCode::kSchema,
          fmt::format("misuse of aggregate function {}() in {}", e.name, clause_), binder_.file(),
          e.pos);
}

std::string InputContext::Key(const AstExpr& e) {
  return ExprKey(e, [this](const AstExpr& column) -> std::string {
    if (std::optional<ResolvedColumn> r = scope_.TryResolve(column)) {
      return fmt::format("#{}", r->index);
    }
    if (const AstExpr* alias = AliasFor(column)) {
      expanding_.insert(alias);
      std::string key = Key(*alias);
      expanding_.erase(alias);
      return key;
    }
    scope_.Resolve(column);  // throws "no such column"
    return "";
  });
}

std::set<size_t> InputContext::ReferencedItems(const AstExpr& e) {
  std::set<size_t> items;
  ExprKey(e, [&](const AstExpr& column) -> std::string {
    items.insert(scope_.Resolve(column).item);
    return "";
  });
  return items;
}

std::optional<Bound> GroupedContext::Intercept(const AstExpr& e) {
  if (groups_.empty() || AggregateCallKind(e)) return std::nullopt;
  auto it = groups_.find(input_.Key(e));
  if (it == groups_.end()) return std::nullopt;
  const Slot& slot = it->second;
  return Bound{MakeColumn(slot.column, slot.type, ToCanonicalSql(e)), slot.nullable};
}

Bound GroupedContext::Column(const AstExpr& e) {
  if (std::optional<ResolvedColumn> r = scope_.TryResolve(e)) {
    std::string name = e.table.empty() ? e.name : e.table + "." + e.name;
    ThrowAt(ErrorCode::kUnsupported,
            "column " + name +
                " outside an aggregate and not in GROUP BY is not supported (its value would "
                "come from an arbitrary row)",
            binder_.file(), e.name_pos);
  }
  const AstExpr* alias = aliases_ && e.table.empty() ? aliases_->Find(e.name) : nullptr;
  if (alias && !expanding_.count(alias)) {
    expanding_.insert(alias);
    Bound bound = Bind(*alias);
    expanding_.erase(alias);
    return bound;
  }
  scope_.Resolve(e);  // throws "no such column"
  return {};
}

Bound GroupedContext::Aggregate(const AstExpr& e) {
  auto it = aggregates_.find(input_.Key(e));
  if (it == aggregates_.end()) {
    ThrowAt(ErrorCode::kInternal, "aggregate " + ToCanonicalSql(e) + " was not planned",
            binder_.file(), e.pos);
  }
  const Slot& slot = it->second;
  return {MakeColumn(slot.column, slot.type, ToCanonicalSql(e)), slot.nullable};
}

}  // namespace zload::sql
