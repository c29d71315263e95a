#include "engine/sql/select_list.h"

#include <cctype>
#include <set>

#include "engine/sql/lexer.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

namespace {

void AddColumns(SelectList& list, const ScopeItem& item, const SourcePos& pos) {
  for (const Column& column : item.schema.columns()) {
    auto ref = std::make_unique<AstExpr>();
    ref->kind = AstKind::kColumn;
    ref->table = item.name;
    ref->name = column.name;
    ref->pos = ref->name_pos = ref->table_pos = pos;
    list.items.push_back({ref.get(), column.name});
    list.owned.push_back(std::move(ref));
  }
}

// Makes names unique as SQLite does for the columns of a view.
void Uniquify(std::vector<OutputItem>& items) {
  std::set<std::string> taken;
  for (OutputItem& item : items) {
    std::string name = item.name;
    unsigned count = 0;
    while (taken.count(ToLowerAscii(name))) {
      size_t base = name.size();
      size_t j = base;
      while (j > 1 && std::isdigit(static_cast<unsigned char>(name[j - 1]))) --j;
      if (j > 0 && j < base && name[j - 1] == ':') base = j - 1;
      name = name.substr(0, base) + ":" + std::to_string(++count);
    }
    taken.insert(ToLowerAscii(name));
    item.name = std::move(name);
  }
}

}  // namespace

SelectList ExpandSelectList(const SelectStmt& stmt, const Scope& scope, const std::string& file) {
  SelectList list;
  for (const SelectItem& item : stmt.items) {
    switch (item.kind) {
      case SelectItem::Kind::kStar:
        for (const ScopeItem& s : scope.items()) AddColumns(list, s, item.pos);
        break;
      case SelectItem::Kind::kTableStar: {
        std::optional<size_t> s = scope.FindItem(item.table, item.pos);
        if (!s) ThrowAt(ErrorCode::kSchema, "no such table: " + item.table, file, item.pos);
        AddColumns(list, scope.items()[*s], item.pos);
        break;
      }
      case SelectItem::Kind::kExpr: {
        std::string name = item.alias;
        if (name.empty() && item.expr->kind == AstKind::kColumn) {
          std::optional<ResolvedColumn> r = scope.TryResolve(*item.expr);
          name = r ? r->column.name : item.expr->name;
        }
        if (name.empty()) name = item.text;
        list.items.push_back({item.expr.get(), name});
        list.aliases.items.emplace_back(item.alias, item.expr.get());
        break;
      }
    }
  }
  Uniquify(list.items);
  return list;
}

}  // namespace zload::sql
