// State served by base tables on PostgreSQL (a join side, a join of sources, read from the base
// tables), checked against the in-memory store and a model on random data as on SQLite.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stores/postgres_job_store.h"
#include "tests/support/item_tags.h"
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

TEST(PostgresSharedStateTest, IndexesAreCreatedByTheFirstReadThatCanFindRows) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  test::CheckIndexesAreBuiltByTheFirstReadThatCanFindRows(
      store, [&](const std::string& table) { return IndexesOn(store, table); });
}

TEST(PostgresSharedStateTest, IndexesCreatedInARolledBackTransactionAreCreatedAgain) {
  PostgresJobStore store(test::PgCluster::Shared().FreshDatabase());
  test::CheckIndexesBuiltInARolledBackTransactionAreBuiltAgain(
      store, [&](const std::string& table) { return IndexesOn(store, table); });
}

// A first read that creates its indexes inside a batch's transaction holds up no other
// session's DDL while that transaction stays open (another worker creating a table, say).
TEST(PostgresSharedStateTest, IndexesCreatedInAnOpenTransactionHoldUpNoOtherDdl) {
  const std::string url = test::PgCluster::Shared().FreshDatabase();
  PostgresJobStore store(url);
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, test::kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, test::kTagSchema, true);
  store.ApplyToBaseTable("items", ZSet{{test::ItemRow(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{test::ItemRow(1, "red"), 1}});
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(test::kItemTags, test::kByTag);
  store.Begin();
  EXPECT_EQ(test::LookedUpAll(*served, {{Value::Text("red")}}).size(), 1u);
  PostgresJobStore other(url);
  other.database().Exec("SET lock_timeout = '2s'");
  EXPECT_NO_THROW(
      other.CreateBaseTable({"more", "k INTEGER, tag TEXT", {}}, test::kTagSchema, false));
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
    EXPECT_EQ(store.StateLayoutVersion(), 4);
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
