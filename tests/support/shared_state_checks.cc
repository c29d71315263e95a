#include "tests/support/shared_state_checks.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "engine/memory_store.h"
#include "tests/support/item_tags.h"

namespace zload::test {
namespace {

const Schema kItems({{"k", Type::kInteger}, {"name", Type::kText}, {"price", Type::kReal}});

Row RandomItem(std::mt19937_64& rng) {
  Value k = rng() % 6 == 0 ? Value() : Value::Integer(static_cast<int64_t>(rng() % 5));
  Value name = rng() % 7 == 0 ? Value() : Value::Text(std::string(1, 'a' + rng() % 3));
  return {k, name, Value::Real(static_cast<double>(rng() % 3))};
}

// What a look-up visits at `pos`; a row visited twice there (copies not summed) fails.
ZSet LookedUp(StateTable& table, size_t index, const std::vector<Row>& keys, size_t pos) {
  ZSet out;
  table.Lookup(index, keys, [&](size_t p, const Row& row, int64_t w) {
    if (p != pos) return;
    EXPECT_EQ(out.Weight(row), 0) << "visited twice: " << RowToString(row);
    out.Add(row, w);
  });
  return out;
}

}  // namespace

// The base table's state answers like a memory table holding the same rows, copies included:
// each distinct row once, weighted by its copies; Apply() leaves the table alone.
void CheckBaseTableStateAnswersLikeMemory(JobStore& store) {
  store.CreateBaseTable({"items", "k INTEGER, name TEXT, price REAL", {}}, kItems, true);
  const StateTableSpec spec{
      .name = "v__1_join__left", .arity = 3, .indexes = {{0}, {1, 0}}, .integral_of_input = 0};
  const BaseRelation items{.tables = {"items"}, .columns = {{0, "k"}, {0, "name"}, {0, "price"}}};
  std::unique_ptr<StateTable> shared = store.OpenBaseRelationState(items, spec);
  ASSERT_NE(shared, nullptr);
  MemoryStore memory;
  StateTable& model = memory.Open(spec);
  std::mt19937_64 rng(5);
  std::printf("seed 5\n");
  for (int step = 0; step < 40; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    ZSet delta;
    for (int i = static_cast<int>(rng() % 8); i > 0; --i) delta.Add(RandomItem(rng), 1 + rng() % 2);
    model.Scan([&](const Row& row, int64_t w) {
      if (rng() % 4 == 0) delta.Add(row, -static_cast<int64_t>(1 + rng() % w));
    });
    shared->Apply(delta);  // writes nothing: the loader writes the base table
    EXPECT_EQ(store.ReadTable("items", false).size(), [&] {
      ZSet z;
      model.Scan([&](const Row& r, int64_t w) { z.Add(r, w); });
      return z.size();
    }());
    store.ApplyToBaseTable("items", delta);
    model.Apply(delta);
    for (size_t index = 0; index < spec.indexes.size(); ++index) {
      std::vector<Row> keys;
      for (int i = 0; i < 6; ++i) keys.push_back(Pick(RandomItem(rng), spec.indexes[index]));
      keys.push_back(keys.front());
      for (size_t pos = 0; pos < keys.size(); ++pos) {
        ASSERT_EQ(LookedUp(*shared, index, keys, pos).ToString(),
                  LookedUp(model, index, keys, pos).ToString())
            << "index " << index << " key " << RowToString(keys[pos]);
      }
    }
    std::vector<Row> probe;
    model.Scan([&](const Row& r, int64_t) { probe.push_back(r); });
    probe.push_back(RandomItem(rng));
    ASSERT_EQ(shared->Weights(probe), model.Weights(probe));
    ASSERT_EQ(shared->Size(), model.Size());
  }
}

// A join of two base tables, projected, with NULLs left out, answers like the same join computed
// over the tables' rows in memory (a NULL key matches nothing).
void CheckJoinedRelationAnswersLikeTheJoinInMemory(JobStore& store) {
  store.CreateBaseTable({"items", "k INTEGER, name TEXT, price REAL", {}}, kItems, true);
  const Schema tags_schema({{"k", Type::kInteger}, {"tag", Type::kText}});
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, tags_schema, true);
  // (items.name, tags.tag, items.price) of items JOIN tags ON items.k = tags.k, name not NULL.
  const BaseRelation joined{.tables = {"items", "tags"},
                            .join_on = {{{0, "k"}, {1, "k"}}},
                            .columns = {{0, "name"}, {1, "tag"}, {0, "price"}},
                            .non_null = {{0, "name"}}};
  const StateTableSpec spec{.name = "v__2_join__left", .arity = 3, .indexes = {{1}, {0, 1}}};
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(joined, spec);
  std::mt19937_64 rng(13);
  std::printf("seed 13\n");
  for (int step = 0; step < 30; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    ZSet item_delta, tag_delta;
    for (int i = static_cast<int>(rng() % 6); i > 0; --i) item_delta.Add(RandomItem(rng), 1);
    for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
      Value k = rng() % 5 == 0 ? Value() : Value::Integer(static_cast<int64_t>(rng() % 5));
      tag_delta.Add({k, Value::Text(std::string(1, 'p' + rng() % 3))}, 1);
    }
    for (const auto& [row, w] : store.ReadTable("tags", false)) {
      if (rng() % 5 == 0) tag_delta.Add(row, -1);
    }
    store.ApplyToBaseTable("items", item_delta);
    store.ApplyToBaseTable("tags", tag_delta);
    ZSet model;
    for (const auto& [item, wi] : store.ReadTable("items", false)) {
      for (const auto& [tag, wt] : store.ReadTable("tags", false)) {
        if (item[0].is_null() || item[0] != tag[0] || item[1].is_null()) continue;
        model.Add({item[1], tag[1], item[2]}, wi * wt);
      }
    }
    MemoryStore memory;
    StateTable& want = memory.Open(spec);
    want.Apply(model);
    for (size_t index = 0; index < spec.indexes.size(); ++index) {
      std::vector<Row> keys;
      for (int i = 0; i < 5; ++i) {
        Row full{Value::Text(std::string(1, 'a' + rng() % 3)),
                 Value::Text(std::string(1, 'p' + rng() % 3)), Value()};
        keys.push_back(Pick(full, spec.indexes[index]));
      }
      for (size_t pos = 0; pos < keys.size(); ++pos) {
        ASSERT_EQ(LookedUp(*served, index, keys, pos).ToString(),
                  LookedUp(want, index, keys, pos).ToString())
            << "index " << index << " key " << RowToString(keys[pos]);
      }
    }
    ZSet scanned;
    served->Scan([&](const Row& r, int64_t w) { scanned.Add(r, w); });
    ASSERT_EQ(scanned.ToString(), model.ToString());
  }
}

// Tables loaded while one of the relation's tables is empty are loaded without its indexes; the
// first read that can find rows builds them and answers like the join.
void CheckIndexesAreBuiltByTheFirstReadThatCanFindRows(JobStore& store,
                                                       const IndexNames& indexes_on) {
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTagSchema, true);
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  const std::vector<Row> keys{{Value::Text("red")}, {Value::Text("blue")}};
  EXPECT_TRUE(LookedUpAll(*served, keys).empty());
  store.ApplyToBaseTable("items", ZSet{{ItemRow(1, "tv"), 1}, {ItemRow(2, "radio"), 2}});
  // tags is empty: the join is, and reading it builds nothing.
  EXPECT_TRUE(LookedUpAll(*served, keys).empty());
  EXPECT_EQ(served->Weights(std::vector<Row>{{Value::Text("tv"), Value::Text("red")}}),
            (std::vector<int64_t>{0}));
  EXPECT_EQ(served->Size(), 0u);
  EXPECT_TRUE(indexes_on("items").empty());
  EXPECT_TRUE(indexes_on("tags").empty());
  // An empty look-up reads nothing either.
  store.ApplyToBaseTable("tags", ZSet{{ItemRow(1, "red"), 1}, {ItemRow(2, "red"), 1}});
  EXPECT_TRUE(LookedUpAll(*served, {}).empty());
  EXPECT_TRUE(indexes_on("tags").empty());
  // Both tables hold rows: the read builds the indexes, in its transaction, and finds the join's
  // rows.
  const Row tv_red{Value::Text("tv"), Value::Text("red")};
  const Row radio_red{Value::Text("radio"), Value::Text("red")};
  store.Begin();
  EXPECT_EQ(LookedUpAll(*served, keys).ToString(), ZSet({{tv_red, 1}, {radio_red, 2}}).ToString());
  store.Commit();
  EXPECT_EQ(indexes_on("items"), (std::vector<std::string>{"items__by__k"}));
  EXPECT_EQ(indexes_on("tags"), (std::vector<std::string>{"tags__by__k", "tags__by__tag"}));
  // Rows added after the build are found through the indexes.
  store.ApplyToBaseTable("items", ZSet{{ItemRow(2, "lamp"), 1}});
  EXPECT_EQ(LookedUpAll(*served, keys).ToString(),
            ZSet({{tv_red, 1}, {radio_red, 2}, {{Value::Text("lamp"), Value::Text("red")}, 1}})
                .ToString());
}

void CheckIndexesBuiltInARolledBackTransactionAreBuiltAgain(JobStore& store,
                                                            const IndexNames& indexes_on) {
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTagSchema, true);
  store.ApplyToBaseTable("items", ZSet{{ItemRow(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{ItemRow(1, "red"), 1}});
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  const std::vector<Row> keys{{Value::Text("red")}};
  const std::string want = ZSet({{{Value::Text("tv"), Value::Text("red")}, 1}}).ToString();
  store.Begin();
  EXPECT_EQ(LookedUpAll(*served, keys).ToString(), want);
  EXPECT_EQ(LookedUpAll(*served, keys).ToString(), want);  // finds the indexes it created
  EXPECT_FALSE(indexes_on("tags").empty());
  store.Rollback();
  EXPECT_TRUE(indexes_on("tags").empty());
  EXPECT_EQ(LookedUpAll(*served, keys).ToString(), want);
  EXPECT_EQ(indexes_on("tags"), (std::vector<std::string>{"tags__by__k", "tags__by__tag"}));
}

}  // namespace zload::test
