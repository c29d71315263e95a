// PostgresJobStore's view tables: weights, keyed views' rows found by their key, untyped
// columns and large deltas.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "stores/postgres_job_store.h"
#include "tests/support/pg_job_store_fixture.h"

namespace zload {
namespace {

using test::PostgresJobStoreTest;

TEST_F(PostgresJobStoreTest, ViewTableCountsWeightsAndDropsZeroRows) {
  Schema schema({{"basket_id", Type::kInteger}, {"total", Type::kReal}});
  store().CreateViewTable("totals", schema);
  Row one{Value::Integer(1), Value::Real(23)}, none{Value(), Value::Real(6)};
  store().ApplyToViewTable("totals", ZSet{{one, 1}, {none, 2}});
  store().ApplyToViewTable("totals", ZSet{{one, -1}, {none, 1}});
  EXPECT_EQ(store().ReadTable("totals", true).ToString(), ZSet({{none, 3}}).ToString());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM totals"), 1);
  EXPECT_EQ(QueryInt("SELECT _count_ FROM totals WHERE basket_id IS NULL AND total = 6"), 3);
  EXPECT_THROW(store().ReadTable("totals", false), Error);
  EXPECT_EQ(store().TableSchema("totals")->columns(), schema.columns());
  store().state().Open({"totals__3_join__left", 2, {{0}}});
  store().state().Open({"totalsx__1", 2, {{0}}});  // another view's state stays
  store().DropView("totals");
  EXPECT_FALSE(store().TableSchema("totals").has_value());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'totals%'"), 1);
  // Opening a dropped state table again creates it again.
  StateTable& again = store().state().Open({"totals__3_join__left", 2, {{0}}});
  again.Apply(ZSet{{one, 1}});
  EXPECT_EQ(again.Size(), 1u);
}

// A keyed view's table finds rows by the identity of their key: rows replace others of their
// key in place, leave by key, and keys that may be NULL (or REAL, -0.0 one key with 0.0) need
// nothing apart; deltas of other weights merge with the stored row. Its contents always equal
// the integral of the deltas, also through a reopened store, and more rows than one statement
// takes.
TEST_F(PostgresJobStoreTest, KeyedViewTableEqualsIntegralOfDeltas) {
  const Schema schema(
      {{"g", Type::kInteger}, {"x", Type::kReal}, {"h", Type::kText}, {"total", Type::kReal}});
  store().CreateKeyedViewTable("totals", schema, {0, 1});
  EXPECT_EQ(QueryInt("SELECT count(*) FROM pg_attribute WHERE attrelid = 'totals'::regclass AND "
                     "attname = '_key_identity_'"),
            1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM pg_attribute WHERE attrelid = 'totals'::regclass AND "
                     "attname = '_identity_'"),
            0);
  std::mt19937_64 rng(5);
  ZSet model;
  for (int step = 0; step < 40; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    if (step == 20) Reopen();
    ZSet delta;
    std::vector<Row> touched;
    const bool large = step == 30;  // more new rows than one statement takes
    const int keys = large ? 2500 : static_cast<int>(rng() % 12);
    for (int i = 0; i < keys; ++i) {
      const int64_t g = large ? 100 + i : static_cast<int64_t>(rng() % 6);
      const Value x = rng() % 5 == 0   ? Value()
                      : rng() % 2 == 0 ? Value::Real(rng() % 3 == 0 ? -0.0 : 0.0)
                                       : Value::Real(1.5);
      const Row key{!large && rng() % 7 == 0 ? Value() : Value::Integer(g), x};
      if (std::find_if(touched.begin(), touched.end(), [&](const Row& k) {
            return TotalOrder(k[0], key[0]) == 0 && TotalOrder(k[1], key[1]) == 0 &&
                   (k[1].is_null() || key[1].is_null() || k[1].as_real() == key[1].as_real());
          }) != touched.end()) {
        continue;
      }
      touched.push_back(key);
      const ZSet::Entry* old = nullptr;
      for (const auto& e : model) {
        const bool same_x = e.first[1].is_null()
                                ? x.is_null()
                                : !x.is_null() && e.first[1].as_real() == x.as_real();
        if (TotalOrder(e.first[0], key[0]) == 0 && same_x) old = &e;
      }
      Row fresh{key[0], old ? old->first[1] : x, Value::Text(rng() % 2 ? "a" : "b"),
                Value::Real(static_cast<double>(rng() % 100))};
      switch (large ? 0 : rng() % 4) {
        case 0:  // a key appears, or its row is replaced
          if (old && old->first != fresh) delta.Add(old->first, -old->second);
          if (!old || old->first != fresh) delta.Add(fresh, 1);
          break;
        case 1:  // a key leaves
          if (old) delta.Add(old->first, -old->second);
          break;
        case 2:  // a row of weight 2: its key's later deltas are not 1 and -1 either
          if (!old || old->first != fresh) {
            if (old) delta.Add(old->first, -old->second);
            delta.Add(fresh, 2);
          }
          break;
        default:  // nothing for this key
          break;
      }
    }
    store().ApplyToViewTable("totals", delta);
    model.AddAll(delta);
    ASSERT_EQ(store().ReadTable("totals", true).ToString(), model.ToString());
  }
  EXPECT_GT(model.size(), 2000u);
}

// A key identity column whose comment does not name the key is a clear error.
TEST_F(PostgresJobStoreTest, KeyedViewTableWithoutItsKeyCommentIsRefused) {
  const Schema schema({{"g", Type::kInteger}, {"total", Type::kReal}});
  store().CreateKeyedViewTable("totals", schema, {0});
  store().database().Write([](pqxx::transaction_base& tx) {
    tx.exec("COMMENT ON COLUMN totals._key_identity_ IS 'zload view key columns: 0,x'");
  });
  Reopen();
  try {
    store().ApplyToViewTable("totals", ZSet({{Row{Value::Integer(1), Value::Real(2)}, 1}}));
    FAIL() << "applied to a table whose key it cannot know";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not one that names its key columns"), std::string::npos)
        << e.what();
  }
}

TEST_F(PostgresJobStoreTest, LargeViewDeltasAndUntypedColumns) {
  // A column of no declared type holds values of any type exactly.
  Schema schema({{"k", Type::kNull}, {"n", Type::kInteger}});
  store().CreateViewTable("mixed", schema);
  EXPECT_EQ(store().TableSchema("mixed")->columns(), schema.columns());
  ZSet delta, model;
  for (int64_t i = 0; i < 1500; ++i) {
    Value k = i % 4 == 0   ? Value::Integer(i)
              : i % 4 == 1 ? Value::Real(static_cast<double>(i))
              : i % 4 == 2 ? Value::Text(std::to_string(i))
                           : Value::Boolean(i % 8 == 3);
    delta.Add({k, Value::Integer(i % 10)}, 1 + i % 2);
  }
  store().ApplyToViewTable("mixed", delta);  // COPY
  model.AddAll(delta);
  EXPECT_EQ(store().ReadTable("mixed", true), model);
  ZSet second;
  int64_t i = 0;
  for (const auto& [row, w] : model) {
    second.Add(row, i % 2 ? -w : 1);
    ++i;
  }
  second.Add({Value::Real(-0.0), Value()}, 4);
  store().ApplyToViewTable("mixed", second);  // updates, deletions and one insert
  model.AddAll(second);
  EXPECT_EQ(store().ReadTable("mixed", true), model);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mixed"), static_cast<int64_t>(model.size()));
}

}  // namespace
}  // namespace zload
