#pragma once

#include <string>
#include <vector>

#include "engine/sql/ast.h"

namespace zload::sql {

// Which columns of its FROM items a SELECT may read, judged by name before anything is resolved:
// a column is read when some reference anywhere in the statement (select list, ON, WHERE, GROUP
// BY, HAVING) names it, unqualified or qualified by that item's name, or a `*` or `item.*`
// covers it. Never misses a column the statement reads; may keep one it does not.
class ColumnUse {
 public:
  explicit ColumnUse(const SelectStmt& stmt);

  // True when the statement may read column `column` of the FROM item named `item` (its alias,
  // or its relation's name when there is none).
  bool Reads(const std::string& item, const std::string& column) const;

 private:
  struct Reference {
    std::string table;  // the qualifier, empty when none
    std::string name;
  };
  void Collect(const AstExpr* e);

  std::vector<Reference> references_;
  std::vector<std::string> whole_items_;  // items named by `item.*`
  bool all_ = false;                      // a bare `*`
};

}  // namespace zload::sql
