// State served by base tables (a join side read from its source) and keyed view tables, checked
// against the in-memory store and a model on random data.
#include <gtest/gtest.h>

#include <random>

#include "engine/memory_store.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_job_store.h"
#include "stores/sqlite_view_table.h"
#include "tests/support/item_tags.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/shared_state_checks.h"

namespace zload {
namespace {

using test::ItemRow;
using test::kByTag;
using test::kItemSchema;
using test::kItemTags;
using test::kTagSchema;
using test::LookedUpAll;

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

// The names of the indexes built on `table` to serve relations (`<table>__by__<columns>`), sorted.
std::vector<std::string> IndexesOn(SqliteJobStore& store, const std::string& table) {
  sqlite::Statement q(store.database().handle(),
                      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND "
                      "instr(name, '__by__') > 0 "
                      "ORDER BY name");
  q.BindText(1, table);
  std::vector<std::string> names;
  while (q.Step()) names.emplace_back(q.ColumnText(0));
  return names;
}

// The value of the connection's PRAGMA `name`.
int64_t Pragma(SqliteJobStore& store, const std::string& name) {
  sqlite::Statement q(store.database().handle(), "PRAGMA " + name);
  q.Step();
  return q.ColumnInt(0);
}

TEST(SharedStateTest, IndexesAreBuiltByTheFirstReadThatCanFindRows) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  test::CheckIndexesAreBuiltByTheFirstReadThatCanFindRows(
      store, [&](const std::string& table) { return IndexesOn(store, table); });
}

TEST(SharedStateTest, IndexesBuiltInARolledBackTransactionAreBuiltAgain) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  test::CheckIndexesBuiltInARolledBackTransactionAreBuiltAgain(
      store, [&](const std::string& table) { return IndexesOn(store, table); });
}

// Items and tags holding item 1 "tv" tagged "red", and items by tag served from them.
std::unique_ptr<StateTable> ServeOneTaggedItem(SqliteJobStore& store) {
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTagSchema, true);
  store.ApplyToBaseTable("items", ZSet{{ItemRow(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{ItemRow(1, "red"), 1}});
  return store.OpenBaseRelationState(kItemTags, kByTag);
}

// Building the indexes sorts with the page cache shrunk and temporary storage in files; both are
// as they were again afterwards.
TEST(SharedStateTest, BuildingIndexesRestoresThePageCacheAndTemporaryStorage) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  std::unique_ptr<StateTable> served = ServeOneTaggedItem(store);
  const int64_t cache_size = Pragma(store, "cache_size");
  const int64_t temp_store = Pragma(store, "temp_store");
  EXPECT_EQ(LookedUpAll(*served, {{Value::Text("red")}}).size(), 1u);
  EXPECT_FALSE(IndexesOn(store, "tags").empty());
  EXPECT_EQ(Pragma(store, "cache_size"), cache_size);
  EXPECT_EQ(Pragma(store, "temp_store"), temp_store);
}

// The columns of index `name`, in order.
std::vector<std::string> IndexColumns(SqliteJobStore& store, const std::string& name) {
  sqlite::Statement q(store.database().handle(),
                      "SELECT name FROM pragma_index_info(?1) ORDER BY seqno");
  q.BindText(1, name);
  std::vector<std::string> columns;
  while (q.Step()) columns.emplace_back(q.ColumnText(0));
  return columns;
}

// An index serving a relation starts with its look-up or join columns and then holds the other
// columns the relation reads of its table, so that a look-up reads no table row.
TEST(SharedStateTest, IndexesHoldTheColumnsTheRelationReads) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  std::unique_ptr<StateTable> served = ServeOneTaggedItem(store);
  EXPECT_EQ(LookedUpAll(*served, {{Value::Text("red")}}).ToString(),
            ZSet({{{Value::Text("tv"), Value::Text("red")}, 1}}).ToString());
  using Names = std::vector<std::string>;
  EXPECT_EQ(IndexColumns(store, "items__by__k"), (Names{"k", "name"}));
  EXPECT_EQ(IndexColumns(store, "tags__by__k"), (Names{"k", "tag"}));
  EXPECT_EQ(IndexColumns(store, "tags__by__tag"), (Names{"tag", "k"}));
}

// A key matched by many rows (more than a few, copies among them) is visited at each position it
// was asked at, with each distinct row once and its copies as its weight; a key asked for that
// nothing matches and a NULL key visit nothing.
TEST(SharedStateTest, KeyWithManyRowsIsVisitedOncePerRowAtEachPosition) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, kTagSchema, true);
  ZSet items, tags, want;
  for (int64_t k = 0; k < 30; ++k) {
    const std::string name = "item" + std::to_string(k);
    items.Add(ItemRow(k, name.c_str()), 1 + k % 3);  // 1 to 3 copies
    tags.Add(ItemRow(k, k % 2 ? "odd" : "even"), 1);
    if (k % 2) want.Add({Value::Text(name), Value::Text("odd")}, 1 + k % 3);
  }
  tags.Add(ItemRow(1, "one"), 1);
  store.ApplyToBaseTable("items", items);
  store.ApplyToBaseTable("tags", tags);
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(kItemTags, kByTag);
  const std::vector<Row> keys{{Value::Text("odd")},
                              {Value::Text("one")},
                              {Value::Text("none")},
                              {Value()},
                              {Value::Text("odd")}};
  std::vector<ZSet> seen(keys.size());
  served->Lookup(0, keys, [&](size_t pos, const Row& row, int64_t w) {
    EXPECT_EQ(seen.at(pos).Weight(row), 0) << "visited twice: " << RowToString(row);
    seen[pos].Add(row, w);
  });
  EXPECT_EQ(want.size(), 15u);
  EXPECT_EQ(seen[0].ToString(), want.ToString());
  EXPECT_EQ(seen[4].ToString(), want.ToString());
  EXPECT_EQ(seen[1].ToString(), ZSet({{{Value::Text("item1"), Value::Text("one")}, 2}}).ToString());
  EXPECT_TRUE(seen[2].empty());
  EXPECT_TRUE(seen[3].empty());
}

// The SQL that created `name` in the store's file, with the names of the indexes on it.
std::string TableLayout(SqliteJobStore& store, const std::string& name) {
  sqlite::Statement q(store.database().handle(),
                      "SELECT sql FROM sqlite_schema WHERE name = ?1 UNION ALL SELECT name FROM "
                      "sqlite_schema WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL");
  q.BindText(1, name);
  std::string out;
  while (q.Step()) out += std::string(q.ColumnText(0)) + "\n";
  return out;
}

// A keyed view table replaces rows in place, deletes leaving keys, and keeps NULL-keyed rows
// apart; its contents always equal the integral of the deltas. Keys of one column and of two
// (whose rows leave by one statement of another form); keys that may be NULL (found through an
// index on the key) and keys that never are (the table's primary key, without rowids).
void CheckKeyedViewTableEqualsIntegralOfDeltas(const std::vector<size_t>& key_columns,
                                               bool null_keys) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  const Schema schema(
      {{"g", Type::kInteger, null_keys}, {"h", Type::kText, null_keys}, {"total", Type::kReal}});
  store.CreateKeyedViewTable("totals", schema, key_columns);
  // Kept by its primary key until the first NULL key, by the index on the key from then on.
  auto check_layout = [&](bool null_key_seen) {
    const std::string layout = TableLayout(store, "totals");
    EXPECT_EQ(layout.find("WITHOUT ROWID") != std::string::npos, !null_key_seen) << layout;
    EXPECT_EQ(layout.find("totals__key") != std::string::npos, null_key_seen) << layout;
  };
  check_layout(false);
  bool null_key_seen = false;
  std::mt19937_64 rng(9);
  std::printf("seed 9\n");
  ZSet model;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    ZSet delta;
    std::vector<Row> touched;
    for (int i = static_cast<int>(rng() % 8); i > 0; --i) {
      Row row{
          null_keys && rng() % 5 == 0 ? Value() : Value::Integer(static_cast<int64_t>(rng() % 4)),
          Value::Text(rng() % 2 ? "x" : "y")};
      const Row key = Pick(row, key_columns);
      if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
      touched.push_back(key);
      Row fresh = std::move(row);
      fresh.push_back(Value::Real(static_cast<double>(rng() % 100)));
      const ZSet::Entry* old = nullptr;
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
    for (const auto& [row, w] : delta) null_key_seen |= row[0].is_null();
    check_layout(null_key_seen);
  }
  EXPECT_EQ(null_key_seen, null_keys);
}

TEST(SharedStateTest, KeyedViewTableEqualsIntegralOfDeltas) {
  CheckKeyedViewTableEqualsIntegralOfDeltas({0, 1}, true);
}

TEST(SharedStateTest, KeyedViewTableOfOneKeyColumnEqualsIntegralOfDeltas) {
  CheckKeyedViewTableEqualsIntegralOfDeltas({0}, true);
}

TEST(SharedStateTest, ViewTableKeyedByItsPrimaryKeyEqualsIntegralOfDeltas) {
  CheckKeyedViewTableEqualsIntegralOfDeltas({0, 1}, false);
}

TEST(SharedStateTest, ViewTableKeyedByAOneColumnPrimaryKeyEqualsIntegralOfDeltas) {
  CheckKeyedViewTableEqualsIntegralOfDeltas({0}, false);
}

// A view whose key is every column (a GROUP BY without aggregates): rows arrive and leave, in
// either layout (a NULL key among them moves the rows to the one with the index), through the
// multi-row statements (more rows than one statement takes).
TEST(SharedStateTest, ViewTableKeyedByEveryColumnTakesArrivalsAndDepartures) {
  for (const bool nullable : {true, false}) {
    SCOPED_TRACE(nullable ? "keys that may be NULL, one of them NULL" : "keys never NULL");
    test::ScratchDir dir;
    SqliteJobStore store(dir / "job.db");
    const Schema schema({{"g", Type::kInteger, nullable}, {"h", Type::kText, nullable}});
    store.CreateKeyedViewTable("groups", schema, {0, 1});
    ZSet arrive, leave, model;
    for (int i = 0; i < 150; ++i) {
      const Row row{Value::Integer(i), Value::Text(i % 2 ? "x" : "y")};
      arrive.Add(row, 1);
      if (i % 3 == 0) leave.Add(row, -1);
    }
    // A NULL key turns the table that may take one into the layout with the index.
    if (nullable) arrive.Add(Row{Value(), Value::Text("x")}, 1);
    store.ApplyToViewTable("groups", arrive);
    model.AddAll(arrive);
    ASSERT_EQ(store.ReadTable("groups", true).ToString(), model.ToString());
    store.ApplyToViewTable("groups", leave);
    model.AddAll(leave);
    EXPECT_EQ(store.ReadTable("groups", true).ToString(), model.ToString());
    EXPECT_EQ(store.ReadTable("groups", true).size(), nullable ? 101u : 100u);
    EXPECT_EQ(TableLayout(store, "groups").find("groups__key") != std::string::npos, nullable);
  }
}

// A view table kept by its key as primary key whose first NULL key comes in a transaction that
// rolls back is kept so again, takes the NULL key in the next one, and keeps every row; the
// store opened again finds its key by the index.
TEST(SharedStateTest, ViewTableTakesItsFirstNullKeyInATransaction) {
  test::ScratchDir dir;
  const Schema schema({{"g", Type::kInteger, true}, {"total", Type::kReal}});
  const Row one{Value::Integer(1), Value::Real(2.5)}, two{Value::Integer(2), Value::Real(4)};
  const Row null_key{Value(), Value::Real(7)};
  ZSet model({{one, 1}, {two, 1}});
  {
    SqliteJobStore store(dir / "job.db");
    store.CreateKeyedViewTable("totals", schema, {0});
    store.ApplyToViewTable("totals", model);
    store.Begin();
    store.ApplyToViewTable("totals", ZSet({{null_key, 1}}));
    EXPECT_NE(TableLayout(store, "totals").find("totals__key"), std::string::npos);
    store.Rollback();
    EXPECT_NE(TableLayout(store, "totals").find("WITHOUT ROWID"), std::string::npos);
    EXPECT_EQ(store.ReadTable("totals", true).ToString(), model.ToString());
    store.Begin();
    store.ApplyToViewTable("totals", ZSet({{null_key, 1}, {one, -1}}));
    store.Commit();
    model.AddAll(ZSet({{null_key, 1}, {one, -1}}));
    EXPECT_EQ(store.ReadTable("totals", true).ToString(), model.ToString());
  }
  SqliteJobStore store(dir / "job.db");
  const std::string layout = TableLayout(store, "totals");
  EXPECT_EQ(layout.find("WITHOUT ROWID"), std::string::npos) << layout;
  EXPECT_EQ(SqliteViewTableKey(store.database(), "totals"), (std::vector<size_t>{0}));
  const Row null_key2{Value(), Value::Real(8)};
  store.ApplyToViewTable("totals", ZSet({{null_key, -1}, {null_key2, 1}, {one, 1}}));
  model.AddAll(ZSet({{null_key, -1}, {null_key2, 1}, {one, 1}}));
  EXPECT_EQ(store.ReadTable("totals", true).ToString(), model.ToString());
}

// A key with a REAL column declared NOT NULL is the primary key too, and takes the NULL that
// NaN arithmetic yields by moving to the index; a table of either layout reports its key
// columns, and a table made with the index by an earlier version for a key that is never NULL
// keeps it and takes deltas.
TEST(SharedStateTest, ViewTableKeysOfEitherLayoutAreFound) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  const Schema schema({{"g", Type::kInteger, false},
                       {"x", Type::kReal, false},
                       {"h", Type::kText, false},
                       {"n", Type::kInteger}});
  store.CreateKeyedViewTable("by_text", schema, {2});
  store.CreateKeyedViewTable("by_real", schema, {0, 1});
  EXPECT_NE(TableLayout(store, "by_text").find("WITHOUT ROWID"), std::string::npos);
  EXPECT_NE(TableLayout(store, "by_real").find("WITHOUT ROWID"), std::string::npos);
  EXPECT_EQ(SqliteViewTableKey(store.database(), "by_text"), (std::vector<size_t>{2}));
  EXPECT_EQ(SqliteViewTableKey(store.database(), "by_real"), (std::vector<size_t>{0, 1}));
  const Row r1{Value::Integer(1), Value::Real(0.5), Value::Text("a"), Value::Integer(1)};
  const Row r2{Value::Integer(1), Value(), Value::Text("b"), Value::Integer(2)};
  store.ApplyToViewTable("by_real", ZSet({{r1, 1}}));
  store.ApplyToViewTable("by_real", ZSet({{r2, 1}}));
  EXPECT_NE(TableLayout(store, "by_real").find("by_real__key"), std::string::npos);
  EXPECT_EQ(SqliteViewTableKey(store.database(), "by_real"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(store.ReadTable("by_real", true).ToString(), ZSet({{r1, 1}, {r2, 1}}).ToString());
  store.database().Exec(
      "CREATE TABLE earlier (g INTEGER, x REAL, h TEXT, n INTEGER, _count_ BIGINT NOT NULL); "
      "CREATE UNIQUE INDEX earlier__key ON earlier (h)");
  store.CreateKeyedViewTable("earlier", schema, {2});
  EXPECT_EQ(TableLayout(store, "earlier").find("WITHOUT ROWID"), std::string::npos);
  EXPECT_EQ(SqliteViewTableKey(store.database(), "earlier"), (std::vector<size_t>{2}));
  const Row a{Value::Integer(1), Value::Real(0.5), Value::Text("a"), Value()};
  const Row a2{Value::Integer(2), Value::Real(0.5), Value::Text("a"), Value::Integer(7)};
  store.ApplyToViewTable("earlier", ZSet({{a, 1}}));
  store.ApplyToViewTable("earlier", ZSet({{a, -1}, {a2, 1}}));
  EXPECT_EQ(store.ReadTable("earlier", true).ToString(), ZSet({{a2, 1}}).ToString());
}

}  // namespace
}  // namespace zload
