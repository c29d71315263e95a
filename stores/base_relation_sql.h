#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/state_store.h"
#include "engine/zset.h"
#include "stores/base_relation.h"

// What the SQLite and PostgreSQL stores share to serve state from base tables: the indexes it
// needs, the SELECT of the relation, and the matching of result rows to the keys looked up.
// Private to stores/.
namespace zload::base_relation_sql {

// Quotes an identifier for the store's SQL dialect.
using Quote = std::function<std::string(const std::string&)>;

// Throws Error(kInternal) naming `spec` unless the relation is as wide as the state and `types`
// and `primary_keys` (the stores' descriptions of its columns and tables) fit it.
void CheckServes(const BaseRelation& relation, const StateTableSpec& spec, size_t types,
                 size_t primary_keys);

// The indexes serving `relation` for `spec` wants: (table, columns) for each join column and
// each look-up key's columns per table, leaving out a table's primary key (`primary_keys`, per
// table). May name the same index twice.
std::vector<std::pair<std::string, std::vector<std::string>>> WantedIndexes(
    const BaseRelation& relation, const StateTableSpec& spec,
    const std::vector<std::vector<std::string>>& primary_keys);

// The name of the index on `columns` of `table` (unquoted).
std::string IndexName(const std::string& table, const std::vector<std::string>& columns);

// "r<table>.<column>" for column `column` of the relation.
std::string ColumnSql(const BaseRelation& relation, size_t column, const Quote& quote);

// SELECT of the relation's columns with `condition` (if not empty) added to the joins and NULL
// exclusions.
std::string Select(const BaseRelation& relation, const Quote& quote, const std::string& condition);

// Throws Error(kInternal) naming `spec` when a row of `delta` is not spec.arity wide.
void CheckArity(const StateTableSpec& spec, const ZSet& delta);

// Collects the rows a look-up's SQL returns for the keys asked for. SQL equality is looser than
// structural equality (1 = '1' under SQLite's TEXT affinity, 1 = 1.0): only rows whose key is
// one asked for count. Each row returned adds 1 to its weight.
class LookupMatches {
 public:
  // For keys of the columns at `columns` of the relation's rows.
  LookupMatches(std::span<const Row> keys, const std::vector<size_t>& columns);
  // The distinct keys asked for, those without a NULL and those with one.
  const std::vector<const Row*>& plain_keys() const { return plain_; }
  const std::vector<const Row*>& null_keys() const { return with_null_; }
  // Counts `row` for its key, if asked for (and, with `only`, only when that is its key).
  void Add(Row row, const Row* only = nullptr);
  // Visits each key position with the rows of its key, each distinct row once with its count.
  void Visit(const StateTable::LookupVisitor& visit) const;

 private:
  const std::vector<size_t>& columns_;
  std::vector<const Row*> distinct_;  // the distinct keys, in order of first appearance
  PositionIndex index_;               // distinct_ by the keys' hashes
  // For each key position, the next position of the same key (or kNone); the first of each.
  std::vector<uint32_t> next_same_, first_;
  std::vector<const Row*> plain_, with_null_;
  std::vector<std::pair<uint32_t, Row>> matched_;  // (distinct key, row), in arrival order
};

}  // namespace zload::base_relation_sql
