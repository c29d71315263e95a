// MakeFrontierPlan over jobs bound to a real SQLite store: `all` names every base table, every
// view table and every state table the store keeps (checked against the store's own schema),
// and the marker of every vertex with state, each once; each state table belongs to exactly the
// vertex that owns it; base tables that serve join sides and MIN/MAX values are listed by the
// vertices reading them, with last_reader the highest such vertex; a job without views has only its
// base tables. A read of a served state table names its base tables to the job's hook (where
// PostgreSQL workers wait for them), and a step reads only the sides it needs.
#include "loader/frontier_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/iteration.h"
#include "loader/job.h"
#include "loader/job_config.h"
#include "stores/sqlite_db.h"
#include "tests/support/scratch_dir.h"

namespace zload::test {
namespace {

constexpr const char* kShopConfig = R"(
[store]
url = "sqlite:out/store.db"

[[source]]
name = "products"
file = "products.csv"
schema = "name TEXT NOT NULL, price REAL NOT NULL"
primary_key = ["name"]

[[source]]
name = "line_items"
file = "line_items.csv"
schema = "basket_id INTEGER, product_name TEXT, qty INTEGER"
op_column = "op"

[[source]]
name = "audit"
file = "audit.csv"
schema = "note TEXT"

[[view]]
name = "basket_totals"
sql = """SELECT l.basket_id, SUM(p.price * l.qty) AS total
         FROM line_items l JOIN products p ON p.name = l.product_name
         GROUP BY l.basket_id"""

[[view]]
name = "product_sales"
sql = """SELECT p.name, COUNT(*) AS line_items, SUM(l.qty) AS units
         FROM products p LEFT JOIN line_items l ON l.product_name = p.name
         GROUP BY p.name"""

[[view]]
name = "biggest"
sql = "SELECT product_name, MAX(qty) AS most FROM line_items GROUP BY product_name"

[[view]]
name = "rich_baskets"
sql = "SELECT DISTINCT basket_id FROM basket_totals WHERE total > 10"
)";

constexpr const char* kNoViewsConfig = R"(
[store]
url = "sqlite:out/store.db"

[[source]]
name = "products"
file = "products.csv"
schema = "name TEXT NOT NULL, price REAL NOT NULL"
primary_key = ["name"]

[[source]]
name = "events"
file = "events.jsonl"
format = "jsonl"
schema = "at INTEGER, what TEXT"
op_column = "op"
)";

// A job over a SQLite store in a scratch directory, set up as `zload run` sets it up.
struct BoundJob {
  ScratchDir dir;
  JobConfig config;
  std::unique_ptr<JobStore> store;
  std::unique_ptr<Job> job;

  explicit BoundJob(const std::string& text) {
    config = ParseJobConfig(text, dir / "job.toml");
    store = OpenJobStore(config.store_url);
    store->Begin();
    job = std::make_unique<Job>(config, store.get());
    std::vector<std::string> views;
    for (const Job::View& v : job->views()) views.push_back(v.compiled.name);
    job->BuildViews(views);
    store->Commit();
  }

  std::string db_path() const { return dir / "out/store.db"; }
};

std::vector<std::string> SqliteTables(const std::string& path) {
  sqlite::Database db(path);
  sqlite::Statement stmt(db.handle(), "SELECT name FROM sqlite_schema WHERE type = 'table'");
  std::vector<std::string> out;
  while (stmt.Step()) out.push_back(stmt.ColumnValue(0).as_text());
  return out;
}

// The state tables in the SQLite store, by the name last_update uses: a state table is stored as
// "<name>__<8 hex digits of its shape hash>" (stores/FORMATS.md).
std::set<std::string> StoredStateTables(const std::string& path) {
  std::set<std::string> out;
  for (const std::string& table : SqliteTables(path)) {
    if (table.size() < 11 || table.compare(table.size() - 10, 2, "__") != 0) continue;
    const std::string hash = table.substr(table.size() - 8);
    if (hash.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
    out.insert(table.substr(0, table.size() - 10));
  }
  return out;
}

// The vertex that owns state table `name`: the longest vertex name it extends with "__".
std::optional<VertexId> OwnerOf(const Graph& graph, const std::string& name) {
  std::optional<VertexId> owner;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const std::string& v = graph.vertex(id).name;
    if (name.size() > v.size() + 2 && name.compare(0, v.size(), v) == 0 &&
        name.compare(v.size(), 2, "__") == 0 &&
        (!owner || graph.vertex(*owner).name.size() < v.size())) {
      owner = id;
    }
  }
  return owner;
}

size_t CountOf(const std::vector<std::string>& list, const std::string& name) {
  return static_cast<size_t>(std::count(list.begin(), list.end(), name));
}

// The plan as text, for failure messages. REQUIRES: its vectors have one entry per vertex.
std::string Describe(const FrontierPlan& plan, const Graph& graph) {
  std::string s = "all:";
  for (const std::string& t : plan.all) s += " " + t;
  s += "\n";
  for (VertexId v = 0; v < graph.size(); ++v) {
    s += std::to_string(v) + " " + graph.vertex(v).name + " state:";
    for (const std::string& t : plan.vertex_state[v]) s += " " + t;
    s += " bases:";
    for (const std::string& t : plan.vertex_bases[v]) s += " " + t;
    s += " marker: " + plan.vertex_marker[v] + "\n";
  }
  for (const auto& [base, v] : plan.last_reader)
    s += "last_reader " + base + " " + std::to_string(v) + "\n";
  return s;
}

// Every property a plan must have, checked against the job's graph, the tables it opened and
// the SQLite schema.
void CheckPlan(BoundJob& b, const FrontierPlan& plan) {
  Job& job = *b.job;
  const Graph& graph = job.graph();
  ASSERT_EQ(plan.vertex_state.size(), graph.size());
  ASSERT_EQ(plan.vertex_bases.size(), graph.size());
  ASSERT_EQ(plan.vertex_marker.size(), graph.size());
  SCOPED_TRACE(Describe(plan, graph));

  // `all` names each table once.
  std::set<std::string> all(plan.all.begin(), plan.all.end());
  EXPECT_EQ(all.size(), plan.all.size()) << "a table is listed twice";

  // Own state tables: those the store keeps itself, i.e. those it created.
  std::set<std::string> own, served;
  std::map<std::string, std::vector<std::string>> served_by;
  for (const BaseBackedStateStore::Opened& t : job.StateTables()) {
    if (t.base_tables.empty()) {
      own.insert(t.name);
    } else {
      served.insert(t.name);
      served_by[t.name] = t.base_tables;
    }
  }
  EXPECT_EQ(own, StoredStateTables(b.db_path()));

  std::set<std::string> tables = own;
  for (const Job::Source& s : job.sources()) tables.insert(s.config->name);
  for (const Job::View& v : job.views()) tables.insert(v.compiled.name);

  // A vertex with state or base tables has a marker, its own name, apart from every table.
  std::set<std::string> markers;
  for (VertexId v = 0; v < graph.size(); ++v) {
    const bool stateful = !plan.vertex_state[v].empty() || !plan.vertex_bases[v].empty();
    EXPECT_EQ(plan.vertex_marker[v], stateful ? graph.vertex(v).name : "") << "vertex " << v;
    if (!stateful) continue;
    markers.insert(graph.vertex(v).name);
    EXPECT_EQ(tables.count(graph.vertex(v).name), 0u) << "marker of vertex " << v;
  }
  std::set<std::string> expected_all = tables;
  expected_all.insert(markers.begin(), markers.end());
  // And the marker every batch advances in its last transaction only.
  expected_all.insert(kBatchMarker);
  EXPECT_EQ(all, expected_all);
  for (const std::string& t : served) EXPECT_EQ(all.count(t), 0u) << t << " has no table";

  // Each own state table is listed under its owner and under no other vertex.
  for (const std::string& t : own) {
    std::optional<VertexId> owner = OwnerOf(graph, t);
    ASSERT_TRUE(owner) << t;
    for (VertexId v = 0; v < graph.size(); ++v) {
      EXPECT_EQ(CountOf(plan.vertex_state[v], t), v == *owner ? 1u : 0u)
          << t << " under vertex " << v;
    }
  }
  size_t listed = 0;
  for (const auto& tables : plan.vertex_state) listed += tables.size();
  EXPECT_EQ(listed, own.size());

  // Base tables read by served state are listed under the reading vertex, once, and nothing else.
  std::vector<std::set<std::string>> bases(graph.size());
  for (const auto& [table, base_tables] : served_by) {
    std::optional<VertexId> owner = OwnerOf(graph, table);
    ASSERT_TRUE(owner) << table;
    bases[*owner].insert(base_tables.begin(), base_tables.end());
  }
  std::map<std::string, VertexId> last;
  for (VertexId v = 0; v < graph.size(); ++v) {
    std::set<std::string> got(plan.vertex_bases[v].begin(), plan.vertex_bases[v].end());
    EXPECT_EQ(got.size(), plan.vertex_bases[v].size()) << "vertex " << v << " lists a base twice";
    EXPECT_EQ(got, bases[v]) << "vertex " << v;
    for (const std::string& base : got) {
      EXPECT_EQ(all.count(base), 1u) << base << " is a base table, so in all";
      last[base] = v;  // ids increase: the last assignment is the highest reader
    }
    if (!graph.vertex(v).op) {
      EXPECT_TRUE(plan.vertex_state[v].empty()) << "source " << v;
      EXPECT_TRUE(plan.vertex_bases[v].empty()) << "source " << v;
    }
  }
  EXPECT_EQ(plan.last_reader, last);
}

TEST(FrontierPlanTest, ShopJobListsEveryTableAndTheReadersOfBaseTables) {
  BoundJob b(kShopConfig);
  const FrontierPlan plan = MakeFrontierPlan(*b.job);
  CheckPlan(b, plan);
  const Graph& graph = b.job->graph();
  SCOPED_TRACE(Describe(plan, graph));

  // Every base table and view table, the unread source included.
  for (const char* table : {"products", "line_items", "audit", "basket_totals", "product_sales",
                            "biggest", "rich_baskets"}) {
    EXPECT_EQ(CountOf(plan.all, table), 1u) << table;
  }
  // The shop's join reads both of its sides from the base tables (SQLite serves them).
  bool join_reads_both = false;
  for (VertexId v = 0; v < graph.size(); ++v) {
    std::set<std::string> got(plan.vertex_bases[v].begin(), plan.vertex_bases[v].end());
    if (graph.vertex(v).name.rfind("basket_totals__", 0) == 0 &&
        got == std::set<std::string>{"line_items", "products"}) {
      join_reads_both = true;
    }
  }
  EXPECT_TRUE(join_reads_both);
  // line_items and products are read by several views: the last reader is the highest of them.
  ASSERT_EQ(plan.last_reader.count("line_items"), 1u);
  ASSERT_EQ(plan.last_reader.count("products"), 1u);
  EXPECT_EQ(plan.last_reader.count("audit"), 0u);
  for (const char* base : {"line_items", "products"}) {
    VertexId highest = 0;
    size_t readers = 0;
    for (VertexId v = 0; v < graph.size(); ++v) {
      if (CountOf(plan.vertex_bases[v], base)) {
        highest = v;
        ++readers;
      }
    }
    EXPECT_GE(readers, 2u) << base;
    EXPECT_EQ(plan.last_reader.at(base), highest) << base;
  }
  // The aggregates and DISTINCT keep state of their own.
  size_t own = 0;
  for (const auto& tables : plan.vertex_state) own += tables.size();
  EXPECT_GE(own, 4u);
}

TEST(FrontierPlanTest, PlanIsTheSameForEveryJobOverTheSameStore) {
  // Workers each build the plan from their own Job: they must agree with the coordinator's.
  BoundJob b(kShopConfig);
  const FrontierPlan first = MakeFrontierPlan(*b.job);
  std::unique_ptr<JobStore> again = OpenJobStore(b.config.store_url);
  again->Begin();
  Job other(b.config, again.get());
  again->Commit();
  const FrontierPlan second = MakeFrontierPlan(other);
  EXPECT_EQ(first.all, second.all);
  EXPECT_EQ(first.vertex_state, second.vertex_state);
  EXPECT_EQ(first.vertex_bases, second.vertex_bases);
  EXPECT_EQ(first.last_reader, second.last_reader);
  EXPECT_EQ(first.vertex_marker, second.vertex_marker);
}

TEST(FrontierPlanTest, JobWithoutViewsHasOnlyItsBaseTables) {
  BoundJob b(kNoViewsConfig);
  const FrontierPlan plan = MakeFrontierPlan(*b.job);
  CheckPlan(b, plan);
  std::vector<std::string> all = plan.all;
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"events", "products", kBatchMarker}));
  for (const auto& tables : plan.vertex_state) EXPECT_TRUE(tables.empty());
  for (const auto& tables : plan.vertex_bases) EXPECT_TRUE(tables.empty());
  for (const std::string& marker : plan.vertex_marker) EXPECT_TRUE(marker.empty());
  EXPECT_TRUE(plan.last_reader.empty());
  EXPECT_TRUE(StoredStateTables(b.db_path()).empty());
}

constexpr const char* kJoinAndMaxConfig = R"(
[store]
url = "sqlite:out/store.db"

[[source]]
name = "products"
file = "products.csv"
schema = "name TEXT NOT NULL, price REAL NOT NULL"

[[source]]
name = "line_items"
file = "line_items.csv"
schema = "basket_id INTEGER, product_name TEXT, qty INTEGER"

[[view]]
name = "basket_totals"
sql = """SELECT l.basket_id, SUM(p.price * l.qty) AS total
         FROM line_items l JOIN products p ON p.name = l.product_name
         GROUP BY l.basket_id"""

[[view]]
name = "biggest"
sql = "SELECT product_name, MAX(qty) AS most FROM line_items GROUP BY product_name"
)";

// In one transaction, rolled back after: applies each of `before` to its source (iteration and
// base table), then runs `delta` into `source` and returns the base tables named by each read
// of a served state table during that last iteration.
std::vector<std::set<std::string>> ServedReads(
    BoundJob& b, const std::vector<std::pair<std::string, ZSet>>& before, const std::string& source,
    const ZSet& delta) {
  auto inputs = [&](const std::string& name, const ZSet& z) {
    SourceInputs in;
    for (const Job::Source& s : b.job->sources()) {
      if (s.config->name == name) in.emplace(s.vertex, z);
    }
    EXPECT_EQ(in.size(), 1u) << name;
    return in;
  };
  b.store->Begin();
  for (const auto& [name, z] : before) {
    RunIteration(b.job->graph(), inputs(name, z));
    b.store->ApplyToBaseTable(name, z);
  }
  std::vector<std::set<std::string>> reads;
  b.job->SetBeforeServedRead([&](const std::vector<std::string>& bases) {
    reads.emplace_back(bases.begin(), bases.end());
  });
  RunIteration(b.job->graph(), inputs(source, delta));
  b.job->SetBeforeServedRead(nullptr);
  b.store->Rollback();
  return reads;
}

using Reads = std::vector<std::set<std::string>>;

TEST(FrontierPlanTest, ReadsOfServedStateNameTheBaseTablesTheyRead) {
  BoundJob b(kJoinAndMaxConfig);
  const Row tv{Value::Text("tv"), Value::Real(3)};
  const Row big{Value::Integer(1), Value::Text("tv"), Value::Integer(9)};
  const Row small{Value::Integer(2), Value::Text("tv"), Value::Integer(2)};
  // A line item joins the products side; an insert takes no MAX away: line_items' own rows are
  // not read.
  EXPECT_EQ(ServedReads(b, {{"products", ZSet{{tv, 1}}}}, "line_items", ZSet{{big, 1}}),
            (Reads{{"products"}}));
  // A product joins the line items side.
  EXPECT_EQ(ServedReads(b, {{"line_items", ZSet{{big, 1}}}}, "products", ZSet{{tv, 1}}),
            (Reads{{"line_items"}}));
  // Deleting the row that holds a MAX reads the values left (and the join reads products).
  Reads deleted =
      ServedReads(b, {{"products", ZSet{{tv, 1}}}, {"line_items", ZSet{{big, 1}, {small, 1}}}},
                  "line_items", ZSet{{big, -1}});
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, (Reads{{"line_items"}, {"products"}}));
}

}  // namespace
}  // namespace zload::test
