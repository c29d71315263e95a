// The JobStore behaviour of sqlite_job_store_test.cc on PostgreSQL, plus exact round trips of
// every type through both write paths (multi-row INSERT and COPY) and hostile names.
#include "stores/postgres_job_store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/error.h"
#include "stores/row_codec.h"
#include "tests/support/pg_job_store_fixture.h"

namespace zload {
namespace {

using test::PostgresJobStoreTest;

Row R(std::string name, double price) { return {Value::Text(std::move(name)), Value::Real(price)}; }

const Schema kProducts({{"name", Type::kText, false}, {"price", Type::kReal, false}});

TEST_F(PostgresJobStoreTest, BaseTableHoldsCopiesAndDeletesExactly) {
  store().CreateBaseTable({"items", "name TEXT NOT NULL, price REAL NOT NULL", {}}, kProducts,
                          true);
  store().ApplyToBaseTable("items", ZSet{{R("tv", 3), 2}, {R("radio", 5), 1}});
  EXPECT_EQ(store().CountBaseRows("items", {R("tv", 3), R("radio", 5), R("x", 1)}),
            (std::vector<int64_t>{2, 1, 0}));
  store().ApplyToBaseTable("items", ZSet{{R("tv", 3), -1}});
  EXPECT_EQ(store().ReadTable("items", false).ToString(),
            ZSet({{R("tv", 3), 1}, {R("radio", 5), 1}}).ToString());
  store().Begin();
  try {
    store().ApplyToBaseTable("items", ZSet{{R("tv", 3), -2}});
    ADD_FAILURE() << "deleted more copies than stored";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConstraint) << e.what();
  }
  store().Rollback();
  // A failed call outside Begin() changes nothing either.
  EXPECT_THROW(store().ApplyToBaseTable("items", ZSet{{R("new", 1), 1}, {R("radio", 5), -3}}),
               Error);
  // Many rows go through the multi-row insert, more through COPY.
  ZSet many;
  for (int i = 0; i < 200; ++i) many.Add(R("p" + std::to_string(i), i), 1 + i % 3);
  store().ApplyToBaseTable("items", many);
  EXPECT_EQ(store().ReadTable("items", false).TotalWeight(), many.TotalWeight() + 1 + 1);
  ZSet more;
  for (int i = 0; i < 700; ++i) more.Add(R("q" + std::to_string(i), i * 0.5), 1);
  store().ApplyToBaseTable("items", more);
  ZSet want = many;
  want.AddAll(more);
  want.Add(R("tv", 3), 1);
  want.Add(R("radio", 5), 1);
  EXPECT_EQ(store().ReadTable("items", false), want);
  // Deleting copies of many rows at once, and rows with NULLs.
  store().ApplyToBaseTable("items", more.Negated());
  want.AddAll(more, -1);
  EXPECT_EQ(store().ReadTable("items", false), want);
}

TEST_F(PostgresJobStoreTest, NullsMatchInCountsAndDeletes) {
  Schema schema({{"a", Type::kInteger}, {"b", Type::kText}});
  store().CreateBaseTable({"n", "", {}}, schema, true);
  Row both{Value(), Value()}, left{Value::Integer(1), Value()},
      full{Value::Integer(1), Value::Text("x")};
  store().ApplyToBaseTable("n", ZSet{{both, 3}, {left, 2}, {full, 1}});
  EXPECT_EQ(store().CountBaseRows("n", {both, left, full, {Value(), Value::Text("x")}}),
            (std::vector<int64_t>{3, 2, 1, 0}));
  store().ApplyToBaseTable("n", ZSet{{both, -2}, {left, -2}});
  EXPECT_EQ(store().ReadTable("n", false), (ZSet{{both, 1}, {full, 1}}));
}

TEST_F(PostgresJobStoreTest, PrimaryKeyLookupAndTypedReadBack) {
  Schema schema({{"id", Type::kInteger, false}, {"ok", Type::kBoolean}, {"at", Type::kTimestamp}});
  store().CreateBaseTable({"t", "id INTEGER NOT NULL, ok BOOLEAN, at TIMESTAMP", {"id"}}, schema,
                          false);
  Row a{Value::Integer(1), Value::Boolean(true), Value::Time(1700000000000000)};
  Row b{Value::Integer(2), Value(), Value()};
  store().ApplyToBaseTable("t", ZSet{{a, 1}, {b, 1}});
  EXPECT_EQ(
      store().LookupBaseRows("t", {{Value::Integer(1)}, {Value::Integer(3)}, {Value()}}).ToString(),
      ZSet({{a, 1}}).ToString());
  EXPECT_EQ(store().ReadTable("t", false), (ZSet{{a, 1}, {b, 1}}));
  EXPECT_EQ(store().TableSchema("t")->columns(), schema.columns());
  EXPECT_FALSE(store().TableSchema("nope").has_value());
  try {
    store().ApplyToBaseTable("t", ZSet{{a, 1}});  // duplicate key
    ADD_FAILURE() << "duplicate key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConstraint) << e.what();
  }
  EXPECT_EQ(store().ReadTable("t", false), (ZSet{{a, 1}, {b, 1}}));
}

TEST_F(PostgresJobStoreTest, CompositeKeyLookupCrossesChunks) {
  Schema schema({{"k1", Type::kText, false}, {"k2", Type::kInteger, false}, {"v", Type::kReal}});
  store().CreateBaseTable({"pairs", "", {"k2", "k1"}}, schema, false);
  std::vector<Row> rows;
  for (int64_t i = 0; i < 2500; ++i) {
    rows.push_back({Value::Text("k" + std::to_string(i % 7)), Value::Integer(i), Value::Real(i)});
  }
  store().InsertBaseRows("pairs", rows);
  EXPECT_EQ(store().TableSchema("pairs")->columns(), schema.columns());
  std::vector<Row> keys;  // primary-key order: k2, k1
  ZSet want;
  for (int64_t i = 0; i < 2600; i += 2) {
    keys.push_back({Value::Integer(i), Value::Text("k" + std::to_string(i % 7))});
    if (i < 2500) want.Add(rows[static_cast<size_t>(i)], 1);
  }
  keys.push_back({Value::Integer(4), Value::Text("k4")});  // repeated: counted twice
  want.Add(rows[4], 1);
  keys.push_back({Value::Integer(5), Value::Text("k0")});  // wrong k1: no match
  EXPECT_EQ(store().LookupBaseRows("pairs", keys), want);
  std::vector<Row> probe = rows;  // counts cross chunks too
  probe.push_back({Value::Text("k1"), Value::Integer(1), Value()});
  std::vector<int64_t> counts(rows.size(), 1);
  counts.push_back(0);
  EXPECT_EQ(store().CountBaseRows("pairs", probe), counts);
}

// Every type's awkward values: extremes, NaN, -0.0, infinities, control characters, dates
// before year 1 and after 9999.
std::vector<Row> AwkwardRows() {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Value> ints = {Value::Integer(0), Value::Integer(INT64_MIN),
                                   Value::Integer(INT64_MAX), Value::Integer(-1)};
  const std::vector<Value> reals = {
      Value::Real(0.1),  Value::Real(-0.0),  Value::Real(std::nan("")), Value::Real(inf),
      Value::Real(-inf), Value::Real(1e308), Value::Real(5e-324),       Value::Real(-123456.789)};
  const std::vector<Value> texts = {Value::Text(""),
                                    Value::Text("tab\there"),
                                    Value::Text("line\nbreak\r"),
                                    Value::Text("back\\slash\\N"),
                                    Value::Text("\"quoted\" 'single'"),
                                    Value::Text("caf\xc3\xa9 \xe2\x82\xac"),
                                    Value::Text("{a,b}"),
                                    Value::Text("NULL")};
  const std::vector<Value> times = {
      Value::Time(0),
      Value::Time(-1),
      Value::Time(1700000000123456),
      Value::Time(-62135596800000000),      // 0001-01-01
      Value::Time(-62135596800000000 - 1),  // the last microsecond of 1 BC
      Value::Time(-210000000000000000),     // 4686 BC, near PostgreSQL's lower limit
      Value::Time(253402300800000000),      // 10000-01-01
      Value::Time(9000000000000000000)};
  std::vector<Row> rows;
  for (size_t i = 0; i < 8; ++i) {
    rows.push_back({Value::Integer(static_cast<int64_t>(i)), ints[i % ints.size()], reals[i],
                    texts[i], Value::Boolean(i % 2), times[i]});
  }
  rows.push_back({Value::Integer(8), Value(), Value(), Value(), Value(), Value()});
  return rows;
}

const Schema kAllTypes({{"id", Type::kInteger, false},
                        {"i", Type::kInteger},
                        {"r", Type::kReal},
                        {"t", Type::kText},
                        {"b", Type::kBoolean},
                        {"at", Type::kTimestamp}});

// Equality of Values treats -0.0 as 0.0 and NaN as NaN; a round trip must keep the bits too.
void ExpectSameBits(const ZSet& got, const std::vector<Row>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const Row& row : want) {
    ASSERT_NE(got.Weight(row), 0) << RowToString(row);
  }
  for (const auto& [row, w] : got) {
    if (row[2].type() == Type::kReal) {
      for (const Row& expected : want) {
        if (expected[0] == row[0]) {
          EXPECT_EQ(std::signbit(row[2].as_real()), std::signbit(expected[2].as_real()))
              << RowToString(row);
        }
      }
    }
  }
}

TEST_F(PostgresJobStoreTest, EveryTypeRoundTripsThroughInsertAndCopy) {
  store().CreateBaseTable({"small", "", {"id"}}, kAllTypes, false);
  store().CreateBaseTable({"big", "", {}}, kAllTypes, true);
  std::vector<Row> rows = AwkwardRows();
  store().InsertBaseRows("small", rows);
  ExpectSameBits(store().ReadTable("small", false), rows);
  std::vector<Row> big;
  for (int copy = 0; copy < 60; ++copy) big.insert(big.end(), rows.begin(), rows.end());
  store().InsertBaseRows("big", big);  // over the COPY threshold
  ZSet got = store().ReadTable("big", false);
  ExpectSameBits(got, rows);
  for (const Row& row : rows) EXPECT_EQ(got.Weight(row), 60) << RowToString(row);
  // Stored values compare equal to the values bound in counts and deletes.
  std::vector<int64_t> counts = store().CountBaseRows("big", rows);
  EXPECT_EQ(counts, std::vector<int64_t>(rows.size(), 60));
  ZSet remove;
  for (const Row& row : rows) remove.Add(row, -59);
  store().ApplyToBaseTable("big", remove);
  ExpectSameBits(store().ReadTable("big", false), rows);
  // What SQL clients see: real PostgreSQL types and values.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM small WHERE at = '2023-11-14 22:13:20.123456'"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM small WHERE at = '0001-12-31 23:59:59.999999 BC'"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM small WHERE r = 'NaN' AND NOT b"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM small WHERE t = E'tab\\there'"), 1);
}

TEST_F(PostgresJobStoreTest, StreamedRowsAreStoredAsInsertedOnesAndOnlyOnCommit) {
  EXPECT_TRUE(store().ConcurrentWriters());
  store().CreateBaseTable({"inserted", "", {}}, kAllTypes, false);
  store().CreateBaseTable({"streamed", "", {}}, kAllTypes, false);
  // Every awkward row, and values of other types than their columns', as SQLite's affinity
  // converts them.
  std::vector<Row> rows = AwkwardRows();
  rows.push_back({Value::Integer(9), Value::Real(3.0), Value::Integer(7), Value::Integer(-12),
                  Value::Integer(1), Value::Integer(1700000000000000)});
  rows.push_back({Value::Integer(10), Value::Real(-4.0), Value::Boolean(true), Value::Real(0.25),
                  Value::Real(0.0), Value::Integer(-86400000000)});
  // Text in typed columns (the stream sends binary values, inserts send text PostgreSQL reads).
  rows.push_back({Value::Integer(11), Value::Text("-42"), Value::Text("2.5e-3"), Value::Integer(5),
                  Value::Text("yes"), Value::Text("2023-11-14 22:13:20.5")});
  rows.push_back({Value::Integer(12), Value::Text("9223372036854775807"), Value::Text("-Infinity"),
                  Value::Boolean(false), Value::Text("OFF"), Value::Integer(86400000000)});
  std::vector<Row> many;
  for (int copy = 0; copy < 700; ++copy) many.insert(many.end(), rows.begin(), rows.end());
  store().InsertBaseRows("inserted", many);
  // Outside a transaction there is no stream.
  try {
    store().StreamBaseRows("streamed");
    ADD_FAILURE() << "a stream opened outside a transaction";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal) << e.what();
  }
  // Rolled back, a stream leaves nothing.
  store().Begin();
  {
    std::unique_ptr<BaseRowStream> stream = store().StreamBaseRows("streamed");
    for (const Row& row : rows) stream->Add(row);
    stream->Finish();
  }
  store().Rollback();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM streamed"), 0);
  // Over many pieces of COPY data (9,100 rows), committed: the rows InsertBaseRows stores.
  store().Begin();
  std::unique_ptr<BaseRowStream> stream = store().StreamBaseRows("streamed");
  for (const Row& row : many) stream->Add(row);
  stream->Finish();
  store().Commit();
  ZSet got = store().ReadTable("streamed", false);
  EXPECT_EQ(got.ToString(), store().ReadTable("inserted", false).ToString());
  EXPECT_EQ(got.size(), rows.size());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM streamed WHERE id = 1 AND r::text = '-0'"), 700);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM streamed WHERE t = E'tab\\there'"), 700);
  // A row of the wrong width is refused.
  store().Begin();
  std::unique_ptr<BaseRowStream> bad = store().StreamBaseRows("streamed");
  EXPECT_THROW(bad->Add({Value::Integer(1)}), Error);
  bad.reset();
  store().Rollback();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM streamed"), static_cast<int64_t>(many.size()));
}

TEST_F(PostgresJobStoreTest, TimestampsOutsidePostgresRangeAreConstraintErrors) {
  store().CreateBaseTable({"t", "", {}}, Schema({{"at", Type::kTimestamp}}), false);
  try {
    store().InsertBaseRows("t", {{Value::Time(INT64_MIN)}});
    ADD_FAILURE() << "accepted a timestamp before 4713 BC";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConstraint) << e.what();
    EXPECT_EQ(e.context().table, "t");
  }
}

TEST_F(PostgresJobStoreTest, StreamedValuesTheColumnCannotHoldAreConstraintErrors) {
  store().CreateBaseTable({"t", "", {}}, kAllTypes, false);
  const Row good = {Value::Integer(1), Value(), Value(), Value(), Value(), Value()};
  auto expect_refused = [&](const Row& row, const std::string& why) {
    store().Begin();
    try {
      std::unique_ptr<BaseRowStream> stream = store().StreamBaseRows("t");
      stream->Add(good);
      stream->Add(row);
      stream->Finish();
      ADD_FAILURE() << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kConstraint) << why << ": " << e.what();
      EXPECT_EQ(e.context().table, "t") << why;
    }
    store().Rollback();
  };
  // Found before sending: no binary form at all.
  expect_refused({Value::Integer(2), Value(), Value(), Value(), Value(), Value::Time(INT64_MIN)},
                 "a timestamp whose PostgreSQL form overflows");
  expect_refused({Value::Integer(2), Value::Text("4x"), Value(), Value(), Value(), Value()},
                 "text that is not an integer in a bigint column");
  expect_refused({Value::Integer(2), Value(), Value(), Value(), Value::Text("maybe"), Value()},
                 "text that is not a boolean in a boolean column");
  // Found by the server: a timestamp before 4713 BC.
  expect_refused(
      {Value::Integer(2), Value(), Value(), Value(), Value(), Value::Time(-220000000000000000)},
      "a timestamp before PostgreSQL's range");
  // The connection goes on: a later stream stores its rows.
  store().Begin();
  std::unique_ptr<BaseRowStream> stream = store().StreamBaseRows("t");
  stream->Add(good);
  stream->Finish();
  store().Commit();
  EXPECT_EQ(QueryInt("SELECT count(*) FROM t"), 1);
}

TEST_F(PostgresJobStoreTest, RollbackUndoesTablesAndState) {
  store().CreateBaseTable({"items", "", {}}, kProducts, false);
  StateTable& state = store().state().Open({"v__1_distinct__integral", 2, {}});
  store().Begin();
  store().ApplyToBaseTable("items", ZSet{{R("tv", 3), 1}});
  state.Apply(ZSet{{R("tv", 3), 1}});
  store().CreateBaseTable({"later", "", {}}, kProducts, false);
  store().CreateViewTable("v", kProducts);
  store().ApplyToViewTable("v", ZSet{{R("tv", 3), 1}});
  store().PutView({"v", "SELECT 1", "shape"});
  store().Rollback();
  EXPECT_TRUE(store().ReadTable("items", false).empty());
  EXPECT_EQ(state.Size(), 0u);
  EXPECT_FALSE(store().TableSchema("later").has_value());
  EXPECT_FALSE(store().TableSchema("v").has_value());
  EXPECT_FALSE(store().FindView("v").has_value());
  store().Begin();
  state.Apply(ZSet{{R("tv", 3), 1}});
  store().CreateBaseTable({"later", "", {}}, kProducts, false);
  store().InsertBaseRows("later", {R("a", 1)});
  store().Commit();
  EXPECT_EQ(state.Size(), 1u);
  EXPECT_EQ(store().ReadTable("later", false), (ZSet{{R("a", 1), 1}}));
}

TEST_F(PostgresJobStoreTest, CatalogAndFileRegistryPersist) {
  store().PutSource({"products", "name TEXT", {"name"}});
  store().PutSource({"products", "name TEXT", {"name", "x"}});  // replaces
  store().PutSource({"nokey", "a TEXT", {}});
  store().PutView({"totals", "SELECT 1", "0 map"});
  int64_t first = store().StartFileLoad({0, "products", "/d/p.csv", 10, "abc", 0, ""});
  store().UpdateFileLoad(first, 2, "interrupted");
  int64_t second = store().StartFileLoad({0, "products", "/d/p2.csv", 10, "abc", 0, ""});
  store().UpdateFileLoad(second, 5, "complete");
  Reopen();
  EXPECT_EQ(store().FindSource("products")->primary_key, (std::vector<std::string>{"name", "x"}));
  EXPECT_TRUE(store().FindSource("nokey")->primary_key.empty());
  EXPECT_FALSE(store().FindSource("nope").has_value());
  EXPECT_EQ(store().FindView("totals")->shape, "0 map");
  EXPECT_EQ(store().FindView("totals")->sql, "SELECT 1");
  store().PutView({"Zeta", "SELECT 2", "z"});
  store().PutView({"alpha", "SELECT 3", "a"});
  std::vector<std::string> names;
  for (const ViewDefinition& v : store().Views()) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Zeta", "alpha", "totals"}));
  auto load = store().FindFileLoad("products", "abc");
  ASSERT_TRUE(load.has_value());
  EXPECT_EQ(load->id, second);
  EXPECT_EQ(load->path, "/d/p2.csv");
  EXPECT_EQ(load->rows, 5);
  EXPECT_EQ(load->status, "complete");
  EXPECT_FALSE(store().FindFileLoad("other", "abc").has_value());
  std::vector<FileLoad> loads = store().FileLoads();
  ASSERT_EQ(loads.size(), 2u);
  EXPECT_EQ(loads[0].id, first);
  EXPECT_EQ(loads[0].status, "interrupted");
  EXPECT_EQ(loads[0].size, 10);
  EXPECT_EQ(loads[1].status, "complete");
}

// A batch's transaction (it moves last_update) commits without waiting for its WAL's flush;
// everything else, a load's final status among it, waits as the server is configured to.
TEST_F(PostgresJobStoreTest, BatchesCommitRelaxedAndALoadsEndDurably) {
  auto setting = [&] {
    return store().database().Read([](pqxx::transaction_base& tx) {
      return tx.exec("SHOW synchronous_commit")[0][0].as<std::string>();
    });
  };
  // The test cluster's default is off; the session's own setting is what the store must keep.
  store().database().Read(
      [](pqxx::transaction_base& tx) { tx.exec("SET synchronous_commit = on"); });
  ASSERT_EQ(setting(), "on");
  int64_t load = store().StartFileLoad({0, "products", "/d/p.csv", 10, "abc", 0, ""});
  EXPECT_EQ(setting(), "on");

  store().Begin();
  store().UpdateFileLoad(load, 1, "loading");
  EXPECT_EQ(setting(), "on");
  store().CloseBatch({"products"}, {1, load, 0, 1, "done", 1, ""});
  EXPECT_EQ(setting(), "off");
  store().Commit();
  EXPECT_EQ(setting(), "on");

  store().Begin();
  store().SetLastUpdates({"products", "totals"}, 2);
  EXPECT_EQ(setting(), "off");
  store().Rollback();
  EXPECT_EQ(setting(), "on");

  store().Begin();
  store().PutJournalEntry({2, load, 1, 1, "failed", 0, "no"});
  store().UpdateFileLoad(load, 1, "complete");
  EXPECT_EQ(setting(), "on");
  store().Commit();
  EXPECT_EQ(setting(), "on");

  Reopen();
  EXPECT_EQ(store().LastUpdates().at("products"), 1);
  EXPECT_EQ(store().LastUpdates().count("totals"), 0u);
  std::vector<JournalEntry> journal = store().Journal();
  ASSERT_EQ(journal.size(), 2u);
  EXPECT_EQ(journal[0].status, "done");
  EXPECT_EQ(journal[1].status, "failed");
  EXPECT_EQ(store().FileLoads().at(0).status, "complete");
}

TEST_F(PostgresJobStoreTest, HostileNamesCannotInjectSql) {
  const std::string table = "t\"; DROP TABLE zload_views; --";
  const std::string view = "v'); DELETE FROM zload_sources; --";
  Schema schema({{"a\"b", Type::kText, false}, {"c;d", Type::kInteger}, {"'e'", Type::kReal}});
  store().PutSource({table, "x", {"a\"b"}});
  store().PutView({view, "SELECT 1", "s"});
  store().CreateBaseTable({table, "x", {"a\"b"}}, schema, false);
  store().CreateViewTable(view, schema);
  Row row{Value::Text("'); DROP TABLE x; --"), Value::Integer(1), Value::Real(2)};
  store().ApplyToBaseTable(table, ZSet{{row, 1}});
  std::vector<Row> many;
  for (int64_t i = 0; i < 600; ++i) {
    many.push_back({Value::Text("k" + std::to_string(i)), Value::Integer(i), Value()});
  }
  store().InsertBaseRows(table, many);  // COPY with quoted names
  store().ApplyToViewTable(view, ZSet{{row, 2}});
  EXPECT_EQ(store().LookupBaseRows(table, {{row[0]}}), (ZSet{{row, 1}}));
  EXPECT_EQ(store().CountBaseRows(table, {row}), (std::vector<int64_t>{1}));
  EXPECT_EQ(store().ReadTable(table, false).size(), 601u);
  EXPECT_EQ(store().ReadTable(view, true), (ZSet{{row, 2}}));
  EXPECT_EQ(store().TableSchema(table)->columns(), schema.columns());
  EXPECT_EQ(store().FindSource(table)->primary_key, (std::vector<std::string>{"a\"b"}));
  store().DropView(view);
  EXPECT_FALSE(store().TableSchema(view).has_value());
  EXPECT_TRUE(store().TableSchema(table).has_value());
  EXPECT_TRUE(store().TableSchema("zload_views").has_value());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM zload_sources"), 1);
  // Names PostgreSQL would truncate are shortened, and distinct names stay distinct.
  const std::string long_a = std::string(70, 'x') + "a", long_b = std::string(70, 'x') + "b";
  Schema long_columns({{long_a, Type::kText}, {long_b, Type::kInteger}});
  store().CreateBaseTable({long_a, "", {long_b}}, long_columns, false);
  store().CreateViewTable(long_b, long_columns);
  Row long_row{Value::Text("a"), Value::Integer(1)};
  store().InsertBaseRows(long_a, {long_row});
  store().ApplyToViewTable(long_b, ZSet{{long_row, 3}});
  EXPECT_EQ(store().LookupBaseRows(long_a, {{Value::Integer(1)}}), (ZSet{{long_row, 1}}));
  EXPECT_EQ(store().ReadTable(long_b, true), (ZSet{{long_row, 3}}));
  EXPECT_EQ(store().TableSchema(long_a)->size(), 2u);
  EXPECT_NE((*store().TableSchema(long_a))[0].name, (*store().TableSchema(long_a))[1].name);
  EXPECT_THROW(store().CreateBaseTable({std::string("nul\0byte", 8), "", {}}, kProducts, false),
               Error);
}

TEST_F(PostgresJobStoreTest, BatchDeltasAreOneRowEachAndRowsOfTheEarlierLayoutStillRead) {
  ZSet big;
  for (int i = 0; i < 5000; ++i)
    big.Add(R("p" + std::to_string(i), i / 4.0), i % 5 == 2 ? 7 : i % 5 - 2);
  store().Begin();
  store().PutBatchDelta(3, "join", big);
  store().PutBatchDelta(3, "filter", ZSet());
  store().Commit();
  store().PutBatchDelta(4, "join", ZSet{{R("tv", 3), -1}});
  Reopen();
  EXPECT_EQ(store().FindBatchDelta(3, "join"), big);
  ASSERT_TRUE(store().FindBatchDelta(3, "filter").has_value());  // ran, with an empty delta
  EXPECT_TRUE(store().FindBatchDelta(3, "filter")->empty());
  EXPECT_FALSE(store().FindBatchDelta(3, "group").has_value());  // never ran
  EXPECT_EQ(store().FindBatchDelta(4, "join"), (ZSet{{R("tv", 3), -1}}));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM zload_batch_deltas"), 3);
  // A delta kept as one row per entry, as earlier versions wrote it, reads as before.
  store().database().Write([&](pqxx::transaction_base& tx) {
    tx.exec_params(
        "INSERT INTO zload_batch_deltas (time, name, row, weight) VALUES (5, 'join', $1, 2), "
        "(5, 'join', $2, -1), (5, 'map', '', 0)",
        pqxx::binarystring(EncodeRow(R("tv", 3))), pqxx::binarystring(EncodeRow(R("radio", 5))));
  });
  EXPECT_EQ(store().FindBatchDelta(5, "join"), (ZSet{{R("tv", 3), 2}, {R("radio", 5), -1}}));
  ASSERT_TRUE(store().FindBatchDelta(5, "map").has_value());
  EXPECT_TRUE(store().FindBatchDelta(5, "map")->empty());
  store().DropBatchDeltas(3);
  EXPECT_FALSE(store().FindBatchDelta(3, "join").has_value());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM zload_batch_deltas"), 4);
}

}  // namespace
}  // namespace zload
