#pragma once

// Reads a job's SQLite store the way any SQL client would, and checks its view tables against
// SQLite's own SELECT over the base tables.
#include <gtest/gtest.h>

#include <string>

#include "engine/zset.h"
#include "tests/support/zset_compare.h"

namespace zload::test {

// Runs the SELECT `sql` on the SQLite file at `db_path` and returns its rows, each result row
// counted once (equal rows add up). Values are SQLite's storage classes (INTEGER, REAL, TEXT,
// NULL). Throws Error(kIo) when the file cannot be opened and the store's Error for bad SQL.
ZSet QueryStore(const std::string& db_path, const std::string& sql);

// Runs one or more SQL statements on the SQLite file at `db_path` (creating it), discarding
// results: for tests that set up a store by hand or damage one on purpose. Throws Error(kSchema)
// with SQLite's message on failure.
void ExecStore(const std::string& db_path, const std::string& sql);

// The rows of view table `view` in the store at `db_path`, each weighted by its `_count_`
// column. Rows whose `_count_` is not positive are kept with that weight when non-zero; use
// CountNonPositiveWeights() to see zero weights, which a Z-set cannot hold. Fails (throws
// Error(kSchema)) when the table's last column is not `_count_`.
ZSet ReadViewTable(const std::string& db_path, const std::string& view);

// The number of rows of view table `view` whose `_count_` is zero or negative (a correct view
// table has none).
int64_t CountNonPositiveWeights(const std::string& db_path, const std::string& view);

// Checks view table `view` against SQLite's evaluation of `oracle_sql` over the same store:
// the weighted rows must equal the SELECT's multiset (REAL within `options`' tolerance), and no
// row may have a non-positive `_count_`. On failure the message shows both sides' excess rows.
::testing::AssertionResult ViewMatchesSelect(const std::string& db_path, const std::string& view,
                                             const std::string& oracle_sql,
                                             const CompareOptions& options = {});

}  // namespace zload::test
