// State served by base tables on PostgreSQL (a join side, a join of sources, read from the base
// tables), checked against the in-memory store and a model on random data as on SQLite.
#include <gtest/gtest.h>

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
  // worker starting, say) must not wait for it: the index exists, so no lock is asked for.
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
