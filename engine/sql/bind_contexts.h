#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/sql/ast.h"
#include "engine/sql/expr_binder.h"
#include "engine/sql/scope.h"

namespace zload::sql {

// The select list's aliases, which WHERE, GROUP BY and HAVING may use for a name no FROM item
// has (as SQLite allows).
struct AliasList {
  std::vector<std::pair<std::string, const AstExpr*>> items;  // alias, its expression
  // The expression aliased `name`, or null.
  const AstExpr* Find(const std::string& name) const;
};

// Binds expressions over the rows of a scope (ON, WHERE, GROUP BY, aggregate arguments, the
// select list of a query without aggregates). Aggregate calls are Error(kSchema) naming
// `clause`. Records which scope items the bound columns belong to.
class InputContext : public BindContext {
 public:
  // `aliases` may be null (no alias fallback). All arguments must outlive the context.
  InputContext(const Scope& scope, const ExprBinder& binder, std::string clause,
               const AliasList* aliases = nullptr)
      : scope_(scope), binder_(binder), clause_(std::move(clause)), aliases_(aliases) {}

  Bound Column(const AstExpr& e) override;
  Bound Aggregate(const AstExpr& e) override;

  // Binds `e` in this context.
  Bound Bind(const AstExpr& e) { return binder_.Bind(e, *this); }
  // ExprKey with columns rendered as their resolved positions (aliases expanded).
  std::string Key(const AstExpr& e);
  // The scope items referenced by `e`'s columns (resolving them; errors as Column()).
  std::set<size_t> ReferencedItems(const AstExpr& e);

 private:
  const AstExpr* AliasFor(const AstExpr& column) const;

  const Scope& scope_;
  const ExprBinder& binder_;
  std::string clause_;
  const AliasList* aliases_;
  std::set<const AstExpr*> expanding_;  // aliases being expanded, against self-reference
};

// Binds expressions over the output of a group-reduce (HAVING and the select list of an
// aggregate query): a subexpression equal to a GROUP BY expression reads its group column, an
// aggregate call reads its aggregate column, and any other column is Error(kUnsupported).
class GroupedContext : public BindContext {
 public:
  // One output column of the group-reduce, found by the key of what it computes.
  struct Slot {
    size_t column = 0;
    Type type = Type::kNull;
    bool nullable = true;
  };

  GroupedContext(InputContext& input, const ExprBinder& binder, const Scope& scope,
                 const AliasList* aliases)
      : input_(input), binder_(binder), scope_(scope), aliases_(aliases) {}

  // Makes `key` (an InputContext::Key) read column `slot`; group keys are added first.
  void AddGroup(const std::string& key, Slot slot) { groups_.emplace(key, slot); }
  void AddAggregate(const std::string& key, Slot slot) { aggregates_.emplace(key, slot); }

  std::optional<Bound> Intercept(const AstExpr& e) override;
  Bound Column(const AstExpr& e) override;
  Bound Aggregate(const AstExpr& e) override;
  Bound Bind(const AstExpr& e) { return binder_.Bind(e, *this); }

 private:
  InputContext& input_;
  const ExprBinder& binder_;
  const Scope& scope_;
  const AliasList* aliases_;
  std::map<std::string, Slot> groups_;
  std::map<std::string, Slot> aggregates_;
  std::set<const AstExpr*> expanding_;
};

}  // namespace zload::sql
