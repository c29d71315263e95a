#include "stores/sqlite_job_store.h"

#include <gtest/gtest.h>

#include "engine/error.h"
#include "stores/row_codec.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

Row R(std::string name, double price) { return {Value::Text(std::move(name)), Value::Real(price)}; }

const Schema kProducts({{"name", Type::kText, false}, {"price", Type::kReal, false}});

TEST(SqliteJobStoreTest, BaseTableHoldsCopiesAndDeletesExactly) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  store.CreateBaseTable({"items", "name TEXT NOT NULL, price REAL NOT NULL", {}}, kProducts, true);
  store.ApplyToBaseTable("items", ZSet{{R("tv", 3), 2}, {R("radio", 5), 1}});
  EXPECT_EQ(store.CountBaseRows("items", {R("tv", 3), R("radio", 5), R("x", 1)}),
            (std::vector<int64_t>{2, 1, 0}));
  store.ApplyToBaseTable("items", ZSet{{R("tv", 3), -1}});
  EXPECT_EQ(store.ReadTable("items", false).ToString(),
            ZSet({{R("tv", 3), 1}, {R("radio", 5), 1}}).ToString());
  store.Begin();
  EXPECT_THROW(store.ApplyToBaseTable("items", ZSet{{R("tv", 3), -2}}), Error);
  store.Rollback();
  // Many rows go through the multi-row insert.
  ZSet many;
  for (int i = 0; i < 200; ++i) many.Add(R("p" + std::to_string(i), i), 1 + i % 3);
  store.ApplyToBaseTable("items", many);
  EXPECT_EQ(store.ReadTable("items", false).TotalWeight(), many.TotalWeight() + 1 + 1);
}

TEST(SqliteJobStoreTest, StreamedRowsAreWrittenAtFinishInTheOpenTransaction) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  EXPECT_FALSE(store.ConcurrentWriters());  // one writer at a time
  store.CreateBaseTable({"items", "name TEXT NOT NULL, price REAL NOT NULL", {}}, kProducts, false);
  store.Begin();
  std::unique_ptr<BaseRowStream> stream = store.StreamBaseRows("items");
  stream->Add(R("tv", 3));
  stream->Add(R("tv", 3));
  stream->Add(R("radio", 5));
  stream->Finish();
  store.Rollback();
  EXPECT_EQ(store.ReadTable("items", false).size(), 0u);
  store.Begin();
  stream = store.StreamBaseRows("items");
  stream->Add(R("tv", 3));
  stream->Add(R("tv", 3));
  stream->Add(R("radio", 5));
  stream->Finish();
  store.Commit();
  EXPECT_EQ(store.ReadTable("items", false).ToString(),
            ZSet({{R("tv", 3), 2}, {R("radio", 5), 1}}).ToString());
}

TEST(SqliteJobStoreTest, PrimaryKeyLookupAndTypedReadBack) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  Schema schema({{"id", Type::kInteger, false}, {"ok", Type::kBoolean}, {"at", Type::kTimestamp}});
  store.CreateBaseTable({"t", "id INTEGER NOT NULL, ok BOOLEAN, at TIMESTAMP", {"id"}}, schema,
                        false);
  Row a{Value::Integer(1), Value::Boolean(true), Value::Time(1700000000000000)};
  Row b{Value::Integer(2), Value(), Value()};
  store.ApplyToBaseTable("t", ZSet{{a, 1}, {b, 1}});
  EXPECT_EQ(store.LookupBaseRows("t", {{Value::Integer(1)}, {Value::Integer(3)}}).ToString(),
            ZSet({{a, 1}}).ToString());
  EXPECT_EQ(store.ReadTable("t", false), (ZSet{{a, 1}, {b, 1}}));
  EXPECT_EQ(store.TableSchema("t")->columns(), schema.columns());
  EXPECT_FALSE(store.TableSchema("nope").has_value());
  EXPECT_THROW(store.ApplyToBaseTable("t", ZSet{{a, 1}}), Error);  // duplicate key
}

// A multi-row insert that meets a stored key partway fails (it does not skip the row), and the
// batch's rollback leaves the table as it was: no row of that statement, before or after the
// duplicate, stays.
TEST(SqliteJobStoreTest, InsertMeetingAStoredKeyFailsAndRollsBackWhole) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  Schema schema({{"id", Type::kInteger, false}, {"name", Type::kText, false}});
  store.CreateBaseTable({"t", "id INTEGER NOT NULL, name TEXT NOT NULL", {"id"}}, schema, false);
  const auto row = [](int64_t id) { return Row{Value::Integer(id), Value::Text("n")}; };
  store.ApplyToBaseTable("t", ZSet{{row(100), 1}});
  const std::string before = store.ReadTable("t", false).ToString();
  std::vector<Row> rows;  // 200 rows, id 100 among them: inside the second 64-row statement
  for (int64_t id = 0; id < 200; ++id) rows.push_back(row(id));
  store.Begin();
  EXPECT_THROW(store.InsertBaseRows("t", rows), Error);
  store.Rollback();
  EXPECT_EQ(store.ReadTable("t", false).ToString(), before);
  store.Begin();
  store.InsertBaseRows("t", std::vector<Row>(rows.begin(), rows.begin() + 100));
  store.Commit();
  EXPECT_EQ(store.ReadTable("t", false).size(), 101u);
}

TEST(SqliteJobStoreTest, ViewTableCountsWeightsAndDropsZeroRows) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  Schema schema({{"basket_id", Type::kInteger}, {"total", Type::kReal}});
  store.CreateViewTable("totals", schema);
  Row one{Value::Integer(1), Value::Real(23)}, none{Value(), Value::Real(6)};
  store.ApplyToViewTable("totals", ZSet{{one, 1}, {none, 2}});
  store.ApplyToViewTable("totals", ZSet{{one, -1}, {none, 1}});
  EXPECT_EQ(store.ReadTable("totals", true).ToString(), ZSet({{none, 3}}).ToString());
  EXPECT_THROW(store.ReadTable("totals", false), Error);
  store.state().Open({"totals__3_join__left", 2, {{0}}});
  store.DropView("totals");
  EXPECT_FALSE(store.TableSchema("totals").has_value());
  sqlite::Statement left(store.database().handle(),
                         "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'totals%'");
  left.Step();
  EXPECT_EQ(left.ColumnInt(0), 0);
}

TEST(SqliteJobStoreTest, RollbackUndoesTablesAndState) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  store.CreateBaseTable({"items", "", {}}, kProducts, false);
  StateTable& state = store.state().Open({"v__1_distinct__integral", 2, {}});
  store.Begin();
  store.ApplyToBaseTable("items", ZSet{{R("tv", 3), 1}});
  state.Apply(ZSet{{R("tv", 3), 1}});
  store.Rollback();
  EXPECT_TRUE(store.ReadTable("items", false).empty());
  EXPECT_EQ(state.Size(), 0u);
  store.Begin();
  state.Apply(ZSet{{R("tv", 3), 1}});
  store.Commit();
  EXPECT_EQ(state.Size(), 1u);
}

TEST(SqliteJobStoreTest, CatalogAndFileRegistryPersist) {
  test::ScratchDir dir;
  {
    SqliteJobStore store(dir / "job.db");
    store.PutSource({"products", "name TEXT", {"name", "x"}});
    store.PutView({"totals", "SELECT 1", "0 map"});
    int64_t id = store.StartFileLoad({0, "products", "/d/p.csv", 10, "abc", 0, ""});
    store.UpdateFileLoad(id, 2, "complete");
  }
  SqliteJobStore store(dir / "job.db");
  EXPECT_EQ(store.FindSource("products")->primary_key, (std::vector<std::string>{"name", "x"}));
  EXPECT_FALSE(store.FindSource("nope").has_value());
  EXPECT_EQ(store.FindView("totals")->shape, "0 map");
  auto load = store.FindFileLoad("products", "abc");
  ASSERT_TRUE(load.has_value());
  EXPECT_EQ(load->rows, 2);
  EXPECT_EQ(load->status, "complete");
  EXPECT_FALSE(store.FindFileLoad("other", "abc").has_value());
}

TEST(SqliteJobStoreTest, BatchDeltasAreOneRowEachAndRowsOfTheEarlierLayoutStillRead) {
  test::ScratchDir dir;
  SqliteJobStore store(dir / "job.db");
  ZSet big;
  for (int i = 0; i < 5000; ++i)
    big.Add(R("p" + std::to_string(i), i / 4.0), i % 5 == 2 ? 7 : i % 5 - 2);
  store.PutBatchDelta(3, "join", big);
  store.PutBatchDelta(3, "filter", ZSet());
  store.PutBatchDelta(4, "join", ZSet{{R("tv", 3), -1}});
  EXPECT_EQ(store.FindBatchDelta(3, "join"), big);
  ASSERT_TRUE(store.FindBatchDelta(3, "filter").has_value());  // ran, with an empty delta
  EXPECT_TRUE(store.FindBatchDelta(3, "filter")->empty());
  EXPECT_FALSE(store.FindBatchDelta(3, "group").has_value());  // never ran
  EXPECT_EQ(store.FindBatchDelta(4, "join"), (ZSet{{R("tv", 3), -1}}));
  auto count = [&](const std::string& sql) {
    sqlite::Statement q(store.database().handle(), sql);
    q.Step();
    return q.ColumnInt(0);
  };
  EXPECT_EQ(count("SELECT count(*) FROM zload_batch_deltas"), 3);
  // A delta kept as one row per entry, as earlier versions wrote it, reads as before.
  sqlite::Statement old(store.database().handle(),
                        "INSERT INTO zload_batch_deltas (time, name, row, weight) VALUES "
                        "(5, 'join', ?1, 2), (5, 'join', ?2, -1), (5, 'map', x'', 0)");
  const std::string tv = EncodeRow(R("tv", 3)), radio = EncodeRow(R("radio", 5));
  old.BindBlob(1, tv.data(), tv.size());
  old.BindBlob(2, radio.data(), radio.size());
  old.Run();
  EXPECT_EQ(store.FindBatchDelta(5, "join"), (ZSet{{R("tv", 3), 2}, {R("radio", 5), -1}}));
  ASSERT_TRUE(store.FindBatchDelta(5, "map").has_value());
  EXPECT_TRUE(store.FindBatchDelta(5, "map")->empty());
  store.DropBatchDeltas(3);
  EXPECT_FALSE(store.FindBatchDelta(3, "join").has_value());
  EXPECT_EQ(count("SELECT count(*) FROM zload_batch_deltas"), 4);
}

int64_t Pragma(sqlite::Database& db, const std::string& name) {
  sqlite::Statement q(db.handle(), "PRAGMA " + name);
  q.Step();
  return q.ColumnInt(0);
}

TEST(SqliteJobStoreTest, NewFilesGetLargePagesAndEarlierFilesKeepTheirs) {
  test::ScratchDir dir;
  {
    SqliteJobStore store(dir / "new.db");
    EXPECT_EQ(Pragma(store.database(), "page_size"), 16384);
    EXPECT_EQ(Pragma(store.database(), "wal_autocheckpoint"), 2560);  // ~40 MiB of WAL
  }
  // A file of 4 KiB pages, as earlier versions made them.
  const std::string old = dir / "old.db";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(old.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(
      sqlite3_exec(raw, "PRAGMA page_size=4096; CREATE TABLE t (x)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  SqliteJobStore store(old);
  EXPECT_EQ(Pragma(store.database(), "page_size"), 4096);
  EXPECT_EQ(Pragma(store.database(), "wal_autocheckpoint"), 10240);
  store.CreateBaseTable({"items", "name TEXT NOT NULL, price REAL NOT NULL", {}}, kProducts, true);
  store.ApplyToBaseTable("items", ZSet{{R("tv", 3), 2}});
  EXPECT_EQ(store.ReadTable("items", false), (ZSet{{R("tv", 3), 2}}));
}

}  // namespace
}  // namespace zload
