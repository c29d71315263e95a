#pragma once

// Reads a PostgreSQL database the way any SQL client would, over a libpqxx connection of its
// own (independent of stores/postgres_*), and checks view tables against PostgreSQL's own SELECT
// over the base tables: the Postgres twin of job_fixture.h.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/zset.h"
#include "tests/support/zset_compare.h"

namespace zload::test {

// The Value of one non-NULL result field whose PostgreSQL type has OID `type_oid` and whose
// text form (ISO dates, hex BYTEA) is `text`, typed as PostgresJobStore stores values:
//   bigint, integer, smallint -> INTEGER;  double precision, real -> REAL (NaN, +-Infinity);
//   text, varchar, char, name, unknown -> TEXT;  boolean -> BOOLEAN;
//   timestamp (without time zone) -> TIMESTAMP, microseconds since 1970-01-01 (BC years too);
//   bytea -> the one value of a row codec encoding (stores/row_codec.h), as the store keeps
//            columns of no declared type;
//   numeric (what PostgreSQL's SUM and AVG of integers return) -> INTEGER when written without
//            a fraction or exponent and within int64, otherwise REAL: the types SQLite gives
//            SUM and AVG, so that an oracle SELECT needs no casts.
// Throws Error(kUnsupported) for any other type and Error(kInternal) for text that does not
// read as its type.
Value PgFieldValue(uint32_t type_oid, std::string_view text);

// One read connection to a PostgreSQL database. Session settings fix the text forms
// PgFieldValue reads (ISO dates, exact floats, hex BYTEA, UTF-8). Not thread-safe.
class PgReader {
 public:
  // Connects to `url` (postgresql://...). Throws Error(kIo) when it cannot.
  explicit PgReader(const std::string& url);
  ~PgReader();
  PgReader(const PgReader&) = delete;
  PgReader& operator=(const PgReader&) = delete;

  // Runs the SELECT `sql` and returns its rows, each result row counted once (equal rows add
  // up), values as PgFieldValue reads them. Throws Error(kSchema) with PostgreSQL's message
  // for bad SQL.
  ZSet Query(const std::string& sql);
  // Runs statements that return nothing (in one implicit transaction), for tests that damage
  // a store on purpose. Throws Error(kSchema) with PostgreSQL's message on failure.
  void Exec(const std::string& sql);
  // The rows of view table `view` (a name of at most 63 bytes), each weighted by its `_count_`
  // column, without its `_identity_` (or `_key_identity_`) column. Rows whose `_count_` is not
  // positive keep that weight when non-zero; see NonPositiveWeights(). Throws Error(kSchema) when
  // the table has no
  // `_count_` column.
  ZSet ViewTable(const std::string& view);
  // The number of rows of view table `view` whose `_count_` is zero or negative.
  int64_t NonPositiveWeights(const std::string& view);

 private:
  struct Connection;
  std::unique_ptr<Connection> conn_;
};

// Checks view table `view` against PostgreSQL's evaluation of `oracle_sql` over the same
// database: the weighted rows must equal the SELECT's multiset (REAL within `options`'
// tolerance), and no row may have a non-positive `_count_`. On failure the message shows both
// sides' excess rows.
::testing::AssertionResult PgViewMatchesSelect(PgReader& db, const std::string& view,
                                               const std::string& oracle_sql,
                                               const CompareOptions& options = {});

}  // namespace zload::test
