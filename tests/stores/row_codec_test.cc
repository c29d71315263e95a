#include "stores/row_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "engine/error.h"
#include "stores/keyed_rows.h"

namespace zload {
namespace {

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

TEST(RowCodecTest, RoundTripsEveryValueExactly) {
  double payload_nan;
  uint64_t nan_bits = 0x7ff8000000000123ULL;
  std::memcpy(&payload_nan, &nan_bits, sizeof payload_nan);
  Row row{Value(),
          Value::Integer(0),
          Value::Integer(std::numeric_limits<int64_t>::min()),
          Value::Integer(std::numeric_limits<int64_t>::max()),
          Value::Real(-0.0),
          Value::Real(payload_nan),
          Value::Real(std::numeric_limits<double>::infinity()),
          Value::Real(5e-324),
          Value::Text(""),
          Value::Text(std::string("a\0b\xff", 4)),
          Value::Boolean(true),
          Value::Boolean(false),
          Value::Time(-1)};
  Row back = DecodeRow(EncodeRow(row));
  ASSERT_EQ(back.size(), row.size());
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ(back[i].type(), row[i].type()) << i;
    if (row[i].type() == Type::kReal) {
      EXPECT_EQ(Bits(back[i].as_real()), Bits(row[i].as_real())) << i;
    } else {
      EXPECT_EQ(back[i], row[i]) << i;
    }
  }
}

TEST(RowCodecTest, RandomRowsRoundTrip) {
  std::mt19937_64 rng(42);
  for (int n = 0; n < 2000; ++n) {
    Row row;
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) {
      switch (rng() % 5) {
        case 0:
          row.emplace_back();
          break;
        case 1:
          row.push_back(Value::Integer(static_cast<int64_t>(rng())));
          break;
        case 2: {
          uint64_t bits = rng();
          double d;
          std::memcpy(&d, &bits, sizeof d);
          row.push_back(Value::Real(d));
          break;
        }
        case 3:
          row.push_back(Value::Text(std::string(rng() % 300, static_cast<char>(rng()))));
          break;
        default:
          row.push_back(Value::Time(static_cast<int64_t>(rng())));
          break;
      }
    }
    std::string bytes = EncodeRow(row);
    EXPECT_EQ(EncodeRow(DecodeRow(bytes)), bytes);
  }
}

TEST(RowCodecTest, IdentityFollowsValueEquality) {
  EXPECT_EQ(IdentityOf({Value::Real(0.0)}), IdentityOf({Value::Real(-0.0)}));
  EXPECT_NE(IdentityOf({Value::Integer(1)}), IdentityOf({Value::Real(1.0)}));
  EXPECT_NE(IdentityOf({Value::Text("a"), Value()}), IdentityOf({Value(), Value::Text("a")}));
  EXPECT_NE(IdentityOf({Value::Text("ab")}), IdentityOf({Value::Text("a"), Value::Text("b")}));
}

// A random key of 0-3 values of every type, with few distinct values so that equal keys of
// different construction (0.0 and -0.0, NaNs) come up often.
Row RandomKey(std::mt19937_64& rng) {
  Row key;
  const size_t width = rng() % 4;
  for (size_t i = 0; i < width; ++i) {
    switch (rng() % 7) {
      case 0:
        key.push_back(Value());
        break;
      case 1:
        key.push_back(Value::Integer(static_cast<int64_t>(rng() % 5) - 2));
        break;
      case 2: {
        const double reals[] = {0.0, -0.0, 1.5, -1.5, std::nan(""), std::nan("7")};
        key.push_back(Value::Real(reals[rng() % 6]));
        break;
      }
      case 3:
        key.push_back(Value::Boolean(rng() % 2 == 0));
        break;
      case 4:
        key.push_back(Value::Time(static_cast<int64_t>(rng() % 3)));
        break;
      case 5: {
        const char* texts[] = {"", "a", "ab", "fifteen chars!!", "sixteen chars!!!"};
        key.push_back(Value::Text(texts[rng() % 5]));
        break;
      }
      default:
        key.push_back(Value::Text(std::string(rng() % 40, 'x')));
    }
  }
  return key;
}

TEST(RowCodecTest, KeyIdentityFollowsValueEquality) {
  std::mt19937_64 rng(20261124);
  for (int i = 0; i < 20000; ++i) {
    Row a = RandomKey(rng);
    Row b = RandomKey(rng);
    EXPECT_EQ(KeyIdentityOf(a) == KeyIdentityOf(b), a == b)
        << RowToString(a) << " vs " << RowToString(b);
    EXPECT_EQ(KeyIdentityOf(a), KeyIdentityOf(Row(a)));
  }
}

TEST(RowCodecTest, KeyIdentityKeepsTheOrderOfIntegerKeys) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const auto x = static_cast<int64_t>(rng());
    const auto y = static_cast<int64_t>(rng());
    EXPECT_EQ(KeyIdentityOf({Value::Integer(x)}) < KeyIdentityOf({Value::Integer(y)}), x < y);
  }
  // Neighbouring keys share their leading bytes; a long key is hashed.
  RowIdentity k1 = KeyIdentityOf({Value::Integer(1000)});
  RowIdentity k2 = KeyIdentityOf({Value::Integer(1001)});
  EXPECT_TRUE(std::equal(k1.begin(), k1.begin() + 9, k2.begin()));
  EXPECT_EQ(KeyIdentityOf({Value::Text(std::string(20, 'x'))})[0], 0xFF);
}

TEST(RowCodecTest, IntegerOfKeyIdentityGivesBackOneIntegerKeyOnly) {
  std::mt19937_64 rng(31);
  std::vector<int64_t> ints = {0, 1, -1, std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max()};
  for (int i = 0; i < 1000; ++i) ints.push_back(static_cast<int64_t>(rng()));
  for (int64_t v : ints) {
    EXPECT_EQ(IntegerOfKeyIdentity(KeyIdentityOf({Value::Integer(v)})), std::optional(v)) << v;
    EXPECT_EQ(IntegerKeyIdentity(v), KeyIdentityOf({Value::Integer(v)})) << v;
  }
  // Keys that are not one INTEGER, among them ones equal to 1 in SQL, have no integer.
  for (const Row& key : std::vector<Row>{{},
                                         {Value()},
                                         {Value::Real(1.0)},
                                         {Value::Boolean(true)},
                                         {Value::Time(1)},
                                         {Value::Text("1")},
                                         {Value::Integer(1), Value::Integer(1)},
                                         {Value::Integer(1), Value()},
                                         {Value(), Value::Integer(1)},
                                         {Value::Text(std::string(20, 'x'))}}) {
    EXPECT_EQ(IntegerOfKeyIdentity(KeyIdentityOf(key)), std::nullopt) << RowToString(key);
  }
  for (int i = 0; i < 20000; ++i) {
    const Row key = RandomKey(rng);
    const bool one_integer = key.size() == 1 && key[0].type() == Type::kInteger;
    EXPECT_EQ(IntegerOfKeyIdentity(KeyIdentityOf(key)).has_value(), one_integer)
        << RowToString(key);
  }
}

TEST(RowCodecTest, IdentityLessOrdersAsTheBytesDo) {
  std::mt19937_64 rng(41);
  auto random_identity = [&] {
    RowIdentity id{};
    // Few byte values, so that identities often share leading bytes or are equal.
    for (uint8_t& b : id) b = static_cast<uint8_t>(rng() % 3 == 0 ? rng() : rng() % 2 * 0xFF);
    return id;
  };
  const keyed_rows::IdentityLess less;
  for (int i = 0; i < 20000; ++i) {
    const RowIdentity a = random_identity();
    const RowIdentity b = i % 5 == 0 ? a : random_identity();
    EXPECT_EQ(less(a, b), a < b);
    EXPECT_EQ(less(b, a), b < a);
  }
}

// A replacement's writes and removes come out in key order (IdentityLess), each write beside the
// identity of its own row's key, and PartByIntegerKey parts key identities by table, each part in
// that order; keys of INTEGERs at both ends of the range, REALs, TEXT and NULL mixed.
TEST(RowCodecTest, KeyedChangesComeOutInKeyOrder) {
  std::mt19937_64 rng(11);
  auto random_key = [&]() {
    switch (rng() % 5) {
      case 0:
        return Value();
      case 1:
        return Value::Real(static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000) / 8);
      case 2:
        return Value::Text("k" + std::to_string(rng() % 1000));
      default:
        return Value::Integer(static_cast<int64_t>(rng()));  // the whole range, negatives too
    }
  };
  StateTableSpec spec{.name = "t", .arity = 2, .indexes = {{0}}, .one_row_per_key = true};
  const keyed_rows::IdentityLess less;
  for (int round = 0; round < 20; ++round) {
    std::vector<Row> rows;
    std::vector<Row> removed;
    std::set<RowIdentity> keys;
    while (rows.size() + removed.size() < 500) {
      Value key = random_key();
      if (!keys.insert(KeyIdentityOf({key})).second) continue;
      if (rng() % 4 == 0) {
        removed.push_back({key});
      } else {
        rows.push_back({key, Value::Integer(static_cast<int64_t>(rows.size()))});
      }
    }
    const keyed_rows::Changes changes = keyed_rows::Replacement(rows, removed, spec, "t");
    ASSERT_EQ(changes.writes.size(), rows.size());
    ASSERT_EQ(changes.removes.size(), removed.size());
    std::vector<Row> written;
    for (size_t i = 0; i < changes.writes.size(); ++i) {
      const auto& [id, stored] = changes.writes[i];
      EXPECT_EQ(id, keyed_rows::KeyOf(stored.row, {0}));
      EXPECT_EQ(stored.weight, 1);
      if (i > 0) {
        EXPECT_TRUE(less(changes.writes[i - 1].first, id));
      }
      written.push_back(stored.row);
    }
    auto by_second = [](const Row& a, const Row& b) {
      return a[1].as_integer() < b[1].as_integer();
    };
    std::sort(written.begin(), written.end(), by_second);
    EXPECT_EQ(written, rows);
    std::vector<RowIdentity> expected_removes;
    for (const Row& key : removed) expected_removes.push_back(KeyIdentityOf(key));
    std::sort(expected_removes.begin(), expected_removes.end());
    EXPECT_EQ(changes.removes, expected_removes);

    const std::vector<RowIdentity> all(keys.begin(), keys.end());
    const keyed_rows::PartedKeys parted = keyed_rows::PartByIntegerKey(all);
    EXPECT_EQ(parted.integers.size() + parted.others.size(), all.size());
    for (const RowIdentity& id : parted.integers) EXPECT_TRUE(keyed_rows::HasIntegerKey(id));
    for (const RowIdentity& id : parted.others) EXPECT_FALSE(keyed_rows::HasIntegerKey(id));
    EXPECT_TRUE(std::is_sorted(parted.integers.begin(), parted.integers.end()));
    EXPECT_TRUE(std::is_sorted(parted.others.begin(), parted.others.end()));
    std::vector<RowIdentity> merged = parted.integers;
    merged.insert(merged.end(), parted.others.begin(), parted.others.end());
    std::sort(merged.begin(), merged.end());
    EXPECT_EQ(merged, all);
  }
}

TEST(RowCodecTest, CorruptEncodingsAreErrors) {
  std::string bytes = EncodeRow({Value::Text("hello"), Value::Integer(7)});
  EXPECT_THROW(DecodeRow(bytes.substr(0, bytes.size() - 1)), Error);
  EXPECT_THROW(DecodeRow(bytes + "x"), Error);
  std::string wrong_version = bytes;
  wrong_version[0] = 9;
  EXPECT_THROW(DecodeRow(wrong_version), Error);
  EXPECT_THROW(DecodeRow(""), Error);
}

TEST(RowCodecTest, ZSetBlocksRoundTrip) {
  std::string empty;
  EncodeZSetBlock(ZSet(), empty);
  EXPECT_EQ(empty, "");
  EXPECT_TRUE(DecodeZSetBlock("").empty());
  std::mt19937_64 rng(7);
  for (int n = 0; n < 50; ++n) {
    ZSet delta;
    for (int k = static_cast<int>(rng() % 300); k > 0; --k) {
      Row row{Value::Integer(static_cast<int64_t>(rng() % 1000)),
              rng() % 4 ? Value::Text(std::string(rng() % 40, 'x')) : Value(),
              Value::Real(static_cast<double>(rng() % 100) / 8)};
      const int64_t weight = static_cast<int64_t>(rng() % 7) - 3;
      if (weight != 0) delta.Add(std::move(row), weight);
    }
    delta.Add({Value::Integer(std::numeric_limits<int64_t>::min())},
              std::numeric_limits<int64_t>::min());
    std::string block = "prefix";
    EncodeZSetBlock(delta, block);
    ASSERT_EQ(block.substr(0, 6), "prefix");  // appended
    ZSet back = DecodeZSetBlock(std::string_view(block).substr(6));
    EXPECT_EQ(back, delta) << n;
  }
}

TEST(RowCodecTest, CorruptZSetBlocksAreRejected) {
  std::string block;
  EncodeZSetBlock(ZSet{{{Value::Text("tv"), Value::Integer(3)}, 2}}, block);
  EXPECT_EQ(DecodeZSetBlock(block), (ZSet{{{Value::Text("tv"), Value::Integer(3)}, 2}}));
  for (size_t cut = 1; cut < block.size(); ++cut) {
    EXPECT_THROW(DecodeZSetBlock(std::string_view(block).substr(0, cut)), Error) << cut;
  }
  std::string version = block;
  version[0] = 2;
  EXPECT_THROW(DecodeZSetBlock(version), Error);
  std::string zero = block;
  zero[1] = 0;  // the first entry's weight
  EXPECT_THROW(DecodeZSetBlock(zero), Error);
}

}  // namespace
}  // namespace zload
