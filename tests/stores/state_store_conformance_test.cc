// One conformance suite for every StateStore: random applies checked against a model Z-set,
// look-ups by every index, and (for SQLite) the same contents after reopening the file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include "engine/error.h"
#include "engine/memory_store.h"
#include "stores/sqlite_store.h"

namespace zload {
namespace {

namespace fs = std::filesystem;

// A store under test; Reopen() drops every handle and opens the same storage again.
class StoreUnderTest {
 public:
  virtual ~StoreUnderTest() = default;
  virtual StateStore& store() = 0;
  virtual void Reopen() = 0;
};

class MemoryUnderTest : public StoreUnderTest {
 public:
  StateStore& store() override { return store_; }
  void Reopen() override {}  // memory does not persist: nothing to reopen

 private:
  MemoryStore store_;
};

class SqliteUnderTest : public StoreUnderTest {
 public:
  explicit SqliteUnderTest(bool cache) : cache_(cache) {
    dir_ = fs::temp_directory_path() /
           ("zload_conformance_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_);
    Reopen();
  }
  ~SqliteUnderTest() override {
    store_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }
  StateStore& store() override { return *store_; }
  void Reopen() override {
    store_.reset();
    db_.reset();
    db_ = std::make_unique<sqlite::Database>((dir_ / "state.db").string());
    store_ = std::make_unique<SqliteStore>(*db_, SqliteStore::Options{.cache_state = cache_});
  }

 private:
  static inline int counter_ = 0;
  bool cache_;
  fs::path dir_;
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<SqliteStore> store_;
};

using Factory = std::function<std::unique_ptr<StoreUnderTest>()>;

class StateStoreConformance : public ::testing::TestWithParam<std::pair<const char*, Factory>> {
 protected:
  std::unique_ptr<StoreUnderTest> Make() { return GetParam().second(); }
};

const StateTableSpec kSpec{"view__3_join__left", 3, {{0}, {1, 2}}};

ZSet Contents(StateTable& table) {
  ZSet z;
  table.Scan([&](const Row& row, int64_t w) { z.Add(row, w); });
  return z;
}

Value RandomValue(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0:
      return Value();
    case 1:
      return Value::Integer(static_cast<int64_t>(rng() % 4));
    case 2:
      return Value::Real(static_cast<double>(rng() % 3));  // 1.0 collides with 1 in SQL
    case 3:
      return Value::Text(std::string(1, static_cast<char>('a' + rng() % 3)));
    default:
      return Value::Boolean(rng() % 2);
  }
}

TEST_P(StateStoreConformance, RandomAppliesMatchModelAndSurviveReopen) {
  auto sut = Make();
  std::mt19937_64 rng(7);
  ZSet model;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    StateTable& table = sut->store().Open(kSpec);
    ZSet delta;
    for (int k = static_cast<int>(rng() % 12); k > 0; --k) {
      if (!model.empty() && rng() % 3 == 0) {
        auto it = model.begin();
        std::advance(it, rng() % model.size());
        delta.Add(it->first, -it->second);  // remove a stored row entirely
      } else {
        delta.Add(Row{RandomValue(rng), RandomValue(rng), RandomValue(rng)},
                  static_cast<int64_t>(rng() % 5) - 2);
      }
    }
    table.Apply(delta);
    model.AddAll(delta);
    ASSERT_EQ(Contents(table).ToString(), model.ToString());
    ASSERT_EQ(table.Size(), model.size());

    // Every index answers exactly the rows whose key columns are structurally equal.
    for (size_t index = 0; index < kSpec.indexes.size(); ++index) {
      std::vector<Row> keys;
      for (int k = 0; k < 5; ++k) {
        Row key;
        for (size_t c = 0; c < kSpec.indexes[index].size(); ++c) key.push_back(RandomValue(rng));
        keys.push_back(key);
      }
      keys.push_back(keys.front());  // a repeated key is answered at each position
      std::vector<ZSet> got(keys.size()), want(keys.size());
      table.Lookup(index, keys,
                   [&](size_t pos, const Row& row, int64_t w) { got[pos].Add(row, w); });
      for (size_t pos = 0; pos < keys.size(); ++pos) {
        for (const auto& [row, w] : model) {
          if (Pick(row, kSpec.indexes[index]) == keys[pos]) want[pos].Add(row, w);
        }
        ASSERT_EQ(got[pos].ToString(), want[pos].ToString()) << "index " << index;
      }
    }
    std::vector<Row> probe;
    for (const auto& entry : model) probe.push_back(entry.first);
    probe.push_back({Value::Text("absent"), Value(), Value()});
    std::vector<int64_t> weights = table.Weights(probe);
    for (size_t i = 0; i < probe.size(); ++i) ASSERT_EQ(weights[i], model.Weight(probe[i]));

    if (step % 10 == 9) sut->Reopen();
  }
}

// A table of one row per key: rows are inserted, replaced by another row of the same key (in
// either order within one delta), re-weighted and removed; every read matches the model.
// A key value: RandomValue's, or an INTEGER at an end of the int64 range.
Value RandomKeyValue(std::mt19937_64& rng) {
  if (rng() % 6 != 0) return RandomValue(rng);
  const int64_t ends[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                          -1};
  return Value::Integer(ends[rng() % 3]);
}

// A random key of `width` values.
Row RandomKey(std::mt19937_64& rng, size_t width) {
  Row key;
  for (size_t i = 0; i < width; ++i) key.push_back(RandomKeyValue(rng));
  return key;
}

// A table of one row per key, keyed by its first `width` columns, with one value column.
StateTableSpec OneRowPerKeySpec(size_t width) {
  std::vector<size_t> key;
  for (size_t i = 0; i < width; ++i) key.push_back(i);
  return {.name = "view__2_group_reduce__groups",
          .arity = width + 1,
          .indexes = {key},
          .one_row_per_key = true};
}

// Keys of one value (an INTEGER among them, stored by SQLite apart from other keys) and of two.
class OneRowPerKeyConformance
    : public ::testing::TestWithParam<std::tuple<std::pair<const char*, Factory>, size_t>> {
 protected:
  std::unique_ptr<StoreUnderTest> Make() { return std::get<0>(GetParam()).second(); }
  size_t key_width() const { return std::get<1>(GetParam()); }
};

TEST_P(OneRowPerKeyConformance, TableMatchesModel) {
  auto sut = Make();
  const size_t width = key_width();
  const StateTableSpec spec = OneRowPerKeySpec(width);
  std::mt19937_64 rng(11);
  ZSet model;
  auto stored_with_key = [&](const Row& key) -> const ZSet::Entry* {
    for (const auto& entry : model) {
      if (Pick(entry.first, spec.indexes[0]) == key) return &entry;
    }
    return nullptr;
  };
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    StateTable& table = sut->store().Open(spec);
    ZSet delta;
    std::vector<Row> touched;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) {
      Row key = RandomKey(rng, width);
      if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
      touched.push_back(key);
      Row fresh = key;
      fresh.push_back(Value::Integer(static_cast<int64_t>(rng() % 1000)));
      const ZSet::Entry* old = stored_with_key(key);
      const int64_t w = static_cast<int64_t>(rng() % 3) + 1;
      if (old == nullptr) {
        delta.Add(fresh, w);
      } else if (rng() % 3 == 0) {
        delta.Add(old->first, -old->second);  // removed
      } else if (rng() % 2 == 0) {
        delta.Add(old->first, w);  // re-weighted
      } else if (fresh != old->first) {
        if (rng() % 2 == 0) {
          delta.Add(fresh, w);
          delta.Add(old->first, -old->second);
        } else {
          delta.Add(old->first, -old->second);
          delta.Add(fresh, w);
        }
      }
    }
    table.Apply(delta);
    model.AddAll(delta);
    ASSERT_EQ(Contents(table).ToString(), model.ToString());
    ASSERT_EQ(table.Size(), model.size());
    Row absent{Value::Text("absent")};
    if (width == 2) absent.push_back(Value());
    touched.push_back(absent);
    touched.push_back(Row(width, Value::Integer(1'000'000)));
    std::vector<ZSet> got(touched.size());
    table.Lookup(0, touched, [&](size_t pos, const Row& row, int64_t w) { got[pos].Add(row, w); });
    for (size_t pos = 0; pos < touched.size(); ++pos) {
      ZSet want;
      if (const ZSet::Entry* e = stored_with_key(touched[pos])) want.Add(e->first, e->second);
      ASSERT_EQ(got[pos].ToString(), want.ToString());
    }
    std::vector<Row> probe;
    for (const auto& entry : model) probe.push_back(entry.first);
    if (!probe.empty()) {
      Row other = probe.front();
      other[width] = Value::Text("not stored");
      probe.push_back(other);  // same key, another row
    }
    std::vector<int64_t> weights = table.Weights(probe);
    for (size_t i = 0; i < probe.size(); ++i) ASSERT_EQ(weights[i], model.Weight(probe[i]));
    if (step % 10 == 9) sut->Reopen();
  }
}

// Replace() makes rows the one row of their keys and removes keys, stored or not, whatever
// they held; mixed with Apply() and reopening, it answers as the model does.
TEST_P(OneRowPerKeyConformance, ReplaceMatchesModel) {
  auto sut = Make();
  const size_t width = key_width();
  const StateTableSpec spec = OneRowPerKeySpec(width);
  std::mt19937_64 rng(23);
  ZSet model;
  auto drop_key = [&](const Row& key) {
    for (const auto& entry : model) {
      if (Pick(entry.first, spec.indexes[0]) == key) {
        model.Add(Row(entry.first), -entry.second);
        return;
      }
    }
  };
  int replaced = 0, removed_stored = 0;
  for (int step = 0; step < 60; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    StateTable& table = sut->store().Open(spec);
    std::vector<Row> touched, rows, removed;
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) {
      Row key = RandomKey(rng, width);
      if (std::find(touched.begin(), touched.end(), key) != touched.end()) continue;
      touched.push_back(key);
      const size_t before = model.size();
      drop_key(key);
      if (rng() % 3 == 0) {
        removed_stored += model.size() < before;
        removed.push_back(key);
      } else {
        replaced += model.size() < before;
        Row row = key;
        row.push_back(Value::Integer(static_cast<int64_t>(rng() % 1000)));
        model.Add(row, 1);
        rows.push_back(std::move(row));
      }
    }
    if (step % 7 == 3) {
      // A plain Apply() in between: a weighted row of a fresh key (an INTEGER one of one value).
      Row row{width == 1 ? Value::Integer(100 + step)
                         : Value::Text("applied" + std::to_string(step))};
      if (width == 2) row.push_back(Value());
      row.push_back(Value::Integer(step));
      ZSet delta{{row, 3}};
      table.Apply(delta);
      model.AddAll(delta);
    }
    table.Replace(rows, removed);
    ASSERT_EQ(Contents(table).ToString(), model.ToString());
    ASSERT_EQ(table.Size(), model.size());
    if (step % 10 == 9) sut->Reopen();
  }
  EXPECT_GT(replaced, 10);       // the walk replaced stored rows
  EXPECT_GT(removed_stored, 5);  // and removed stored ones
}

TEST_P(StateStoreConformance, ReplaceNamingAKeyTwiceIsRefusedAndChangesNothing) {
  auto sut = Make();
  StateTable& table = sut->store().Open(
      {.name = "g__groups", .arity = 2, .indexes = {{0}}, .one_row_per_key = true});
  table.Replace({{Value::Integer(1), Value::Integer(10)}}, {});
  const std::string before = Contents(table).ToString();
  const std::vector<Row> one_key{{Value::Integer(2)}};
  EXPECT_THROW(
      table.Replace(
          {{Value::Integer(2), Value::Integer(20)}, {Value::Integer(2), Value::Integer(21)}}, {}),
      Error);
  EXPECT_THROW(table.Replace({{Value::Integer(2), Value::Integer(20)}}, one_key), Error);
  const std::vector<Row> twice{{Value::Integer(1)}, {Value::Integer(1)}};
  EXPECT_THROW(table.Replace({}, twice), Error);
  EXPECT_EQ(Contents(table).ToString(), before);
}

TEST_P(StateStoreConformance, LookupOfManyKeysCrossesChunks) {
  auto sut = Make();
  StateTable& table = sut->store().Open({"big__groups", 2, {{0}}});
  ZSet rows;
  for (int64_t i = 0; i < 1000; ++i) rows.Add(Row{Value::Integer(i % 300), Value::Integer(i)}, 1);
  table.Apply(rows);
  std::vector<Row> keys;
  for (int64_t k = 0; k < 310; ++k) keys.push_back({Value::Integer(k)});
  std::vector<int64_t> hits(keys.size(), 0);
  table.Lookup(0, keys, [&](size_t pos, const Row& row, int64_t) {
    EXPECT_EQ(row[0], keys[pos][0]);
    ++hits[pos];
  });
  for (size_t k = 0; k < keys.size(); ++k) EXPECT_EQ(hits[k], k < 100 ? 4 : (k < 300 ? 3 : 0)) << k;
}

TEST_P(StateStoreConformance, ReopeningWithAnotherShapeIsAnError) {
  auto sut = Make();
  sut->store().Open({"t", 2, {{0}}});
  EXPECT_THROW(sut->store().Open({"t", 3, {{0}}}), Error);
}

std::vector<std::pair<const char*, Factory>> Stores() {
  return {{"memory", [] { return std::make_unique<MemoryUnderTest>(); }},
          {"sqlite", [] { return std::make_unique<SqliteUnderTest>(false); }},
          {"sqlite_cached", [] { return std::make_unique<SqliteUnderTest>(true); }}};
}

INSTANTIATE_TEST_SUITE_P(Stores, StateStoreConformance, ::testing::ValuesIn(Stores()),
                         [](const auto& info) { return std::string(info.param.first); });

INSTANTIATE_TEST_SUITE_P(Stores, OneRowPerKeyConformance,
                         ::testing::Combine(::testing::ValuesIn(Stores()),
                                            ::testing::Values(size_t{1}, size_t{2})),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).first) + "_key_of_" +
                                  std::to_string(std::get<1>(info.param));
                         });

TEST(SqliteStoreTest, TwoRowsWithOneKeyAreRefused) {
  SqliteUnderTest sut(false);
  StateTable& table = sut.store().Open(
      {.name = "g__groups", .arity = 2, .indexes = {{0}}, .one_row_per_key = true});
  table.Apply(ZSet{{{Value::Integer(1), Value::Integer(10)}, 1}});
  try {
    table.Apply(ZSet{{{Value::Integer(1), Value::Integer(11)}, 1}});
    FAIL() << "a second row with key 1 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
    EXPECT_NE(e.message().find("two rows with key (1)"), std::string::npos) << e.message();
  }
}

// Rows keyed by one INTEGER value are stored by that integer in a table of their own, every
// other key (REAL 1.0, TRUE and '1' among them, equal to 1 in SQL) by its key identity.
TEST(SqliteStoreTest, KeysOfOneIntegerAreStoredByTheirValue) {
  SqliteUnderTest sut(false);
  auto& store = static_cast<SqliteStore&>(sut.store());
  const StateTableSpec spec = OneRowPerKeySpec(1);
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  ZSet rows;
  for (const Value& key : {Value::Integer(1), Value::Integer(-3), Value::Integer(lowest),
                           Value::Real(1.0), Value::Boolean(true), Value::Text("1"), Value()}) {
    rows.Add(Row{key, Value::Text(key.ToString())}, 2);
  }
  store.Open(spec).Apply(rows);
  const std::string name = SqliteStore::TableNameFor(spec);
  auto column = [&](const std::string& sql) {
    std::vector<std::string> out;
    sqlite::Statement stmt(store.database().handle(), sql);
    while (stmt.Step()) out.push_back(stmt.ColumnValue(0).ToString());
    return out;
  };
  EXPECT_EQ(column(fmt::format("SELECT k FROM \"{}__by_integer\" ORDER BY k", name)),
            (std::vector<std::string>{std::to_string(lowest), "-3", "1"}));
  EXPECT_EQ(column(fmt::format("SELECT count(*) FROM \"{}\"", name)),
            std::vector<std::string>{"4"});
  sut.Reopen();
  StateTable& table = sut.store().Open(spec);
  EXPECT_EQ(Contents(table).ToString(), rows.ToString());
  ZSet found;
  const std::vector<Row> keys{{Value::Integer(1)}, {Value::Real(1.0)}, {Value::Integer(2)}};
  table.Lookup(0, keys, [&](size_t, const Row& row, int64_t w) { found.Add(row, w); });
  EXPECT_EQ(found.ToString(), ZSet({{Row{Value::Integer(1), Value::Text("1")}, 2},
                                    {Row{Value::Real(1.0), Value::Text("1.0")}, 2}})
                                  .ToString());
}

TEST(SqliteStoreTest, LastUpdatePersists) {
  SqliteUnderTest sut(false);
  auto& store = static_cast<SqliteStore&>(sut.store());
  EXPECT_FALSE(store.LastUpdate("v__1").has_value());
  store.SetLastUpdate("v__1", 5);
  store.SetLastUpdate("v__1", 9);
  sut.Reopen();
  EXPECT_EQ(static_cast<SqliteStore&>(sut.store()).LastUpdate("v__1"), 9);
}

TEST(SqliteStoreTest, RolledBackBatchLeavesNoTrace) {
  SqliteUnderTest sut(true);
  auto& store = static_cast<SqliteStore&>(sut.store());
  StateTable& table = store.Open({"t", 1, {{0}}});
  table.Apply(ZSet{{{Value::Integer(1)}, 1}});
  {
    sqlite::Transaction tx(store.database());
    table.Apply(ZSet{{{Value::Integer(2)}, 1}});
  }  // rolled back
  store.DropCaches();
  EXPECT_EQ(Contents(table).ToString(), ZSet({{{Value::Integer(1)}, 1}}).ToString());
}

}  // namespace
}  // namespace zload
