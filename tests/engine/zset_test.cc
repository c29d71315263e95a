#include "engine/zset.h"

#include <gtest/gtest.h>

#include <cmath>

namespace zload {
namespace {

Row R(int64_t a, std::string b) { return {Value::Integer(a), Value::Text(std::move(b))}; }

TEST(ZSetTest, WeightsAddAndZeroVanishes) {
  ZSet z;
  z.Add(R(1, "a"), 2);
  z.Add(R(1, "a"), -2);
  z.Add(R(2, "b"), 3);
  EXPECT_EQ(z.size(), 1u);
  EXPECT_EQ(z.Weight(R(2, "b")), 3);
  EXPECT_EQ(z.Weight(R(1, "a")), 0);
  z.Add(R(5, "x"), 0);
  EXPECT_EQ(z.size(), 1u);
}

TEST(ZSetTest, NegateAndAddAllCancel) {
  ZSet z{{R(1, "a"), 1}, {R(2, "b"), -4}};
  ZSet sum = z;
  sum.AddAll(z.Negated());
  EXPECT_TRUE(sum.empty());
  ZSet twice;
  twice.AddAll(z, 2);
  EXPECT_EQ(twice.Weight(R(2, "b")), -8);
  EXPECT_EQ(z.TotalWeight(), -3);
}

TEST(ZSetTest, RenderingIsSortedText) {
  ZSet z{{R(2, "b"), 1}, {{Value::Null(), Value::Text("z")}, 1}, {R(1, "a"), -1}};
  EXPECT_EQ(z.ToString(), "(NULL, 'z') x 1\n(1, 'a') x -1\n(2, 'b') x 1\n");
  EXPECT_EQ(ZSet().ToString(), "{}\n");
}

TEST(ValueTest, StructuralEqualityAndHash) {
  EXPECT_EQ(Value::Real(0.0), Value::Real(-0.0));
  EXPECT_EQ(Value::Real(0.0).Hash(), Value::Real(-0.0).Hash());
  EXPECT_NE(Value::Integer(1), Value::Real(1.0));
  EXPECT_EQ(Value::Real(std::nan("")), Value::Real(std::nan("")));
  EXPECT_EQ(Value(), Value::Null());
  EXPECT_NE(Value::Integer(7).Hash(), Value::Time(7).Hash());
}

TEST(ValueTest, SqlCompareFollowsSqlite) {
  EXPECT_FALSE(SqlCompare(Value(), Value::Integer(1)).has_value());
  EXPECT_EQ(*SqlCompare(Value::Integer(1), Value::Real(1.0)), std::strong_ordering::equal);
  EXPECT_EQ(*SqlCompare(Value::Integer(2), Value::Real(1.5)), std::strong_ordering::greater);
  EXPECT_EQ(*SqlCompare(Value::Integer(99), Value::Text("1")), std::strong_ordering::less);
  EXPECT_EQ(*SqlCompare(Value::Text("B"), Value::Text("a")), std::strong_ordering::less);
  EXPECT_EQ(*SqlCompare(Value::Integer(9007199254740993), Value::Real(9007199254740992.0)),
            std::strong_ordering::greater);
  EXPECT_EQ(TotalOrder(Value(), Value::Integer(-5)), std::strong_ordering::less);
  EXPECT_EQ(*SqlCompare(Value::Integer(9223372036854775806), Value::Real(9223372036854775808.0)),
            std::strong_ordering::less);
  EXPECT_EQ(*SqlCompare(Value::Real(9223372036854775808.0), Value::Integer(9223372036854775807)),
            std::strong_ordering::greater);
}

TEST(ValueTest, RendersLikeSqlite) {
  EXPECT_EQ(Value::Real(3).ToString(), "3.0");
  EXPECT_EQ(Value::Real(0.1).ToString(), "0.1");
  EXPECT_EQ(Value::Real(1e20).ToString(), "1.0e+20");
  EXPECT_EQ(Value::Integer(-12).ToString(), "-12");
}

}  // namespace
}  // namespace zload
