#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "engine/schema.h"
#include "stores/postgres_db.h"
#include "stores/postgres_job_store.h"
#include "stores/postgres_values.h"
#include "stores/row_codec.h"

// What the files of PostgresJobStore share: the shape of a base or view table with the texts of
// its statements, and the helpers they use. Private to stores/postgres_job_store*.cc.
namespace zload {
namespace postgres_job_tables {

using postgres::ArrayLiteral;
using postgres::FieldValue;
using postgres::PgType;
using postgres::QuoteIdentifier;
using postgres::ToText;
using postgres::TypeOfPg;

using postgres::ExecPrepared;
using postgres::kCopyRows;
using postgres::kWriteChunk;

inline constexpr size_t kLookupChunk = 1000;  // keys per look-up statement

// The column of a keyed view's table that holds the identity of each row's key; its comment,
// kViewKeyComment followed by the key's column positions ("0,2"), names the key.
inline constexpr const char* kKeyIdentityColumn = "_key_identity_";
inline constexpr std::string_view kViewKeyComment = "zload view key columns: ";

// The quoted SQL name of a table or column: names over 63 bytes are shortened, keeping distinct
// names distinct, rather than refused (view columns are often named by long expressions).
inline std::string SqlName(std::string_view name) {
  return QuoteIdentifier(postgres::FitIdentifier(name));
}

// The bytes of a row identity, as a BYTEA parameter takes them.
inline std::string_view Bytes(const RowIdentity& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

}  // namespace postgres_job_tables

// The shape of one base or view table and the texts of its statements.
struct PostgresJobStore::TableInfo {
  std::string name, q;              // the name, and quoted
  Schema schema;                    // without `_count_` and `_identity_`
  std::vector<std::string> types;   // per column: its PostgreSQL type, for casts
  std::vector<std::string> cols;    // per column: its quoted name
  bool is_view = false;             // has `_count_` and `_identity_` or `_key_identity_`
  bool keyed_view = false;          // a view table of one row per key: `_key_identity_`
  std::vector<size_t> primary_key;  // column positions, in key order
  std::vector<size_t> view_key;     // a keyed view's key columns, from the comment
  std::string read_sql, insert_sql, lookup_sql, weights_sql, update_sql, delete_sql;
  std::string upsert_sql, keyed_read_sql;  // a keyed view's
  std::vector<std::string> copy_cols;      // the columns an insert fills, quoted

  // "$<first>::<type>[]" for each column in `positions`.
  std::string Arrays(const std::vector<size_t>& positions, size_t first) const {
    std::vector<std::string> out;
    for (size_t k = 0; k < positions.size(); ++k) {
      out.push_back(fmt::format("${}::{}[]", first + k, types[positions[k]]));
    }
    return fmt::format("{}", fmt::join(out, ", "));
  }
  // WHERE terms matching every column of `row`: `= $k` for values, IS NULL for NULLs.
  std::string MatchRow(const Row& row) const {
    std::vector<std::string> terms;
    int param = 1;
    for (size_t c = 0; c < cols.size(); ++c) {
      terms.push_back(row[c].is_null() ? cols[c] + " IS NULL"
                                       : fmt::format("{} = ${}::{}", cols[c], param++, types[c]));
    }
    return fmt::format("{}", fmt::join(terms, " AND "));
  }
  // The texts of the non-NULL values of `row`, as MatchRow numbers them.
  std::vector<std::string> MatchParams(const Row& row) const {
    std::vector<std::string> out;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (auto text = postgres::ToText(row[c], schema[c].type)) out.push_back(std::move(*text));
    }
    return out;
  }
  // The row as read by read_sql's columns from `r`.
  Row RowOf(const pqxx::row& r) const {
    Row row;
    row.reserve(schema.size());
    for (size_t c = 0; c < schema.size(); ++c)
      row.push_back(postgres::FieldValue(r[static_cast<pqxx::row::size_type>(c)], schema[c].type));
    return row;
  }
  void CheckWidth(const Row& row) const {
    if (row.size() != schema.size()) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("row of width {} for a table of width {}", row.size(), schema.size()),
                  {.table = name});
    }
  }
};

}  // namespace zload
