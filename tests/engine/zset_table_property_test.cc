// Random Add sequences against ordered-map twins: the ZSet's open-addressing index (erasure by
// backward shift, removal by swapping in the last entry) and the memory state table's key
// index (intrusive key lists, reused positions) must agree with a map after every step.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "engine/memory_store.h"
#include "engine/zset.h"

namespace zload {
namespace {

struct RowLess {
  bool operator()(const Row& a, const Row& b) const { return CompareRows(a, b) < 0; }
};
using Twin = std::map<Row, int64_t, RowLess>;

Row RandomRow(std::mt19937_64& rng, int64_t domain) {
  return {Value::Integer(static_cast<int64_t>(rng() % domain)),
          rng() % 4 == 0 ? Value::Null() : Value::Integer(static_cast<int64_t>(rng() % 3)),
          Value::Text(std::string(1, static_cast<char>('a' + rng() % 2)))};
}

void ExpectSame(const ZSet& z, const Twin& twin) {
  ASSERT_EQ(z.size(), twin.size());
  for (const auto& [row, w] : twin) ASSERT_EQ(z.Weight(row), w) << RowToString(row);
  for (auto it = z.begin(); it != z.end(); ++it) {
    ASSERT_EQ(z.HashAt(it), HashValues(it->first));
    ASSERT_EQ(twin.at(it->first), it->second);
  }
}

TEST(ZSetPropertyTest, MatchesMapTwinUnderRandomAdds) {
  const uint64_t seed = 20261123;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 20; ++round) {
    ZSet z;
    Twin twin;
    const int64_t domain = 1 + static_cast<int64_t>(rng() % 200);
    for (int step = 0; step < 2000; ++step) {
      Row row = RandomRow(rng, domain);
      const int64_t w = static_cast<int64_t>(rng() % 5) - 2;
      if ((twin[row] += w) == 0) twin.erase(row);
      if (rng() % 2) {
        z.Add(row, w);
      } else {
        z.Add(std::move(row), w);
      }
      if (step % 97 == 0) {
        ASSERT_NO_FATAL_FAILURE(ExpectSame(z, twin));
      }
    }
    ASSERT_NO_FATAL_FAILURE(ExpectSame(z, twin));
    ZSet copy;
    copy.AddAll(z);
    EXPECT_TRUE(copy == z);
    copy.AddAll(z, -1);
    EXPECT_TRUE(copy.empty());
  }
}

TEST(MemoryTablePropertyTest, LookupsMatchScanOfTwin) {
  const uint64_t seed = 20261123;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::vector<size_t> key_a{0}, key_b{1, 2};
  auto table = MakeMemoryTable({.name = "t", .arity = 3, .indexes = {key_a, key_b}});
  Twin twin;
  for (int step = 0; step < 300; ++step) {
    ZSet delta;
    for (int i = 0; i < 20; ++i) delta.Add(RandomRow(rng, 30), static_cast<int64_t>(rng() % 5) - 2);
    for (const auto& [row, w] : delta) {
      if ((twin[row] += w) == 0) twin.erase(row);
    }
    table->Apply(delta);
    ASSERT_EQ(table->Size(), twin.size());
    for (size_t index = 0; index < 2; ++index) {
      const std::vector<size_t>& columns = index == 0 ? key_a : key_b;
      std::vector<Row> keys;
      for (int i = 0; i < 5; ++i) keys.push_back(Pick(RandomRow(rng, 30), columns));
      std::vector<Twin> got(keys.size());
      table->Lookup(index, keys,
                    [&](size_t pos, const Row& row, int64_t w) { got[pos][row] += w; });
      for (size_t k = 0; k < keys.size(); ++k) {
        Twin want;
        for (const auto& [row, w] : twin) {
          if (Pick(row, columns) == keys[k]) want[row] = w;
        }
        ASSERT_EQ(got[k], want) << "index " << index << " key " << RowToString(keys[k]);
      }
    }
    std::vector<Row> probes;
    for (int i = 0; i < 10; ++i) probes.push_back(RandomRow(rng, 30));
    const std::vector<int64_t> weights = table->Weights(probes);
    for (size_t i = 0; i < probes.size(); ++i) {
      auto it = twin.find(probes[i]);
      ASSERT_EQ(weights[i], it == twin.end() ? 0 : it->second);
    }
  }
  Twin scanned;
  table->Scan([&](const Row& row, int64_t w) { scanned[row] += w; });
  EXPECT_EQ(scanned, twin);
}

}  // namespace
}  // namespace zload
