// Every way CompileView refuses a view: the exact ErrorCode, the line and column of the
// offending text, and the view named as the error's file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/graph.h"
#include "engine/sql/compiler.h"

namespace zload {
namespace {

struct Case {
  std::string sql;
  ErrorCode code;
  int64_t line;
  int64_t column;
  std::string mentions;  // a part of the message
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sql; }

class SqlErrorsTest : public ::testing::TestWithParam<Case> {};

TEST_P(SqlErrorsTest, ReportsCodeAndPosition) {
  const Case& c = GetParam();
  Graph graph;
  RelationCatalog catalog;
  Schema t({{"id", Type::kInteger, false}, {"k", Type::kInteger}, {"s", Type::kText}});
  Schema u({{"k", Type::kInteger}, {"v", Type::kText}});
  catalog.Add({"t", graph.AddSource("t", t), t});
  catalog.Add({"u", graph.AddSource("u", u), u});
  try {
    CompileView(graph, catalog, "v", c.sql);
    FAIL() << "compiled without error";
  } catch (const Error& e) {
    EXPECT_EQ(ErrorCodeName(e.code()), std::string(ErrorCodeName(c.code))) << e.what();
    EXPECT_EQ(e.context().file, "view v");
    EXPECT_EQ(e.context().line, c.line) << e.what();
    EXPECT_EQ(e.context().column, c.column) << e.what();
    EXPECT_NE(e.message().find(c.mentions), std::string::npos) << e.what();
  }
  EXPECT_EQ(graph.size(), 2u) << "a failed view must add no vertex";
}

const ErrorCode kSchema = ErrorCode::kSchema;
const ErrorCode kParse = ErrorCode::kParse;
const ErrorCode kUnsupported = ErrorCode::kUnsupported;

INSTANTIATE_TEST_SUITE_P(
    All, SqlErrorsTest,
    ::testing::Values(
        // Names.
        Case{"SELECT id,\n  nope FROM t", kSchema, 2, 3, "no such column: nope"},
        Case{"SELECT t.nope FROM t", kSchema, 1, 10, "no such column: t.nope"},
        Case{"SELECT id FROM missing", kSchema, 1, 16, "no such table: missing"},
        Case{"SELECT z.id FROM t", kSchema, 1, 8, "no such table: z"},
        Case{"SELECT t.id FROM t AS a", kSchema, 1, 8, "no such table: t"},
        Case{"SELECT zz.* FROM t", kSchema, 1, 8, "no such table: zz"},
        Case{"SELECT id FROM t JOIN u ON t.k = u.k\n WHERE\n   k > 1", kSchema, 3, 4,
             "ambiguous column name: k"},
        Case{"SELECT k FROM t, u", kSchema, 1, 8, "ambiguous column name: k"},
        Case{"SELECT id FROM t JOIN u ON t.k = u.nope", kSchema, 1, 36, "no such column"},
        Case{"SELECT id FROM t WHERE id IN (1, bad)", kSchema, 1, 34, "no such column: bad"},
        // Syntax.
        Case{"SELECT id FROM t WHERE", kParse, 1, 23, "syntax error"},
        Case{"SELECT id\nFROM t\nWHERE (k > 1", kParse, 3, 13, "syntax error"},
        Case{"SELECT id,, k FROM t", kParse, 1, 11, "syntax error"},
        // Outside the subset.
        Case{"SELECT id FROM t\nORDER BY id", kUnsupported, 2, 1, "ORDER BY"},
        Case{"SELECT id FROM t WHERE k IN (SELECT k FROM u)", kUnsupported, 1, 30, "subquery"},
        Case{"SELECT id FROM t WHERE EXISTS (SELECT 1)", kUnsupported, 1, 24, "EXISTS"},
        Case{"SELECT foo(id) FROM t", kUnsupported, 1, 8, "foo"},
        Case{"SELECT id, max(k, id) FROM t", kUnsupported, 1, 12, "max"},
        Case{"SELECT 1", kUnsupported, 1, 1, "without FROM"},
        Case{"SELECT id, COUNT(*) FROM t", kUnsupported, 1, 8, "id"},
        Case{"SELECT k, s FROM t GROUP BY k", kUnsupported, 1, 11, "s"},
        Case{"SELECT id FROM t LEFT JOIN u ON t.k = u.k AND t.id > 1", kUnsupported, 1, 47,
             "LEFT JOIN"},
        Case{"SELECT id FROM t LEFT JOIN u ON t.s = u.k", kUnsupported, 1, 33, "LEFT JOIN"},
        Case{"SELECT COUNT(DISTINCT k), SUM(id) FROM t", kUnsupported, 1, 27, "DISTINCT"},
        // Misused functions and aggregates.
        Case{"SELECT id FROM t WHERE COUNT(*) > 1", kSchema, 1, 24, "misuse of aggregate"},
        Case{"SELECT SUM(MAX(k)) FROM t", kSchema, 1, 12, "misuse of aggregate"},
        Case{"SELECT k FROM t GROUP BY SUM(k)", kSchema, 1, 26, "misuse of aggregate"},
        Case{"SELECT lower(s, s) FROM t", kSchema, 1, 8, ""},
        Case{"SELECT coalesce(s) FROM t", kSchema, 1, 8, "wrong number of arguments"},
        Case{"SELECT SUM(k, id) FROM t", kSchema, 1, 8, "wrong number of arguments"},
        Case{"SELECT k, COUNT(*) FROM t GROUP BY 3", kSchema, 1, 36, "out of range"}));

}  // namespace
}  // namespace zload
