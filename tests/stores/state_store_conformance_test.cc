// One conformance suite for every StateStore: random applies checked against a model Z-set,
// look-ups by every index, and (for SQLite) the same contents after reopening the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>

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
TEST_P(StateStoreConformance, OneRowPerKeyTableMatchesModel) {
  auto sut = Make();
  const StateTableSpec spec{.name = "view__2_group_reduce__groups",
                            .arity = 3,
                            .indexes = {{0, 1}},
                            .one_row_per_key = true};
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
      Row key{RandomValue(rng), RandomValue(rng)};
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
    touched.push_back({Value::Text("absent"), Value()});
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
      other[2] = Value::Text("not stored");
      probe.push_back(other);  // same key, another row
    }
    std::vector<int64_t> weights = table.Weights(probe);
    for (size_t i = 0; i < probe.size(); ++i) ASSERT_EQ(weights[i], model.Weight(probe[i]));
    if (step % 10 == 9) sut->Reopen();
  }
}

// Replace() makes rows the one row of their keys and removes keys, stored or not, whatever
// they held; mixed with Apply() and reopening, it answers as the model does.
TEST_P(StateStoreConformance, OneRowPerKeyReplaceMatchesModel) {
  auto sut = Make();
  const StateTableSpec spec{.name = "view__2_group_reduce__groups",
                            .arity = 3,
                            .indexes = {{0, 1}},
                            .one_row_per_key = true};
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
      Row key{RandomValue(rng), RandomValue(rng)};
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
      // A plain Apply() in between: a weighted row of a fresh key.
      Row row{Value::Text("applied" + std::to_string(step)), Value(), Value::Integer(step)};
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

INSTANTIATE_TEST_SUITE_P(Stores, StateStoreConformance,
                         ::testing::Values(
                             std::pair<const char*, Factory>{
                                 "memory", [] { return std::make_unique<MemoryUnderTest>(); }},
                             std::pair<const char*, Factory>{
                                 "sqlite", [] { return std::make_unique<SqliteUnderTest>(false); }},
                             std::pair<const char*, Factory>{
                                 "sqlite_cached",
                                 [] { return std::make_unique<SqliteUnderTest>(true); }}),
                         [](const auto& info) { return std::string(info.param.first); });

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
