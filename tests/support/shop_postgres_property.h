#pragma once

// The shop job property of shop_job_property.h on PostgreSQL. The same random runs (input files
// from shop_job_inputs.h; random batch sizes, source orders, rejecting and aborting runs, views
// joining in later runs) are done on a PostgreSQL store and, side by side, on an SQLite store.
// After every run:
// - the PostgreSQL base tables equal the model of what the files say;
// - every PostgreSQL view table equals PostgreSQL's own SELECT of the view over the base tables
//   (the view's SQL in PostgreSQL's dialect: see ShopPostgresView::pg_oracle_sql);
// - every PostgreSQL view table equals the SQLite store's view table after the same runs;
// - every SQLite view table equals SQLite's own SELECT (the oracle of shop_job_property.h).
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/shop_job_property.h"

namespace zload::test {

// One view of the PostgreSQL shop property with its two oracles.
struct ShopPostgresView {
  std::string name;
  std::string sql;            // the view's definition in the job config (SQLite's dialect)
  std::string sqlite_oracle;  // what SQLite runs over the base tables
  std::string pg_oracle_sql;  // what PostgreSQL runs over the base tables, with the same result
  std::string reads_view;     // the view this one reads, if any
};

// ShopViews() with their PostgreSQL oracles, then views that exercise where the two dialects
// differ (integer division by zero, comparisons as values, boolean literals, text order, SUM
// and AVG of integers), in config order.
const std::vector<ShopPostgresView>& ShopPostgresViews();

// Runs the shop job for `seed` on a fresh PostgreSQL database at `pg_url` (which must be empty)
// and on an SQLite store, as the file comment says, reporting every mismatch as a gtest failure
// that names the seed, the run and the batch size. Stops at the first failing run. With
// options.keep_failed_in, a failing job's configs, input files and SQLite store are kept there.
void RunShopPropertyOnPostgres(uint64_t seed, const std::string& pg_url,
                               const ShopPropertyOptions& options = {});

}  // namespace zload::test
