// Views compiled by CompileView, run incrementally over random batches and checked after
// every batch against (a) EvaluateFromScratch over the integrated sources and (b) SQLite
// running the same SQL over the same rows; plus exact checks of schemas, plans and edge cases.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/graph.h"
#include "engine/iteration.h"
#include "engine/memory_store.h"
#include "engine/sql/compiler.h"
#include "tests/support/sqlite_oracle.h"
#include "tests/support/view_batches.h"
#include "tests/support/view_check.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

SourceSpec TableT() {
  return {"t",
          Schema({{"id", Type::kInteger, false},
                  {"k", Type::kInteger, true},
                  {"s", Type::kText, true},
                  {"x", Type::kReal, true}}),
          {{"id", ColumnDomain{0, 20}},
           {"k", ColumnDomain{0, 5}},
           {"s", ColumnDomain{0, 0, 8}},
           {"x", ColumnDomain{}}}};
}

SourceSpec TableU() {
  return {
      "u",
      Schema({{"k", Type::kInteger, true}, {"v", Type::kText, true}, {"y", Type::kInteger, true}}),
      {{"k", ColumnDomain{0, 5}}, {"v", ColumnDomain{0, 0, 5}}, {"y", ColumnDomain{0, 5}}}};
}

SourceSpec TableW() {
  return {"w",
          Schema({{"v", Type::kText, true}, {"z", Type::kInteger, false}}),
          {{"v", ColumnDomain{0, 0, 5}}, {"z", ColumnDomain{0, 20}}}};
}

// Runs each view of `views` (over t, u and w) through random batches from a few seeds.
void CheckViews(const std::vector<ViewSpec>& views) {
  for (uint64_t seed : {11, 12, 13}) {
    ViewShape shape{"shape", {TableT(), TableU(), TableW()}, views, {}, {}};
    shape.batch.target_rows = 40;
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::vector<Batch> batches = RandomBatches(shape, seed, 25, 10);
    std::optional<CheckFailure> failure = CheckBatches(shape, batches);
    ASSERT_FALSE(failure) << "batch " << failure->batch << ": " << failure->report;
  }
}

TEST(SqlCompileTest, ProjectionAndFilters) {
  CheckViews({
      {"p1", "SELECT id, k + 1 AS k1, s || 'x', x * 2 FROM t WHERE k > 2 OR s LIKE 'a%'"},
      {"p2", "SELECT * FROM t WHERE k IS NULL OR x IS NOT NULL"},
      {"p3", "SELECT id FROM t WHERE k IN (1, 3, NULL) AND k NOT BETWEEN 2 AND 2"},
      {"p4", "SELECT t.* , id AS again FROM t WHERE NOT (s NOT LIKE '%b%') AND TRUE"},
      {"p5",
       "SELECT k / 2, k % 3, -k, NOT k, k = 2, k <> 2, k >= 1 AND k <= 3, TRUE, FALSE, "
       "NULL FROM t"},
  });
}

TEST(SqlCompileTest, ScalarFunctionsCaseAndCast) {
  CheckViews({
      {"f1",
       "SELECT CASE WHEN k < 3 THEN 'lo' WHEN k >= 3 THEN 'hi' ELSE 'none' END AS c, "
       "CASE k WHEN 1 THEN x END, COALESCE(s, 'none'), COALESCE(k, x, 0) FROM t"},
      {"f2",
       "SELECT CAST(k AS TEXT), CAST(x AS INTEGER), CAST(s AS REAL), lower(s), upper(s), "
       "length(s), abs(k - 3) FROM t"},
  });
}

TEST(SqlCompileTest, InnerJoins) {
  CheckViews({
      {"j1", "SELECT t.id, u.v FROM t JOIN u ON t.k = u.k"},
      {"j2",
       "SELECT t.id, u.v, w.z FROM t JOIN u ON t.k = u.k "
       "INNER JOIN w ON w.v = u.v AND w.z > t.id"},
      {"j3", "SELECT t.id, u.y FROM t JOIN u ON t.k + 1 = u.y AND u.y > 1 AND t.s <> 'a'"},
      {"j4", "SELECT t.id, u.k FROM t, u WHERE t.k = u.k AND u.y < 3"},
      {"j5", "SELECT t.id, u.y FROM t JOIN u ON t.x = u.y"},
      {"j6", "SELECT a.id, b.id FROM t AS a JOIN t b ON a.k = b.k AND a.id < b.id"},
      {"j7", "SELECT u.*, t.id FROM t JOIN u ON t.k = u.k WHERE t.x > 0"},
      {"j8", "SELECT t.k, COUNT(*) FROM t JOIN u ON t.k = u.k GROUP BY t.k HAVING MAX(u.y) > 2"},
      {"j9", "SELECT T.ID, U.V FROM t JOIN u ON T.K = U.K"},
  });
}

TEST(SqlCompileTest, LeftJoins) {
  CheckViews({
      {"l1", "SELECT t.id, u.v FROM t LEFT JOIN u ON t.k = u.k"},
      {"l2", "SELECT t.id, u.v, u.y FROM t LEFT OUTER JOIN u ON u.k = t.k AND u.y > 2"},
      {"l3", "SELECT t.id, u.v, w.z FROM t LEFT JOIN u ON t.k = u.k LEFT JOIN w ON w.v = u.v"},
      {"l4", "SELECT t.id, u.v FROM t LEFT JOIN u ON u.y = 3"},
      {"l5", "SELECT u.v, t.id, w.z FROM u JOIN w ON u.v = w.v LEFT JOIN t ON t.k = u.k"},
      {"l6", "SELECT t.id, u.y FROM t LEFT JOIN u ON t.k * 2 = u.y + 1"},
  });
}

TEST(SqlCompileTest, Aggregates) {
  CheckViews({
      {"a1", "SELECT k, COUNT(*), COUNT(x), SUM(k), MIN(s), MAX(x), AVG(x) FROM t GROUP BY k"},
      {"a2", "SELECT COUNT(*), SUM(x), MIN(k), max(s) FROM t"},
      {"a3",
       "SELECT k % 2 AS parity, SUM(x * 2) + 1 FROM t WHERE id > 0 GROUP BY k % 2 "
       "HAVING COUNT(*) > 1"},
      {"a4",
       "SELECT u.v, COUNT(t.id), SUM(t.x) FROM u LEFT JOIN t ON t.k = u.k GROUP BY u.v "
       "HAVING SUM(t.x) IS NOT NULL OR COUNT(*) > 2"},
      {"a5", "SELECT k + 1 AS g, COUNT(*) FROM t GROUP BY 1"},
      {"a6", "SELECT k + 1 AS g, MAX(id) - MIN(id) AS spread FROM t GROUP BY g HAVING g > 2"},
      {"a7", "SELECT k FROM t GROUP BY k"},
      {"a8", "SELECT s, k, COUNT(*) AS n FROM t GROUP BY s, k HAVING n >= 2"},
      {"a9", "SELECT COUNT(*) FROM t HAVING COUNT(*) > 3"},
  });
}

TEST(SqlCompileTest, DistinctAndDistinctAggregates) {
  CheckViews({
      {"d1", "SELECT DISTINCT k, s FROM t"},
      {"d2", "SELECT DISTINCT t.k % 2 FROM t JOIN u ON t.k = u.k"},
      {"d3", "SELECT s, COUNT(DISTINCT k) FROM t GROUP BY s"},
      {"d4", "SELECT SUM(DISTINCT k), COUNT(DISTINCT k) FROM t"},
      {"d5", "SELECT DISTINCT COUNT(*) FROM t GROUP BY k"},
  });
}

TEST(SqlCompileTest, ViewOverView) {
  CheckViews({
      {"v1", "SELECT k, COUNT(*) AS n, SUM(x) AS total FROM t GROUP BY k"},
      {"v2", "SELECT v1.k, v1.n, u.v FROM v1 JOIN u ON v1.k = u.k WHERE v1.n > 1"},
      {"v3", "SELECT n, COUNT(*) FROM v1 GROUP BY n"},
      {"v4", "SELECT * FROM t JOIN u ON t.k = u.k"},
      {"v5", "SELECT \"k:1\", v FROM v4 WHERE \"k:1\" > 2"},
  });
}

// Builds a graph with sources t and u, for the exact tests below.
struct Fixture {
  Graph graph;
  RelationCatalog catalog;
  VertexId t = 0, u = 0;
  Fixture() {
    t = graph.AddSource("t", TableT().schema);
    u = graph.AddSource("u", TableU().schema);
    catalog.Add({"t", t, TableT().schema});
    catalog.Add({"U", u, TableU().schema});
  }
};

Row R(std::initializer_list<Value> values) { return Row(values); }
Value I(int64_t v) { return Value::Integer(v); }
Value S(const std::string& v) { return Value::Text(v); }

TEST(SqlCompileTest, OutputSchemaFollowsSqliteNames) {
  Fixture f;
  CompiledView view = CompileView(
      f.graph, f.catalog, "names",
      "SELECT id, T.k, t.k  +  1, x AS \"Renamed\", COUNT(*) OVER_NOT_A_KEYWORD_ALIAS, u.k, "
      "(s), id, id IS NULL FROM t JOIN u ON t.k = u.k GROUP BY id, t.k, x, u.k, s");
  std::vector<std::string> names;
  for (const Column& c : view.schema.columns()) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"id", "k", "t.k  +  1", "Renamed", "OVER_NOT_A_KEYWORD_ALIAS",
                                      "k:1", "s", "id:1", "id IS NULL"}));
  EXPECT_EQ(view.schema[0].type, Type::kInteger);
  EXPECT_FALSE(view.schema[0].nullable);
  EXPECT_TRUE(view.schema[1].nullable);
  EXPECT_EQ(view.schema[3].type, Type::kReal);
  EXPECT_EQ(view.schema[4].type, Type::kInteger);
  EXPECT_FALSE(view.schema[4].nullable);
  EXPECT_FALSE(view.schema[8].nullable);
  EXPECT_EQ(view.name, "names");
  EXPECT_EQ(f.graph.vertex(view.output).schema, view.schema);
  // Every vertex of the view is named after it.
  for (VertexId id = f.u + 1; id < f.graph.size(); ++id) {
    EXPECT_EQ(f.graph.vertex(id).name.rfind("names__", 0), 0u) << f.graph.ToString();
  }
}

TEST(SqlCompileTest, RealArithmeticOfNeverNullOperandsMayBeNull) {
  Graph graph;
  RelationCatalog catalog;
  Schema schema({{"i", Type::kInteger, false}, {"x", Type::kReal, false}});
  const VertexId r = graph.AddSource("r", schema);
  catalog.Add({"r", r, schema});
  CompiledView view = CompileView(
      graph, catalog, "v", "SELECT i + i, i * i - i, x * x - x * x, i * x, -x, x + 1 FROM r");
  // Integer arithmetic is NULL only for a NULL operand (an overflow turns REAL, never NaN); REAL
  // arithmetic is NULL where it makes NaN (infinity less infinity, zero times infinity).
  ASSERT_EQ(view.schema.size(), 6u);
  EXPECT_FALSE(view.schema[0].nullable);
  EXPECT_FALSE(view.schema[1].nullable);
  EXPECT_TRUE(view.schema[2].nullable);
  EXPECT_TRUE(view.schema[3].nullable);
  EXPECT_FALSE(view.schema[4].nullable);
  EXPECT_TRUE(view.schema[5].nullable);
  MemoryStore store;
  graph.Bind(store);
  ZSet in{{R({I(0), Value::Real(1e200)}), 1}};
  ZSet out = RunIteration(graph, {{r, in}})[view.output];
  ZSet expected{
      {R({I(0), I(0), Value(), Value::Real(0), Value::Real(-1e200), Value::Real(1e200)}), 1}};
  EXPECT_TRUE(ZSetsMatch(out, expected));
}

// The names of the columns of the rows out of the view's only join vertex.
std::vector<std::string> JoinedColumns(const Graph& graph) {
  std::vector<std::string> names;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const Vertex& v = graph.vertex(id);
    if (v.name.find("_join") == std::string::npos) continue;
    EXPECT_TRUE(names.empty()) << graph.ToString();
    for (const Column& c : v.schema.columns()) names.push_back(c.name);
  }
  return names;
}

TEST(SqlCompileTest, JoinsCarryOnlyTheColumnsTheViewReads) {
  Fixture narrow;
  CompileView(narrow.graph, narrow.catalog, "n",
              "SELECT t.id, SUM(U.y) FROM t JOIN u ON t.k = u.k GROUP BY t.id");
  EXPECT_EQ(JoinedColumns(narrow.graph), (std::vector<std::string>{"id", "k", "k", "y"}));
  Fixture star;
  CompileView(star.graph, star.catalog, "s", "SELECT u.*, t.id FROM t JOIN u ON t.k = u.k");
  EXPECT_EQ(JoinedColumns(star.graph), (std::vector<std::string>{"id", "k", "k", "v", "y"}));
  Fixture all;
  CompileView(all.graph, all.catalog, "a", "SELECT * FROM t JOIN u ON t.k = u.k");
  EXPECT_EQ(JoinedColumns(all.graph),
            (std::vector<std::string>{"id", "k", "s", "x", "k", "v", "y"}));
}

TEST(SqlCompileTest, LeftJoinPadsZeroOneAndManyMatches) {
  Fixture f;
  CompiledView view =
      CompileView(f.graph, f.catalog, "lj", "SELECT t.id, u.v FROM t LEFT JOIN u ON t.k = u.k");
  EXPECT_TRUE(view.schema[1].nullable);
  MemoryStore store;
  f.graph.Bind(store);
  auto trow = [](int64_t id, Value k) { return R({I(id), std::move(k), Value(), Value()}); };
  ZSet t{{trow(1, I(1)), 1}, {trow(2, I(2)), 1}, {trow(3, I(3)), 2}, {trow(4, Value()), 1}};
  ZSet u{{R({I(2), S("two"), I(0)}), 1},
         {R({I(3), S("three"), I(0)}), 1},
         {R({I(3), S("THREE"), I(0)}), 1},
         {R({Value(), S("null"), I(0)}), 1}};
  ZSet out = RunIteration(f.graph, {{f.t, t}, {f.u, u}})[view.output];
  ZSet expected{{R({I(1), Value()}), 1},
                {R({I(2), S("two")}), 1},
                {R({I(3), S("three")}), 2},
                {R({I(3), S("THREE")}), 2},
                {R({I(4), Value()}), 1}};
  EXPECT_TRUE(ZSetsMatch(out, expected));
  // Taking away the only match of id 2 brings its padded row back.
  ZSet change = RunIteration(f.graph, {{f.u, ZSet{{R({I(2), S("two"), I(0)}), -1}}}})[view.output];
  EXPECT_TRUE(ZSetsMatch(change, ZSet{{R({I(2), S("two")}), -1}, {R({I(2), Value()}), 1}}));
}

TEST(SqlCompileTest, NullKeysNeverMatchAndGroupTogether) {
  Fixture f;
  CompiledView join =
      CompileView(f.graph, f.catalog, "j", "SELECT t.id FROM t JOIN u ON t.k = u.k");
  CompiledView group = CompileView(f.graph, f.catalog, "g", "SELECT k, COUNT(*) FROM t GROUP BY k");
  MemoryStore store;
  f.graph.Bind(store);
  ZSet t{{R({I(1), Value(), Value(), Value()}), 1}, {R({I(2), Value(), S("a"), Value()}), 2}};
  ZSet u{{R({Value(), S("x"), Value()}), 1}};
  std::vector<ZSet> out = RunIteration(f.graph, {{f.t, t}, {f.u, u}});
  EXPECT_TRUE(out[join.output].empty()) << out[join.output].ToString();
  EXPECT_TRUE(ZSetsMatch(out[group.output], ZSet{{R({Value(), I(3)}), 1}}));
}

TEST(SqlCompileTest, FailedCompileLeavesGraphUntouched) {
  Fixture f;
  const size_t before = f.graph.size();
  EXPECT_THROW(CompileView(f.graph, f.catalog, "bad",
                           "SELECT t.id FROM t JOIN u ON t.k = u.k WHERE nope > 1"),
               Error);
  EXPECT_EQ(f.graph.size(), before);
  CompiledView ok = CompileView(f.graph, f.catalog, "bad", "SELECT id FROM t");
  EXPECT_EQ(f.graph.vertex(ok.output).name, "bad__1_map");
}

}  // namespace
}  // namespace zload::test
