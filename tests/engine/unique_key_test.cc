// Which compiled views have rows identified by some of their columns.
#include "engine/unique_key.h"

#include <gtest/gtest.h>

#include "engine/sql/compiler.h"

namespace zload {
namespace {

std::optional<std::vector<size_t>> KeyOf(const std::string& sql) {
  Graph graph;
  RelationCatalog catalog;
  Schema t({{"a", Type::kInteger}, {"b", Type::kText}, {"x", Type::kReal}});
  Schema u({{"a", Type::kInteger}, {"y", Type::kInteger}});
  catalog.Add({"t", graph.AddSource("t", t), t});
  catalog.Add({"u", graph.AddSource("u", u), u});
  return UniqueKey(graph, CompileView(graph, catalog, "v", sql).output);
}

using Key = std::optional<std::vector<size_t>>;

TEST(UniqueKeyTest, GroupColumnsIdentifyRows) {
  EXPECT_EQ(KeyOf("SELECT a, b, SUM(x) FROM t GROUP BY a, b"), (Key{{0, 1}}));
  EXPECT_EQ(KeyOf("SELECT SUM(x) AS s, a FROM t GROUP BY a"), (Key{{1}}));
  EXPECT_EQ(KeyOf("SELECT a, MIN(x) FROM t GROUP BY a HAVING COUNT(*) > 2"), (Key{{0}}));
  EXPECT_EQ(KeyOf("SELECT t.a, SUM(u.y) FROM t JOIN u ON t.a = u.a GROUP BY t.a"), (Key{{0}}));
}

TEST(UniqueKeyTest, NoKeyWhenAGroupColumnIsNotPassedThrough) {
  EXPECT_EQ(KeyOf("SELECT a + 1, SUM(x) FROM t GROUP BY a"), std::nullopt);
  EXPECT_EQ(KeyOf("SELECT SUM(x) FROM t GROUP BY a"), std::nullopt);
  EXPECT_EQ(KeyOf("SELECT COUNT(*) FROM t"), std::nullopt);
  EXPECT_EQ(KeyOf("SELECT a, b FROM t"), std::nullopt);
  EXPECT_EQ(KeyOf("SELECT DISTINCT a FROM t"), std::nullopt);
  EXPECT_EQ(KeyOf("SELECT t.a, u.y FROM t JOIN u ON t.a = u.a"), std::nullopt);
}

}  // namespace
}  // namespace zload
