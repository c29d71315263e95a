// The SQL lexer and parser: SQLite's precedence, every construct of the subset rendered to a
// canonical text (and parsed back to the same text), positions, and rejected syntax.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "engine/sql/ast_printer.h"
#include "engine/sql/lexer.h"
#include "engine/sql/parser.h"

namespace zload::sql {
namespace {

std::string Expr(const std::string& text) { return ToCanonicalSql(*ParseExpression(text, "test")); }

std::string Select(const std::string& text) { return ToCanonicalSql(ParseSelect(text, "test")); }

TEST(SqlParserTest, PrecedenceFollowsSqlite) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a OR b AND c", "(a OR (b AND c))"},
      {"a AND b OR c", "((a AND b) OR c)"},
      {"NOT a AND b", "((NOT a) AND b)"},
      {"NOT a = b", "(NOT (a = b))"},
      {"NOT NOT a", "(NOT (NOT a))"},
      {"a = b < c", "(a = (b < c))"},
      {"a < b = c", "((a < b) = c)"},
      {"a = b = c", "((a = b) = c)"},
      {"a == b <> c != d", "(((a = b) <> c) <> d)"},
      {"a < b + c", "(a < (b + c))"},
      {"a + b * c", "(a + (b * c))"},
      {"a - b - c", "((a - b) - c)"},
      {"a * b / c % d", "(((a * b) / c) % d)"},
      {"a * b || c", "(a * (b || c))"},
      {"a || b || c", "((a || b) || c)"},
      {"-a || b", "((-a) || b)"},
      {"- - a", "(-(-a))"},
      {"+a * -b", "((+a) * (-b))"},
      {"(a + b) * c", "((a + b) * c)"},
      {"a + b IS NULL", "((a + b) IS NULL)"},
      {"a IS NOT NULL AND b ISNULL", "((a IS NOT NULL) AND (b IS NULL))"},
      {"a NOTNULL OR a NOT NULL", "((a IS NOT NULL) OR (a IS NOT NULL))"},
      {"a + 1 IN (1, 2 + 3)", "((a + 1) IN (1, (2 + 3)))"},
      {"a NOT IN ()", "(a NOT IN ())"},
      {"a BETWEEN b + 1 AND c AND d", "((a BETWEEN (b + 1) AND c) AND d)"},
      {"a NOT BETWEEN 1 AND 2", "(a NOT BETWEEN 1 AND 2)"},
      {"a || 'x' LIKE 'a%' = 1", "(((a || 'x') LIKE 'a%') = 1)"},
      {"a NOT LIKE b", "(a NOT LIKE b)"},
      {"NOT a LIKE b", "(NOT (a LIKE b))"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(Expr(input), expected);
    EXPECT_EQ(Expr(expected), expected);  // the canonical text parses to itself
  }
}

TEST(SqlParserTest, LiteralsAndNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"'it''s'", "'it''s'"},
      {"''", "''"},
      {"42", "42"},
      {"1.5", "1.5"},
      {".5", "0.5"},
      {"1e3", "1000.0"},
      {"2.5E-1", "0.25"},
      {"99999999999999999999", "1e+20"},
      {"NULL", "NULL"},
      {"null", "NULL"},
      {"TRUE", "1"},
      {"false", "0"},
      {"\"my col\"", "\"my col\""},
      {"\"a\"\"b\"", "\"a\"\"b\""},
      {"[x y]", "\"x y\""},
      {"`t`.`c`", "t.c"},
      {"T.Col", "T.Col"},
      {"\"select\"", "\"select\""},
      {"a /* inline */ + -- to the end of the line\n b", "(a + b)"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(Expr(input), expected);
  }
}

TEST(SqlParserTest, FunctionsCaseAndCast) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count(*)", "COUNT(*)"},
      {"Count(DISTINCT a + 1)", "COUNT(DISTINCT (a + 1))"},
      {"sum(a) + max(b)", "(SUM(a) + MAX(b))"},
      {"coalesce(a, b, 0)", "COALESCE(a, b, 0)"},
      {"lower(upper(a))", "LOWER(UPPER(a))"},
      {"round(a, 2)", "ROUND(a, 2)"},
      {"CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END",
       "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"},
      {"case a + 1 when 1 then 'x' end", "CASE (a + 1) WHEN 1 THEN 'x' END"},
      {"cast(a as integer)", "CAST(a AS INTEGER)"},
      {"CAST(a || 'x' AS text)", "CAST((a || 'x') AS TEXT)"},
      {"CAST(a AS REAL) + CAST(b AS BOOLEAN)", "(CAST(a AS REAL) + CAST(b AS BOOLEAN))"},
      {"CAST(a AS TIMESTAMP)", "CAST(a AS TIMESTAMP)"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(Expr(input), expected);
    EXPECT_EQ(Expr(expected), expected);
  }
}

TEST(SqlParserTest, SelectStatementsRoundTrip) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"select * from t", "SELECT * FROM t"},
      {"SELECT ALL a FROM t;", "SELECT a FROM t"},
      {"SELECT DISTINCT a x, b AS \"y z\", t.* FROM t",
       "SELECT DISTINCT a AS x, b AS \"y z\", t.* FROM t"},
      {"SELECT a FROM t AS u JOIN v w ON u.a = w.a",
       "SELECT a FROM t AS u INNER JOIN v AS w ON (u.a = w.a)"},
      {"SELECT a FROM t INNER JOIN u ON 1 LEFT OUTER JOIN v ON v.x = t.x LEFT JOIN w ON 1",
       "SELECT a FROM t INNER JOIN u ON 1 LEFT JOIN v ON (v.x = t.x) LEFT JOIN w ON 1"},
      {"SELECT a FROM t, u CROSS JOIN v", "SELECT a FROM t INNER JOIN u INNER JOIN v"},
      {"SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a, b HAVING count(*) > 2",
       "SELECT a, COUNT(*) FROM t WHERE (b > 1) GROUP BY a, b HAVING (COUNT(*) > 2)"},
  };
  for (const auto& [input, expected] : cases) {
    SCOPED_TRACE(input);
    EXPECT_EQ(Select(input), expected);
    EXPECT_EQ(Select(expected), expected);
  }
}

TEST(SqlParserTest, RecordsPositionsAndText) {
  SelectStmt stmt = ParseSelect("SELECT a,\n  b  +  1 AS c,\n  COUNT( * )\nFROM t", "test");
  ASSERT_EQ(stmt.items.size(), 3u);
  EXPECT_EQ(stmt.items[0].text, "a");
  EXPECT_EQ(stmt.items[1].text, "b  +  1");
  EXPECT_EQ(stmt.items[2].text, "COUNT( * )");
  const AstExpr& sum = *stmt.items[1].expr;
  EXPECT_EQ(sum.pos.line, 2);
  EXPECT_EQ(sum.pos.column, 3);
  EXPECT_EQ(sum.args[1]->pos.line, 2);
  EXPECT_EQ(sum.args[1]->pos.column, 9);
  ASSERT_EQ(stmt.from.size(), 1u);
  EXPECT_EQ(stmt.from[0].pos.line, 4);
  EXPECT_EQ(stmt.from[0].pos.column, 6);
  SelectStmt q = ParseSelect("SELECT (x.y) FROM t", "test");
  EXPECT_EQ(q.items[0].text, "(x.y)");
  EXPECT_EQ(q.items[0].expr->name_pos.column, 11);
  EXPECT_EQ(q.items[0].expr->table_pos.column, 9);
}

// Parses `sql` as a SELECT and returns the error it must throw.
Error ErrorOf(const std::string& sql) {
  try {
    ParseSelect(sql, "view v");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << sql;
  return Error(ErrorCode::kInternal, "none");
}

TEST(SqlParserTest, SyntaxErrorsCarryPositions) {
  struct Case {
    std::string sql;
    int64_t line, column;
  };
  const std::vector<Case> cases = {
      {"SELECT FROM t", 1, 8},           {"SELECT a FROM", 1, 14},
      {"SELECT a + FROM t", 1, 12},      {"SELECT a\nFROM t WHERE", 2, 13},
      {"SELECT (a FROM t", 1, 11},       {"SELECT 'abc FROM t", 1, 8},
      {"SELECT a FROM t x y", 1, 19},    {"SELECT a # b FROM t", 1, 10},
      {"SELECT CASE END FROM t", 1, 13}, {"SELECT a FROM t /* open", 1, 17},
      {"SELECT 12abc FROM t", 1, 8},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    Error e = ErrorOf(c.sql);
    EXPECT_EQ(e.code(), ErrorCode::kParse) << e.what();
    EXPECT_EQ(e.context().file, "view v");
    EXPECT_EQ(e.context().line, c.line) << e.what();
    EXPECT_EQ(e.context().column, c.column) << e.what();
  }
}

TEST(SqlParserTest, UnsupportedConstructsAreNamedWithPositions) {
  struct Case {
    std::string sql;
    std::string named;
    int64_t column;
  };
  const std::vector<Case> cases = {
      {"SELECT a FROM t ORDER BY a", "ORDER BY", 17},
      {"SELECT a FROM t LIMIT 1", "LIMIT", 17},
      {"SELECT a FROM t UNION SELECT a FROM u", "compound", 17},
      {"SELECT a FROM t WHERE a IN (SELECT b FROM u)", "subquery", 29},
      {"SELECT (SELECT 1) FROM t", "subquery", 9},
      {"SELECT a FROM (SELECT a FROM t)", "subquery", 16},
      {"SELECT a FROM t WHERE EXISTS (SELECT 1)", "EXISTS", 23},
      {"SELECT sum(a) OVER () FROM t", "window", 15},
      {"SELECT a FROM t RIGHT JOIN u ON 1", "RIGHT JOIN", 17},
      {"SELECT a FROM t FULL JOIN u ON 1", "FULL JOIN", 17},
      {"SELECT a FROM t NATURAL JOIN u", "NATURAL", 17},
      {"SELECT a FROM t JOIN u USING (a)", "USING", 24},
      {"SELECT a COLLATE nocase FROM t", "COLLATE", 10},
      {"SELECT a & 1 FROM t", "bitwise", 10},
      {"SELECT a GLOB 'x' FROM t", "GLOB", 10},
      {"SELECT a IS b FROM t", "IS", 10},
      {"SELECT ? FROM t", "parameter", 8},
      {"WITH x AS (SELECT 1) SELECT * FROM x", "WITH", 1},
      {"SELECT CAST(a AS VARCHAR) FROM t", "VARCHAR", 18},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    Error e = ErrorOf(c.sql);
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << e.what();
    EXPECT_NE(e.message().find(c.named), std::string::npos) << e.message();
    EXPECT_EQ(e.context().line, 1);
    EXPECT_EQ(e.context().column, c.column) << e.what();
  }
}

TEST(SqlLexerTest, TracksLinesColumnsAndEscapes) {
  std::vector<Token> tokens = Tokenize("a\n  'x''y' -- c\n\t\"q\"\"r\" <= 1.5e2", "f");
  ASSERT_EQ(tokens.size(), 6u);
  EXPECT_EQ(tokens[1].kind, TokenKind::kString);
  EXPECT_EQ(tokens[1].text, "x'y");
  EXPECT_EQ(tokens[1].pos.line, 2);
  EXPECT_EQ(tokens[1].pos.column, 3);
  EXPECT_EQ(tokens[2].text, "q\"r");
  EXPECT_TRUE(tokens[2].quoted);
  EXPECT_EQ(tokens[2].pos.line, 3);
  EXPECT_EQ(tokens[2].pos.column, 2);
  EXPECT_TRUE(tokens[3].IsOp("<="));
  EXPECT_EQ(tokens[4].kind, TokenKind::kReal);
  EXPECT_EQ(tokens[5].kind, TokenKind::kEnd);
}

}  // namespace
}  // namespace zload::sql
