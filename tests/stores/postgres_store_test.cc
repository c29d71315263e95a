// The StateStore conformance checks of state_store_conformance_test.cc, run against
// PostgresStore with a MemoryStore table as the oracle, plus what only a SQL store can get
// wrong: chunked look-ups, COPY, rollbacks, and table names that try to inject SQL.
#include "stores/postgres_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "engine/error.h"
#include "engine/memory_store.h"
#include "tests/support/pg_cluster.h"

namespace zload {
namespace {

// A fresh database in the executable's shared cluster, with a connection and a store that
// Reopen() replaces.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = test::PgCluster::Shared().FreshDatabase();
    Reopen();
  }
  void Reopen() {
    store_.reset();
    db_.reset();
    db_ = std::make_unique<postgres::Database>(url_);
    store_ = std::make_unique<PostgresStore>(*db_);
  }
  PostgresStore& store() { return *store_; }
  postgres::Database& db() { return *db_; }
  // Runs a query returning one integer, outside the store.
  int64_t QueryInt(const std::string& sql) {
    return db_->Read([&](pqxx::transaction_base& tx) { return tx.exec(sql)[0][0].as<int64_t>(); });
  }

  std::string url_;
  std::unique_ptr<postgres::Database> db_;
  std::unique_ptr<PostgresStore> store_;
};

ZSet Contents(StateTable& table) {
  ZSet z;
  table.Scan([&](const Row& row, int64_t w) { z.Add(row, w); });
  return z;
}

// Small domains so that keys collide; every type, and values equal across types in SQL.
Value RandomValue(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return Value();
    case 1:
      return Value::Integer(static_cast<int64_t>(rng() % 4));
    case 2: {
      static const double reals[] = {0.0, -0.0, 1.0, 2.5, std::numeric_limits<double>::quiet_NaN()};
      return Value::Real(reals[rng() % 5]);
    }
    case 3: {
      static const char* texts[] = {"a", "b", "it's", "q\"uote", "back\\slash", "tab\there", ""};
      return Value::Text(texts[rng() % 7]);
    }
    case 4:
      return Value::Boolean(rng() % 2);
    case 5:
      return Value::Time(static_cast<int64_t>(rng() % 3) * 1000000 - 1000000);
    default:
      return Value::Integer(static_cast<int64_t>(rng() % 2));
  }
}

// Checks every index look-up (with a repeated key) and Weights against the oracle.
void ExpectSameAnswers(StateTable& table, StateTable& oracle, std::mt19937_64& rng) {
  const StateTableSpec& spec = table.spec();
  ASSERT_EQ(Contents(table).ToString(), Contents(oracle).ToString());
  ASSERT_EQ(table.Size(), oracle.Size());
  for (size_t index = 0; index < spec.indexes.size(); ++index) {
    std::vector<Row> keys;
    for (int k = 0; k < 6; ++k) {
      Row key;
      for (size_t c = 0; c < spec.indexes[index].size(); ++c) key.push_back(RandomValue(rng));
      keys.push_back(key);
    }
    keys.push_back(keys.front());  // a repeated key is answered at each position
    std::vector<ZSet> got(keys.size()), want(keys.size());
    table.Lookup(index, keys, [&](size_t pos, const Row& row, int64_t w) { got[pos].Add(row, w); });
    oracle.Lookup(index, keys,
                  [&](size_t pos, const Row& row, int64_t w) { want[pos].Add(row, w); });
    for (size_t pos = 0; pos < keys.size(); ++pos) {
      ASSERT_EQ(got[pos].ToString(), want[pos].ToString())
          << "index " << index << " key " << RowToString(keys[pos]);
    }
  }
  std::vector<Row> probe;
  oracle.Scan([&](const Row& row, int64_t) { probe.push_back(row); });
  probe.push_back(Row(spec.arity, Value::Text("absent")));
  ASSERT_EQ(table.Weights(probe), oracle.Weights(probe));
}

TEST_F(PostgresStoreTest, RandomAppliesMatchMemoryStoreAndSurviveReopen) {
  const uint64_t seed = 7;
  SCOPED_TRACE("seed " + std::to_string(seed));
  const StateTableSpec spec{"view__3_join__left", 3, {{0}, {1, 2}}};
  auto oracle = MakeMemoryTable(spec);
  std::mt19937_64 rng(seed);
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    StateTable& table = store().Open(spec);
    ZSet delta;
    ZSet model = Contents(*oracle);
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) {
      if (!model.empty() && rng() % 3 == 0) {
        auto it = model.begin() + static_cast<ptrdiff_t>(rng() % model.size());
        delta.Add(it->first, -it->second);  // remove a stored row entirely
      } else {
        delta.Add(Row{RandomValue(rng), RandomValue(rng), RandomValue(rng)},
                  static_cast<int64_t>(rng() % 5) - 2);
      }
    }
    table.Apply(delta);
    oracle->Apply(delta);
    ExpectSameAnswers(table, *oracle, rng);
    if (HasFatalFailure()) return;
    if (step % 10 == 9) Reopen();
  }
}

// A table of one row per key, keyed by its first `width` columns (one: an INTEGER key is kept
// apart from the others), with one value column.
StateTableSpec OneRowPerKeySpec(size_t width) {
  std::vector<size_t> key;
  for (size_t i = 0; i < width; ++i) key.push_back(i);
  return {.name = "view__2_group_reduce__groups" + std::to_string(width),
          .arity = width + 1,
          .indexes = {key},
          .one_row_per_key = true};
}

// A random key of `width` values, INTEGERs at the ends of the int64 range among them.
Row RandomKey(std::mt19937_64& rng, size_t width) {
  Row key;
  for (size_t i = 0; i < width; ++i) {
    const int64_t ends[] = {std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max()};
    key.push_back(rng() % 6 == 0 ? Value::Integer(ends[rng() % 2]) : RandomValue(rng));
  }
  return key;
}

// A table of one row per key (a hint this store may ignore): rows are inserted, replaced by
// another row of the same key in either order within one delta, re-weighted and removed.
TEST_F(PostgresStoreTest, OneRowPerKeyTableMatchesMemoryStore) {
  for (const size_t width : {1, 2}) {
    SCOPED_TRACE("key of " + std::to_string(width));
    const StateTableSpec spec = OneRowPerKeySpec(width);
    auto oracle = MakeMemoryTable(spec);
    std::mt19937_64 rng(11);
    for (int step = 0; step < 40; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      StateTable& table = store().Open(spec);
      ZSet model = Contents(*oracle), delta;
      std::vector<Row> touched;
      for (int k = static_cast<int>(rng() % 10); k > 0; --k) {
        Row key = RandomKey(rng, width);
        if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
        touched.push_back(key);
        Row fresh = key;
        fresh.push_back(Value::Integer(static_cast<int64_t>(rng() % 1000)));
        const ZSet::Entry* old = nullptr;
        for (const auto& entry : model) {
          if (Pick(entry.first, spec.indexes[0]) == key) old = &entry;
        }
        const int64_t w = static_cast<int64_t>(rng() % 3) + 1;
        if (old == nullptr) {
          delta.Add(fresh, w);
        } else if (rng() % 3 == 0) {
          delta.Add(old->first, -old->second);  // removed
        } else if (rng() % 2 == 0) {
          delta.Add(old->first, w);  // re-weighted
        } else if (fresh != old->first) {
          delta.Add(old->first, -old->second);  // replaced
          delta.Add(fresh, w);
        }
      }
      table.Apply(delta);
      oracle->Apply(delta);
      ExpectSameAnswers(table, *oracle, rng);
      if (HasFatalFailure()) return;
      if (step % 10 == 9) Reopen();
    }
  }
}

// Replace() (rows made the one row of their keys, keys removed whether stored or not) answers as
// the memory store's does, mixed with Apply() and reopening; a key named twice changes nothing.
TEST_F(PostgresStoreTest, OneRowPerKeyReplaceMatchesMemoryStore) {
  for (const size_t width : {1, 2}) {
    SCOPED_TRACE("key of " + std::to_string(width));
    const StateTableSpec spec = OneRowPerKeySpec(width);
    auto oracle = MakeMemoryTable(spec);
    std::mt19937_64 rng(29);
    for (int step = 0; step < 40; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      StateTable& table = store().Open(spec);
      std::vector<Row> touched, rows, removed;
      for (int k = static_cast<int>(rng() % 10); k > 0; --k) {
        Row key = RandomKey(rng, width);
        if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
        touched.push_back(key);
        if (rng() % 3 == 0) {
          removed.push_back(key);
        } else {
          key.push_back(Value::Integer(static_cast<int64_t>(rng() % 1000)));
          rows.push_back(std::move(key));
        }
      }
      if (step % 7 == 3) {
        Row applied{width == 1 ? Value::Integer(100 + step) : Value::Text("applied")};
        if (width == 2) applied.push_back(Value::Integer(step));
        applied.push_back(Value());
        ZSet delta{{applied, 2}};
        table.Apply(delta);
        oracle->Apply(delta);
      }
      table.Replace(rows, removed);
      oracle->Replace(rows, removed);
      ExpectSameAnswers(table, *oracle, rng);
      if (HasFatalFailure()) return;
      if (step % 10 == 9) Reopen();
    }
    StateTable& table = store().Open(spec);
    const std::string before = Contents(table).ToString();
    const Row key(width, Value::Integer(7));
    Row row = key;
    row.push_back(Value::Integer(1));
    EXPECT_THROW(table.Replace({row, row}, {}), Error);
    EXPECT_THROW(table.Replace({row}, std::vector<Row>{key}), Error);
    EXPECT_EQ(Contents(table).ToString(), before);
  }
}

TEST_F(PostgresStoreTest, LargeDeltasGoThroughCopyAndChunkedStatements) {
  const StateTableSpec spec{"big__join__right", 3, {{0}, {1, 2}}};
  StateTable& table = store().Open(spec);
  auto oracle = MakeMemoryTable(spec);
  std::mt19937_64 rng(11);
  ZSet first;  // new rows: COPY
  for (int64_t i = 0; i < 3000; ++i) {
    first.Add(Row{Value::Integer(i % 700), Value::Text("t" + std::to_string(i % 13)),
                  i % 5 ? Value::Real(i * 0.25) : Value()},
              1 + i % 3);
  }
  table.Apply(first);
  oracle->Apply(first);
  ExpectSameAnswers(table, *oracle, rng);
  ZSet second;  // updates, deletions to 0 and a few new rows in one delta
  int64_t i = 0;
  for (const auto& [row, w] : first) {
    if (i % 3 == 0) second.Add(row, -w);
    if (i % 3 == 1) second.Add(row, 5);
    ++i;
  }
  for (int64_t k = 0; k < 100; ++k) second.Add(Row{Value::Integer(-k), Value(), Value()}, -1);
  table.Apply(second);
  oracle->Apply(second);
  ExpectSameAnswers(table, *oracle, rng);
  std::vector<Row> keys;
  for (int64_t k = -150; k < 2500; ++k) keys.push_back({Value::Integer(k)});
  std::vector<ZSet> got(keys.size()), want(keys.size());
  table.Lookup(0, keys, [&](size_t pos, const Row& row, int64_t w) { got[pos].Add(row, w); });
  oracle->Lookup(0, keys, [&](size_t pos, const Row& row, int64_t w) { want[pos].Add(row, w); });
  for (size_t pos = 0; pos < keys.size(); ++pos) {
    ASSERT_EQ(got[pos].ToString(), want[pos].ToString()) << RowToString(keys[pos]);
  }
}

TEST_F(PostgresStoreTest, LookupOfManyKeysCrossesChunks) {
  StateTable& table = store().Open({"big__groups", 2, {{0}}});
  ZSet rows;
  for (int64_t i = 0; i < 4000; ++i) {
    rows.Add(Row{Value::Integer(i % 1200), Value::Integer(i)}, 1);
  }
  table.Apply(rows);
  std::vector<Row> keys;
  for (int64_t k = 0; k < 2600; ++k) keys.push_back({Value::Integer(k % 1300)});
  std::vector<int64_t> hits(keys.size(), 0);
  table.Lookup(0, keys, [&](size_t pos, const Row& row, int64_t) {
    EXPECT_EQ(row[0], keys[pos][0]);
    ++hits[pos];
  });
  for (size_t k = 0; k < keys.size(); ++k) {
    int64_t key = static_cast<int64_t>(k % 1300);
    EXPECT_EQ(hits[k], key < 400 ? 4 : (key < 1200 ? 3 : 0)) << k;
  }
}

// Look-ups run many times while their table grows are planned for each execution's keys, never
// from a plan cached for any keys while the table was small (which then scans it whole).
TEST_F(PostgresStoreTest, RepeatedLookupsArePlannedForTheirKeys) {
  StateTable& table = store().Open({"growing__groups", 2, {{0}}});
  int64_t found = 0;
  for (int64_t step = 0; step < 12; ++step) {
    ZSet rows;
    for (int64_t i = 0; i < 50; ++i) {
      rows.Add(Row{Value::Integer(step * 50 + i), Value::Integer(i)}, 1);
    }
    table.Apply(rows);
    std::vector<Row> keys{{Value::Integer(step * 50)}, {Value::Integer(-1)}};
    table.Lookup(0, keys, [&](size_t pos, const Row& row, int64_t) {
      EXPECT_EQ(pos, 0U);
      EXPECT_EQ(row[1], Value::Integer(0));
      ++found;
    });
  }
  EXPECT_EQ(found, 12);
  // The statements this connection prepared: each look-up statement ran 12 times, none with a
  // generic plan.
  EXPECT_GE(QueryInt("SELECT coalesce(max(custom_plans), 0) FROM pg_prepared_statements"), 12);
  EXPECT_EQ(QueryInt("SELECT coalesce(sum(generic_plans), 0) FROM pg_prepared_statements"), 0);
}

TEST_F(PostgresStoreTest, KeysMatchStructurallyAcrossTypesAndNulls) {
  StateTable& table = store().Open({"keys", 2, {{0}}});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Value> values = {
      Value(),        Value::Integer(1), Value::Real(1.0), Value::Boolean(true), Value::Text("1"),
      Value::Time(1), Value::Real(0.0),  Value::Real(nan), Value::Integer(-7)};
  ZSet rows;
  for (size_t i = 0; i < values.size(); ++i) {
    rows.Add(Row{values[i], Value::Integer(static_cast<int64_t>(i))}, 1);
  }
  table.Apply(rows);
  // -0.0 is 0.0 and NaN is NaN as Values; 1, 1.0, TRUE, '1' and a timestamp of 1 all differ.
  std::vector<Row> keys;
  for (const Value& v : values) keys.push_back({v});
  keys.push_back({Value::Real(-0.0)});
  keys.push_back({Value::Real(-nan)});
  std::vector<std::vector<int64_t>> got(keys.size());
  table.Lookup(0, keys, [&](size_t pos, const Row& row, int64_t) {
    got[pos].push_back(row[1].as_integer());
  });
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(got[i], (std::vector<int64_t>{static_cast<int64_t>(i)})) << RowToString(keys[i]);
  }
  EXPECT_EQ(got[values.size()], (std::vector<int64_t>{6}));
  EXPECT_EQ(got[values.size() + 1], (std::vector<int64_t>{7}));
  // Rows equal as Values share one identity: applying -1 to the -0.0 twin removes the 0.0 row.
  table.Apply(ZSet{{{Value::Real(-0.0), Value::Integer(6)}, -1}});
  EXPECT_EQ(table.Size(), values.size() - 1);
}

TEST_F(PostgresStoreTest, TableWithoutIndexesAndEmptyDeltas) {
  StateTable& table = store().Open({"v__1_distinct__integral", 2, {}});
  table.Apply(ZSet{});
  EXPECT_EQ(table.Size(), 0u);
  table.Apply(ZSet{{{Value::Text("x"), Value()}, 2}});
  table.Apply(ZSet{{{Value::Text("x"), Value()}, -1}});
  EXPECT_EQ(Contents(table).ToString(), ZSet({{{Value::Text("x"), Value()}, 1}}).ToString());
  EXPECT_THROW(table.Apply(ZSet{{{Value::Text("x")}, 1}}), Error);  // wrong width
}

TEST_F(PostgresStoreTest, ReopeningWithAnotherShapeIsAnError) {
  store().Open({"t", 2, {{0}}});
  EXPECT_THROW(store().Open({"t", 3, {{0}}}), Error);
}

TEST_F(PostgresStoreTest, LastUpdatePersists) {
  EXPECT_FALSE(store().LastUpdate("v__1").has_value());
  store().SetLastUpdate("v__1", 5);
  store().SetLastUpdate("v__1", 9);
  Reopen();
  EXPECT_EQ(store().LastUpdate("v__1"), 9);
  EXPECT_FALSE(store().LastUpdate("v__2").has_value());
}

TEST_F(PostgresStoreTest, RolledBackBatchLeavesNoTrace) {
  StateTable& table = store().Open({"t", 1, {{0}}});
  table.Apply(ZSet{{{Value::Integer(1)}, 1}});
  db().Begin();
  table.Apply(ZSet{{{Value::Integer(2)}, 1}});
  table.Apply(ZSet{{{Value::Integer(1)}, -1}});
  store().SetLastUpdate("t", 3);
  db().Rollback();
  store().DropCaches();
  EXPECT_EQ(Contents(table).ToString(), ZSet({{{Value::Integer(1)}, 1}}).ToString());
  EXPECT_FALSE(store().LastUpdate("t").has_value());

  // A table created inside a rolled-back transaction is created again on its next use.
  db().Begin();
  StateTable& fresh = store().Open({"u", 1, {{0}}});
  fresh.Apply(ZSet{{{Value::Integer(5)}, 1}});
  db().Rollback();
  store().DropCaches();
  EXPECT_EQ(fresh.Size(), 0u);
  db().Begin();
  fresh.Apply(ZSet{{{Value::Integer(6)}, 2}});
  db().Commit();
  Reopen();
  EXPECT_EQ(Contents(store().Open({"u", 1, {{0}}})).ToString(),
            ZSet({{{Value::Integer(6)}, 2}}).ToString());
}

// Enough new rows to be written with COPY.
ZSet Bulk() {
  ZSet z;
  for (int64_t k = 0; k < 600; ++k) z.Add({Value::Text("bulk\t\\"), Value::Integer(-k)}, 1);
  return z;
}

TEST_F(PostgresStoreTest, HostileAndLongNamesCannotInjectSql) {
  const std::vector<std::string> names = {
      "x\"; DROP TABLE last_update; --", "a'b;c); DELETE FROM last_update; --",
      "v__" + std::string(70, 'n') + "__one", "v__" + std::string(70, 'n') + "__two", [] {
        std::string s = "caf";
        for (int i = 0; i < 40; ++i) s += "\xc3\xa9";  // é: a cut must not split it
        return s;
      }()};
  store().SetLastUpdate("keep", 1);
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(i);
    const StateTableSpec spec{names[i], 2, {{0}, {0, 1}}};
    StateTable& table = store().Open(spec);
    Row row{Value::Text(names[i]), Value::Integer(static_cast<int64_t>(i))};
    table.Apply(ZSet{{row, 1}});
    table.Apply(Bulk());  // through COPY
    std::vector<Row> keys = {{Value::Text(names[i])}};
    int hits = 0;
    table.Lookup(0, keys, [&](size_t, const Row& r, int64_t) { hits += r == row; });
    EXPECT_EQ(hits, 1);
    store().SetLastUpdate(PostgresStore::TableNameFor(spec), static_cast<int64_t>(i));
    EXPECT_LE(PostgresStore::TableNameFor(spec).size(), postgres::kMaxIdentifier);
  }
  // Every table holds its own row: long names that share a prefix did not collide.
  Reopen();
  for (size_t i = 0; i < names.size(); ++i) {
    StateTable& table = store().Open({names[i], 2, {{0}, {0, 1}}});
    ZSet want = Bulk();
    want.Add({Value::Text(names[i]), Value::Integer(static_cast<int64_t>(i))}, 1);
    EXPECT_EQ(Contents(table).ToString(), want.ToString());
  }
  EXPECT_EQ(store().LastUpdate("keep"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM last_update"), static_cast<int64_t>(names.size()) + 1);
  // One state table per name, and nothing else but last_update.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
            static_cast<int64_t>(names.size()) + 1);
}

TEST_F(PostgresStoreTest, UnreachableServerIsAnIoError) {
  try {
    postgres::Database bad("postgresql://postgres:secret@127.0.0.1:1/none?connect_timeout=5");
    FAIL() << "connected to nothing";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zload
