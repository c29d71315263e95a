#include "tests/support/shape_catalog.h"

#include "engine/error.h"

namespace zload::test {
namespace {

ColumnDomain Ints(int64_t min, int64_t max, double null_rate = 0.15) {
  ColumnDomain d;
  d.min = min;
  d.max = max;
  d.null_rate = null_rate;
  return d;
}

ColumnDomain Texts(size_t count, double null_rate = 0.15) {
  ColumnDomain d;
  d.text_count = count;
  d.null_rate = null_rate;
  return d;
}

ColumnDomain Prices() {
  ColumnDomain d;
  d.real_style = RealStyle::kDecimal;
  return d;
}

// A wide table with every type and NULLs everywhere: the input of the aggregate shapes.
SourceSpec TableT() {
  return {"t",
          Schema({{"k", Type::kInteger, true},
                  {"g", Type::kText, true},
                  {"x", Type::kInteger, true},
                  {"r", Type::kReal, true},
                  {"flag", Type::kBoolean, true},
                  {"ts", Type::kTimestamp, true}}),
          {{"k", Ints(0, 5)}, {"g", Texts(8)}, {"x", Ints(-3, 9)}, {"ts", Ints(0, 4)}}};
}

// A second table sharing t's key domain, NULL keys included.
SourceSpec TableU() {
  return {"u",
          Schema({{"k", Type::kInteger, true}, {"g", Type::kText, true}, {"y", Type::kReal, true}}),
          {{"k", Ints(0, 6, 0.2)}, {"g", Texts(5, 0.25)}}};
}

SourceSpec Customers() {
  return {"customers",
          Schema({{"id", Type::kInteger, false},
                  {"name", Type::kText, true},
                  {"region", Type::kText, true}}),
          {{"id", Ints(0, 9)}, {"name", Texts(12)}, {"region", Texts(4)}}};
}

SourceSpec Orders() {
  return {"orders",
          Schema({{"id", Type::kInteger, false},
                  {"customer_id", Type::kInteger, true},
                  {"amount", Type::kReal, true},
                  {"status", Type::kText, true}}),
          {{"id", Ints(0, 14)}, {"customer_id", Ints(0, 12)}, {"status", Texts(3)}}};
}

SourceSpec Items() {
  return {"items",
          Schema({{"order_id", Type::kInteger, true},
                  {"sku", Type::kText, true},
                  {"qty", Type::kInteger, false}}),
          {{"order_id", Ints(0, 16)}, {"sku", Texts(6)}, {"qty", Ints(1, 5)}}};
}

SourceSpec Products() {
  return {"products",
          Schema({{"name", Type::kText, false},
                  {"price", Type::kReal, false},
                  {"category", Type::kText, true}}),
          {{"name", Texts(10)}, {"price", Prices()}, {"category", Texts(3)}}};
}

SourceSpec LineItems() {
  return {"line_items",
          Schema({{"basket_id", Type::kInteger, false},
                  {"product_name", Type::kText, true},
                  {"qty", Type::kInteger, false}}),
          {{"basket_id", Ints(0, 7)}, {"product_name", Texts(12, 0.05)}, {"qty", Ints(1, 6)}}};
}

ViewShape Shape(std::string name, std::vector<SourceSpec> sources, std::vector<ViewSpec> views,
                size_t target_rows = 50) {
  ViewShape shape;
  shape.name = std::move(name);
  shape.sources = std::move(sources);
  shape.views = std::move(views);
  shape.batch.target_rows = target_rows;
  return shape;
}

std::vector<ViewShape> BuildShapes() {
  std::vector<ViewShape> shapes;
  shapes.push_back(Shape("three_way_join", {Customers(), Orders(), Items()},
                         {{"v",
                           "SELECT c.name, c.region, o.id AS order_id, o.amount, i.sku, i.qty "
                           "FROM customers c JOIN orders o ON o.customer_id = c.id "
                           "JOIN items i ON i.order_id = o.id"}},
                         30));
  shapes.push_back(Shape("left_join", {Customers(), Orders()},
                         {{"v",
                           "SELECT c.id, c.name, o.id AS order_id, o.amount "
                           "FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"}}));
  shapes.push_back(Shape("left_join_group_by", {Customers(), Orders()},
                         {{"v",
                           "SELECT c.id, COUNT(*) AS n, COUNT(o.id) AS orders, "
                           "SUM(o.amount) AS total FROM customers c "
                           "LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id"}}));
  shapes.push_back(
      Shape("count_star", {TableT()}, {{"v", "SELECT g, COUNT(*) AS n FROM t GROUP BY g"}}));
  shapes.push_back(Shape("count_column", {TableT()},
                         {{"v", "SELECT k, COUNT(x) AS nx, COUNT(g) AS ng FROM t GROUP BY k"}}));
  shapes.push_back(
      Shape("sum_integer", {TableT()}, {{"v", "SELECT g, SUM(x) AS s FROM t GROUP BY g"}}));
  shapes.push_back(
      Shape("sum_real", {TableT()}, {{"v", "SELECT k, SUM(r) AS s FROM t GROUP BY k"}}));
  shapes.push_back(Shape("min_max", {TableT()},
                         {{"v",
                           "SELECT k, MIN(x) AS lo, MAX(x) AS hi, MIN(g) AS first_g, "
                           "MAX(g) AS last_g, MIN(r) AS lo_r, MAX(r) AS hi_r "
                           "FROM t GROUP BY k"}}));
  shapes.push_back(
      Shape("avg", {TableT()}, {{"v", "SELECT g, AVG(x) AS ax, AVG(r) AS ar FROM t GROUP BY g"}}));
  shapes.push_back(Shape("global_aggregate", {TableT()},
                         {{"v",
                           "SELECT COUNT(*) AS n, COUNT(x) AS nx, SUM(x) AS sx, "
                           "SUM(r) AS sr, MIN(g) AS lo, MAX(x) AS hi, AVG(r) AS ar FROM t"}},
                         25));
  shapes.push_back(Shape("having", {TableT()},
                         {{"v",
                           "SELECT g, SUM(x) AS s, COUNT(*) AS n FROM t GROUP BY g "
                           "HAVING COUNT(*) >= 3 AND SUM(x) > 4"}}));
  shapes.push_back(Shape("distinct", {TableT()}, {{"v", "SELECT DISTINCT g, k FROM t"}}));
  shapes.push_back(Shape("view_over_view", {Customers(), Orders()},
                         {{"order_totals",
                           "SELECT customer_id, SUM(amount) AS total, COUNT(*) AS n "
                           "FROM orders GROUP BY customer_id"},
                          {"big_customers",
                           "SELECT c.name, c.region, v.total, v.n FROM customers c "
                           "JOIN order_totals v ON v.customer_id = c.id WHERE v.n >= 2"}}));
  shapes.push_back(Shape("null_keys", {TableT(), TableU()},
                         {{"v",
                           "SELECT t.k, u.g, COUNT(*) AS n, SUM(u.y) AS sy, MAX(t.x) AS mx "
                           "FROM t JOIN u ON t.k = u.k GROUP BY t.k, u.g"}},
                         30));
  shapes.push_back(
      Shape("case_like", {TableT()},
            {{"v",
              "SELECT k, g, CASE WHEN g LIKE 'a%' THEN 'starts with a' WHEN x > 5 THEN 'big' "
              "WHEN x IS NULL THEN NULL ELSE 'other' END AS label, g LIKE '%b_' AS ends_b_any, "
              "CASE k WHEN 1 THEN x WHEN 2 THEN -x END AS picked "
              "FROM t WHERE g LIKE '%b%' OR g NOT LIKE 'A_' OR g IS NULL"}}));
  shapes.push_back(Shape("basket_totals", {LineItems(), Products()},
                         {{"v",
                           "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l "
                           "JOIN products p ON p.name = l.product_name GROUP BY l.basket_id"}},
                         40));
  shapes.push_back(
      Shape("filter_arithmetic", {TableT()},
            {{"v",
              "SELECT k, x * 2 + k AS y, x / 2 AS half, x % 3 AS m, COALESCE(g, 'none') AS g2, "
              "r * 2 - 1 AS r2 FROM t WHERE COALESCE(x, k, 0) BETWEEN 1 AND 7 "
              "AND (k IN (1, 2, 3) OR g NOT IN ('A', 'b')) AND (x + k) % 3 <> 1"}}));
  shapes.push_back(Shape("boolean_timestamp", {TableT()},
                         {{"v",
                           "SELECT flag, COUNT(*) AS n, MIN(ts) AS first_ts, "
                           "MAX(ts) AS last_ts FROM t GROUP BY flag"}}));
  return shapes;
}

}  // namespace

const std::vector<ViewShape>& ViewShapes() {
  static const std::vector<ViewShape> shapes = BuildShapes();
  return shapes;
}

const ViewShape& FindViewShape(const std::string& name) {
  for (const ViewShape& shape : ViewShapes()) {
    if (shape.name == name) return shape;
  }
  throw Error(ErrorCode::kInternal, "no view shape named " + name);
}

}  // namespace zload::test
