// HeldWrites on its own, and a SqliteJobStore transaction opened by BeginHoldingWrites() on a
// real SQLite file: its state writes wait for WriteHeld() (another connection writes meanwhile,
// as it holds no lock), then land in order and commit with it; a rollback forgets them; a read of
// a table with held writes sees them; WaitApart lets its later reads see another connection's
// commit; the indexes serving a read are built in a committed transaction of their own.
#include "stores/held_writes.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_job_store.h"
#include "tests/support/item_tags.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

TEST(HeldWritesTest, RunsHeldWritesInOrderAfterMovingToWriting) {
  std::vector<std::string> log;
  HeldWrites held;
  held.Add(nullptr, [&] { log.push_back("not holding"); });  // dropped by Hold
  held.Hold({.to_writing = [&] { log.push_back("lock"); },
             .apart =
                 [&](const std::function<void()>& f) {
                   log.push_back("apart");
                   f();
                 }});
  EXPECT_TRUE(held.holding());
  int a = 0, b = 0;
  held.Add(&a, [&] { log.push_back("a1"); });
  held.Add(&b, [&] { log.push_back("b1"); });
  held.Add(&a, [&] { log.push_back("a2"); });
  held.BeforeRead(&log);  // no writes held for it
  held.RunApart([&] { log.push_back("index"); });
  EXPECT_EQ(log, (std::vector<std::string>{"apart", "index"}));
  held.BeforeRead(&b);  // it has held writes: everything runs first
  EXPECT_EQ(log, (std::vector<std::string>{"apart", "index", "lock", "a1", "b1", "a2"}));
  EXPECT_FALSE(held.holding());
  held.Release();  // nothing held any more
  held.RunApart([&] { log.push_back("now"); });
  EXPECT_EQ(log.size(), 7u);
  EXPECT_EQ(log.back(), "now");
}

TEST(HeldWritesTest, DropForgetsHeldWrites) {
  int ran = 0;
  HeldWrites held;
  held.Hold({.to_writing = [&] { ++ran; }, .apart = nullptr});
  held.Add(&ran, [&] { ++ran; });
  held.Drop();
  EXPECT_FALSE(held.holding());
  held.Release();
  EXPECT_EQ(ran, 0);
}

const StateTableSpec kGroups{
    .name = "groups", .arity = 2, .indexes = {{0}}, .one_row_per_key = true};
const StateTableSpec kBag{.name = "bag", .arity = 1, .indexes = {{0}}};

Row R(int64_t key, int64_t value) { return {Value::Integer(key), Value::Integer(value)}; }

// The rows of `table`, as text.
std::string Contents(StateTable& table) {
  ZSet all;
  table.Scan([&](const Row& row, int64_t w) { all.Add(row, w); });
  return all.ToString();
}

TEST(SqliteHeldWritesTest, AnotherConnectionWritesWhileWritesAreHeld) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  StateTable& groups = store.state().Open(kGroups);
  StateTable& bag = store.state().Open(kBag);
  store.Begin();
  groups.Replace({R(1, 10), R(2, 20)}, {});
  store.Commit();

  store.BeginHoldingWrites();
  std::vector<Row> keys = {{Value::Integer(1)}};
  int64_t seen = 0;
  groups.Lookup(0, keys, [&](size_t, const Row& row, int64_t) { seen = row[1].as_integer(); });
  EXPECT_EQ(seen, 10);
  groups.Replace({R(1, 11), R(3, 30)}, std::vector<Row>{{Value::Integer(2)}});
  bag.Apply(ZSet{{{Value::Integer(7)}, 2}});
  {
    // This transaction holds no lock: another connection writes and commits meanwhile.
    sqlite::Database other(dir / "job.db", 0);
    other.Exec("BEGIN IMMEDIATE; CREATE TABLE other_writer (x INTEGER); COMMIT");
  }
  store.WriteHeld();
  // The transaction holds the write lock now: another connection cannot write.
  sqlite::Database other(dir / "job.db", 0);
  EXPECT_THROW(other.Exec("BEGIN IMMEDIATE"), Error);
  store.Commit();
  EXPECT_EQ(Contents(groups), ZSet({{R(1, 11), 1}, {R(3, 30), 1}}).ToString());
  EXPECT_EQ(Contents(bag), ZSet({{{Value::Integer(7)}, 2}}).ToString());
}

TEST(SqliteHeldWritesTest, RollbackForgetsHeldWrites) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  StateTable& groups = store.state().Open(kGroups);
  store.BeginHoldingWrites();
  groups.Replace({R(1, 10)}, {});
  store.Rollback();
  EXPECT_EQ(Contents(groups), ZSet().ToString());
}

TEST(SqliteHeldWritesTest, AReadOfATableWithHeldWritesSeesThem) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  StateTable& bag = store.state().Open(kBag);
  store.BeginHoldingWrites();
  bag.Apply(ZSet{{{Value::Integer(7)}, 2}});
  bag.Apply(ZSet{{{Value::Integer(7)}, 1}});  // reads the stored weight: the first write lands
  EXPECT_EQ(Contents(bag), ZSet({{{Value::Integer(7)}, 3}}).ToString());
  store.WriteHeld();
  store.Commit();
  EXPECT_EQ(Contents(bag), ZSet({{{Value::Integer(7)}, 3}}).ToString());
}

TEST(SqliteHeldWritesTest, WaitApartLetsLaterReadsSeeAnotherConnectionsCommit) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  StateTable& groups = store.state().Open(kGroups);
  store.BeginHoldingWrites();
  EXPECT_EQ(Contents(groups), ZSet().ToString());  // the transaction's snapshot starts here
  SqliteJobStore other(dir / "job.db");
  StateTable& other_groups = other.state().Open(kGroups);
  other.Begin();
  other_groups.Replace({R(5, 50)}, {});
  other.Commit();
  EXPECT_EQ(Contents(groups), ZSet().ToString());  // not within one snapshot
  store.WaitApart([] {});
  EXPECT_EQ(Contents(groups), ZSet({{R(5, 50), 1}}).ToString());
  store.WriteHeld();
  store.Commit();
}

TEST(SqliteHeldWritesTest, ABatchDeltaIsHeldWithTheStateWrites) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  const ZSet delta{{R(1, 10), 1}, {R(2, 20), -1}};
  store.BeginHoldingWrites();
  store.PutBatchDelta(5, "v", delta);
  {
    // Held: another connection writes meanwhile (this one holds no lock).
    sqlite::Database other(dir / "job.db", 0);
    other.Exec("BEGIN IMMEDIATE; DELETE FROM zload_batch_deltas; COMMIT");
  }
  // A read of the deltas sees it (the held writes run first).
  std::optional<ZSet> found = store.FindBatchDelta(5, "v");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->ToString(), delta.ToString());
  store.WriteHeld();
  store.Commit();
  found = store.FindBatchDelta(5, "v");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->ToString(), delta.ToString());
}

TEST(SqliteHeldWritesTest, IndexesServingAReadAreBuiltApartFromHeldWrites) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  store.CreateBaseTable({"items", "k INTEGER, name TEXT", {}}, test::kItemSchema, true);
  store.CreateBaseTable({"tags", "k INTEGER, tag TEXT", {}}, test::kTagSchema, true);
  store.ApplyToBaseTable("items", ZSet{{test::ItemRow(1, "tv"), 1}});
  store.ApplyToBaseTable("tags", ZSet{{test::ItemRow(1, "red"), 1}});
  std::unique_ptr<StateTable> served = store.OpenBaseRelationState(test::kItemTags, test::kByTag);
  StateTable& groups = store.state().Open(kGroups);
  store.BeginHoldingWrites();
  groups.Replace({R(1, 10)}, {});
  const std::vector<Row> keys{{Value::Text("red")}};
  EXPECT_EQ(test::LookedUpAll(*served, keys).ToString(),
            ZSet({{Row{Value::Text("tv"), Value::Text("red")}, 1}}).ToString());
  store.Rollback();
  // The indexes were committed on their own; the held write went with the rollback.
  sqlite::Database other(dir / "job.db");
  sqlite::Statement indexes(other.handle(),
                            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                            "('items__by__k', 'tags__by__k', 'tags__by__tag')");
  ASSERT_TRUE(indexes.Step());
  EXPECT_EQ(indexes.ColumnInt(0), 3);
  EXPECT_EQ(Contents(groups), ZSet().ToString());
}

}  // namespace
}  // namespace zload
