#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "engine/zset.h"
#include "tests/support/random_data.h"
#include "tests/support/zset_compare.h"

namespace zload::test {

// A base table of a view shape and how its random rows are drawn.
struct SourceSpec {
  std::string name;
  Schema schema;
  std::map<std::string, ColumnDomain> domains;  // by column name; others use ColumnDomain{}
};

// A view of a shape: compiled with CompileView and created in SQLite as CREATE VIEW.
struct ViewSpec {
  std::string name;
  std::string sql;
  // The SQL SQLite runs instead of `sql`, when the oracle must spell it differently (a
  // documented SQLite divergence, or a deliberately wrong oracle in a test of the checker);
  // empty: `sql`.
  std::string oracle_sql = {};
};

// A set of sources and views (later views may read earlier ones) checked together.
struct ViewShape {
  std::string name;
  std::vector<SourceSpec> sources;
  std::vector<ViewSpec> views;
  CompareOptions compare;
  BatchOptions batch;
};

// One input step: a delta per source, in the order of ViewShape::sources.
using Batch = std::vector<ZSet>;

}  // namespace zload::test
