// State served by base tables on PostgreSQL (a join side, a join of sources, read from the base
// tables), checked against the in-memory store and a model on random data as on SQLite.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stores/postgres_job_store.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/shared_state_checks.h"

namespace zload {
namespace {

TEST(PostgresSharedStateTest, BaseTableStateAnswersLikeMemory) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  test::CheckBaseTableStateAnswersLikeMemory(store);
}

TEST(PostgresSharedStateTest, JoinedRelationAnswersLikeTheJoinInMemory) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  test::CheckJoinedRelationAnswersLikeTheJoinInMemory(store);
}

const Schema kItems({{"k", Type::kInteger}, {"name", Type::kText}});
const Schema kTags({{"k", Type::kInteger}, {"tag", Type::kText}});

Row Item(int64_t k, const char* name) { return {Value::Integer(k), Value::Text(name)}; }

// (items.name, tags.tag) of items JOIN tags ON items.k = tags.k, looked up by tag.
const BaseRelation kItemTags{.tables = {"items", "tags"},
                             .join_on = {{{0, "k"}, {1, "k"}}},
                             .columns = {{0, "name"}, {1, "tag"}}};
const StateTableSpec kByTag{.name = "v__2_join__left", .arity = 2, .indexes = {{1}}};

// The names of the indexes on `table` that serve relations (`<table>__by__<columns>`), sorted.
std::vector<std::string> IndexesOn(PostgresJobStore& store, const std::string& table) {
  return store.database().Read([&](pqxx::transaction_base& tx) {
    std::vector<std::string> names;
    for (const auto& r : tx.exec_params("SELECT indexname FROM pg_indexes WHERE tablename = $1 "
                                        "AND strpos(indexname, '__by__') > 0 ORDER BY 1",
                                        table)) {
      names.push_back(r[0].as<std::string>());
    }
    return names;
  });
}

// What a look-up of `keys` visits, all positions together.
ZSet LookedUp(StateTable& table, const std::vector<Row>& keys) {
  ZSet out;
  table.Lookup(0, keys, [&](size_t, const Row& row, int64_t w) { out.Add(row, w); });
  return out;
}

// Tables loaded while one of the relation's tables is empty are loaded without the relation's
// indexes: the first read that can find rows creates them, and answers like the join.
TEST(PostgresSharedStateTest, IndexesAreCreatedByTheFirstReadThatCanFindRows) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItems, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTags, true);
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  const std::vector<Row> keys{{Value::Text("red")}, {Value::Text("blue")}};
  EXPECT_TRUE(LookedUp(*served, keys).empty());
  store.ApplyToBaseTable("items", ZSet{{Item(1, "tv"), 1}, {Item(2, "radio"), 2}});
  // tags is empty: the join is, and reading it creates nothing.
  EXPECT_TRUE(LookedUp(*served, keys).empty());
  EXPECT_EQ(served->Weights(std::vector<Row>{{Value::Text("tv"), Value::Text("red")}}),
            (std::vector<int64_t>{0}));
  EXPECT_EQ(served->Size(), 0u);
  EXPECT_TRUE(IndexesOn(store, "items").empty());
  EXPECT_TRUE(IndexesOn(store, "tags").empty());
  // An empty look-up reads nothing either.
  store.ApplyToBaseTable("tags", ZSet{{Item(1, "red"), 1}, {Item(2, "red"), 1}});
  EXPECT_TRUE(LookedUp(*served, {}).empty());
  EXPECT_TRUE(IndexesOn(store, "tags").empty());
  // Both tables hold rows: the read creates the indexes, in its transaction, and finds the
  // join's rows.
  const Row tv_red{Value::Text("tv"), Value::Text("red")};
  const Row radio_red{Value::Text("radio"), Value::Text("red")};
  store.Begin();
  EXPECT_EQ(LookedUp(*served, keys).ToString(), ZSet({{tv_red, 1}, {radio_red, 2}}).ToString());
  store.Commit();
  EXPECT_EQ(IndexesOn(store, "items"), (std::vector<std::string>{"items__by__k"}));
  EXPECT_EQ(IndexesOn(store, "tags"), (std::vector<std::string>{"tags__by__k", "tags__by__tag"}));
  // Rows added after are found through the indexes.
  store.ApplyToBaseTable("items", ZSet{{Item(2, "lamp"), 1}});
  EXPECT_EQ(LookedUp(*served, keys).ToString(),
            ZSet({{tv_red, 1}, {radio_red, 2}, {{Value::Text("lamp"), Value::Text("red")}, 1}})
                .ToString());
}

// Indexes created in a transaction that rolls back are gone with it; the next read that can
// find rows creates them again and answers the same.
TEST(PostgresSharedStateTest, IndexesCreatedInARolledBackTransactionAreCreatedAgain) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItems, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTags, true);
  store.ApplyToBaseTable("items", ZSet{{Item(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{Item(1, "red"), 1}});
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  const std::vector<Row> keys{{Value::Text("red")}};
  const std::string want = ZSet({{{Value::Text("tv"), Value::Text("red")}, 1}}).ToString();
  store.Begin();
  EXPECT_EQ(LookedUp(*served, keys).ToString(), want);
  store.Rollback();
  EXPECT_TRUE(IndexesOn(store, "tags").empty());
  EXPECT_EQ(LookedUp(*served, keys).ToString(), want);
  EXPECT_EQ(IndexesOn(store, "tags"), (std::vector<std::string>{"tags__by__k", "tags__by__tag"}));
}

// A first read that creates its indexes inside a batch's transaction holds up no other
// session's DDL while that transaction stays open (another worker creating a table, say).
TEST(PostgresSharedStateTest, IndexesCreatedInAnOpenTransactionHoldUpNoOtherDdl) {
  const std::string url = test::PgCluster::Shared().FreshDatabase();
  PostgresJobStore store(url);
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItems, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTags, true);
  store.ApplyToBaseTable("items", ZSet{{Item(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{Item(1, "red"), 1}});
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  store.Begin();
  EXPECT_EQ(LookedUp(*served, {{Value::Text("red")}}).size(), 1u);
  PostgresJobStore other(url);
  other.database().Exec("SET lock_timeout = '2s'");
  EXPECT_NO_THROW(other.CreateBaseTable({"more", "k INTEGER, tag TEXT", {}}, kTags, false));
  store.Commit();
  EXPECT_EQ(IndexesOn(store, "tags"), (std::vector<std::string>{"tags__by__k", "tags__by__tag"}));
}

TEST(PostgresSharedStateTest, IndexesAreCreatedOnceAndAStoreOpensAgainWithoutThem) {
  const std::string url = test::PgCluster::Shared().FreshDatabase();
  const Schema items({{"k", Type::kInteger}, {"name", Type::kText}});
  const BaseRelation relation{.tables = {"items"}, .columns = {{0, "k"}, {0, "name"}}};
  const StateTableSpec spec{
      .name = "v__1_join__left", .arity = 2, .indexes = {{0}}, .integral_of_input = 0};
  {
    PostgresJobStore store(url);
    EXPECT_EQ(store.StateLayoutVersion(), 3);
    store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, items, false);
    ASSERT_NE(store.OpenBaseRelationState(relation, spec), nullptr);
  }
  // Another session writes the table, its transaction open; opening the state again (another
  // worker starting, say) must not wait for it: opening creates nothing, so no lock is asked
  // for. The first read after the write commits creates the index; later ones find it.
  PostgresJobStore writer(url);
  writer.Begin();
  writer.InsertBaseRows("items", {{Value::Integer(1), Value::Text("a")}});
  PostgresJobStore store(url);
  store.database().Exec("SET lock_timeout = '2s'");
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(relation, spec);
  writer.Commit();
  ZSet seen;
  served->Lookup(0, std::vector<Row>{{Value::Integer(1)}},
                 [&](size_t, const Row& row, int64_t w) { seen.Add(row, w); });
  EXPECT_EQ(seen.ToString(), ZSet({{{Value::Integer(1), Value::Text("a")}, 1}}).ToString());
  const int64_t indexes = store.database().Read([](pqxx::transaction_base& tx) {
    return tx.exec("SELECT count(*) FROM pg_indexes WHERE tablename = 'items'")[0][0].as<int64_t>();
  });
  EXPECT_EQ(indexes, 1);
}

}  // namespace
}  // namespace zload
