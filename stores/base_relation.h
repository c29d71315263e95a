#pragma once

#include <string>
#include <vector>

namespace zload {

// A multiset of rows computed from base tables by SQL: the inner join of `tables` on the column
// equalities `join_on` (SQL equality: NULL matches nothing), leaving out rows with a NULL in any
// column of `non_null`, projected onto `columns`. What a delay vertex's state is when
// it is the integral of sources joined and projected, so a store can serve it from the tables.
struct BaseRelation {
  // One column of one of the joined tables.
  struct Column {
    size_t table = 0;  // index into `tables`
    std::string name;  // column name in that table
    bool operator==(const Column&) const = default;
  };
  std::vector<std::string> tables;                 // base table names, joined in this order
  std::vector<std::pair<Column, Column>> join_on;  // equalities joining them
  std::vector<Column> columns;                     // the relation's columns, in order
  std::vector<Column> non_null;                    // columns that must not be NULL
  bool operator==(const BaseRelation&) const = default;
};

}  // namespace zload
