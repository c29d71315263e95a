#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "engine/sql/ast.h"

namespace zload::sql {

// One FROM item as seen by name resolution.
struct ScopeItem {
  std::string name;     // the alias, or the relation's name when there is no alias
  Schema schema;        // the relation's columns
  size_t offset = 0;    // the position of its first column in the joined row
  bool padded = false;  // the right side of a LEFT JOIN: every column may be NULL
};

// A column reference resolved to a position of the joined row.
struct ResolvedColumn {
  size_t index = 0;  // position in the joined row
  size_t item = 0;   // which ScopeItem
  Column column;     // its name, type and nullability (padded columns are nullable)
};

// The FROM items visible to an expression, in FROM order. Names match ASCII
// case-insensitively, as SQLite's do.
class Scope {
 public:
  explicit Scope(std::string file) : file_(std::move(file)) {}

  void Add(ScopeItem item) { items_.push_back(std::move(item)); }
  const std::vector<ScopeItem>& items() const { return items_; }
  size_t size() const { return items_.size(); }
  // The position of the item named `name`, or nullopt. Throws Error(kSchema) at `pos` when two
  // items have that name.
  std::optional<size_t> FindItem(const std::string& name, const SourcePos& pos) const;

  // Resolves a kColumn node. Returns nullopt for an unqualified name no item has; throws
  // Error(kSchema) with the name's position for an unknown qualifier, a qualified name the
  // item lacks, or a name more than one item has.
  std::optional<ResolvedColumn> TryResolve(const AstExpr& column) const;
  // As TryResolve, but an unknown name is Error(kSchema) too.
  ResolvedColumn Resolve(const AstExpr& column) const;

 private:
  std::string file_;
  std::vector<ScopeItem> items_;
};

// True when ASCII-case-insensitively equal.
bool SameName(const std::string& a, const std::string& b);

}  // namespace zload::sql
