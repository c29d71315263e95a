// State served by base tables (a join side read from its source) and keyed view tables, checked
// against the in-memory store and a model on random data.
#include <gtest/gtest.h>

#include <random>

#include "engine/memory_store.h"
#include "stores/sqlite_job_store.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/shared_state_checks.h"

namespace zload {
namespace {

TEST(SharedStateTest, BaseTableStateAnswersLikeMemory) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  test::CheckBaseTableStateAnswersLikeMemory(store);
}

TEST(SharedStateTest, JoinedRelationAnswersLikeTheJoinInMemory) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  test::CheckJoinedRelationAnswersLikeTheJoinInMemory(store);
}

// A keyed view table replaces rows in place, deletes leaving keys, and keeps NULL-keyed rows
// apart; its contents always equal the integral of the deltas.
TEST(SharedStateTest, KeyedViewTableEqualsIntegralOfDeltas) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  const Schema schema({{"g", Type::kInteger}, {"h", Type::kText}, {"total", Type::kReal}});
  store.CreateKeyedViewTable("totals", schema, {0, 1});
  std::mt19937_64 rng(9);
  std::printf("seed 9\n");
  ZSet model;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    ZSet delta;
    std::vector<Row> touched;
    for (int i = static_cast<int>(rng() % 8); i > 0; --i) {
      Row key{rng() % 5 == 0 ? Value() : Value::Integer(static_cast<int64_t>(rng() % 4)),
              Value::Text(rng() % 2 ? "x" : "y")};
      if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
      touched.push_back(key);
      Row fresh = key;
      fresh.push_back(Value::Real(static_cast<double>(rng() % 100)));
      const ZSet::Entry* old = nullptr;
      const std::vector<size_t> key_columns{0, 1};
      for (const auto& e : model) {
        if (Pick(e.first, key_columns) == key && !key[0].is_null()) old = &e;
      }
      switch (rng() % 3) {
        case 0:  // a group appears, or its row is replaced
          if (old && old->first != fresh) delta.Add(old->first, -1);
          if (!old || old->first != fresh) delta.Add(fresh, 1);
          break;
        case 1:  // a group leaves
          if (old) delta.Add(old->first, -1);
          break;
        default:  // a NULL-keyed or repeated row gains weight
          if (key[0].is_null()) delta.Add(fresh, 1 + static_cast<int64_t>(rng() % 2));
      }
    }
    store.ApplyToViewTable("totals", delta);
    model.AddAll(delta);
    ASSERT_EQ(store.ReadTable("totals", true).ToString(), model.ToString());
  }
}

}  // namespace
}  // namespace zload
