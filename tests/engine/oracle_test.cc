// Tests of the test helpers themselves: the SQLite oracle, the tolerant Z-set comparison and
// the random data generators. The property tests trust these, so they must be able to fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "engine/error.h"
#include "tests/support/random_data.h"
#include "tests/support/regression_file.h"
#include "tests/support/shape_catalog.h"
#include "tests/support/sqlite_oracle.h"
#include "tests/support/view_batches.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

Schema AllTypes() {
  return Schema({{"i", Type::kInteger, false},
                 {"r", Type::kReal, true},
                 {"t", Type::kText, true},
                 {"b", Type::kBoolean, true},
                 {"ts", Type::kTimestamp, true}});
}

Row R(std::initializer_list<Value> values) { return Row(values); }

TEST(SqliteOracleTest, LoadedZSetQueriesBackEqual) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    RowGenerator gen(AllTypes());
    ZSet z;
    for (int i = 0; i < 200; ++i) z.Add(gen.Next(rng), 1 + static_cast<int64_t>(rng() % 3));
    z.Add(R({Value::Integer(-1), Value::Real(-0.5), Value::Text("it's"), Value::Boolean(true),
             Value::Time(-7)}),
          2);
    SqliteOracle oracle;
    oracle.CreateTable("t", AllTypes());
    oracle.Load("t", z);
    ZSet back = oracle.Query("SELECT * FROM t");
    EXPECT_EQ(back, ToSqliteStorageClasses(z)) << DiffZSets(back, ToSqliteStorageClasses(z));
    EXPECT_EQ(oracle.Query("SELECT COUNT(*) FROM t"),
              ZSet({{R({Value::Integer(z.TotalWeight())}), 1}}));
  }
}

TEST(SqliteOracleTest, ResultRowsAreCountedAndTyped) {
  SqliteOracle oracle;
  oracle.CreateTable("t", AllTypes());
  oracle.Load("t", {{R({Value::Integer(1), Value::Real(2.0), Value::Text("x"), Value::Boolean(true),
                        Value::Time(5)}),
                     3}});
  EXPECT_EQ(oracle.Query("SELECT i, r, t, b, ts, NULL FROM t"),
            ZSet({{R({Value::Integer(1), Value::Real(2.0), Value::Text("x"), Value::Integer(1),
                      Value::Integer(5), Value::Null()}),
                   3}}));
  EXPECT_EQ(oracle.Query("SELECT DISTINCT i FROM t"), ZSet({{R({Value::Integer(1)}), 1}}));
  EXPECT_TRUE(oracle.Query("SELECT i FROM t WHERE i > 1").empty());
}

TEST(SqliteOracleTest, DeclaresTypesAndNotNull) {
  SqliteOracle oracle;
  oracle.CreateTable("t", AllTypes());
  ZSet info = oracle.Query("SELECT name, type, \"notnull\" FROM pragma_table_info('t')");
  EXPECT_EQ(info, ZSet({{R({Value::Text("i"), Value::Text("INTEGER"), Value::Integer(1)}), 1},
                        {R({Value::Text("r"), Value::Text("REAL"), Value::Integer(0)}), 1},
                        {R({Value::Text("t"), Value::Text("TEXT"), Value::Integer(0)}), 1},
                        {R({Value::Text("b"), Value::Text("BOOLEAN"), Value::Integer(0)}), 1},
                        {R({Value::Text("ts"), Value::Text("TIMESTAMP"), Value::Integer(0)}), 1}}))
      << info.ToString();
}

TEST(SqliteOracleTest, ReplaceSwapsContents) {
  SqliteOracle oracle;
  oracle.CreateTable("t", Schema({{"x", Type::kInteger}}));
  oracle.Load("t", {{R({Value::Integer(1)}), 2}});
  oracle.Replace("t", {{R({Value::Integer(2)}), 1}});
  EXPECT_EQ(oracle.Query("SELECT x FROM t"), ZSet({{R({Value::Integer(2)}), 1}}));
}

TEST(SqliteOracleTest, ErrorsCarrySqliteMessages) {
  SqliteOracle oracle;
  oracle.CreateTable("t", AllTypes());
  try {
    oracle.Query("SELECT * FROM missing");
    FAIL() << "query of a missing table succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSchema);
    EXPECT_NE(e.message().find("no such table: missing"), std::string::npos) << e.what();
  }
  try {
    oracle.Load(
        "t", {{R({Value::Null(), Value::Null(), Value::Null(), Value::Null(), Value::Null()}), 1}});
    FAIL() << "NULL loaded into a NOT NULL column";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConstraint);
    EXPECT_NE(e.message().find("NOT NULL"), std::string::npos) << e.what();
  }
  // The failed load left nothing behind.
  EXPECT_TRUE(oracle.Query("SELECT * FROM t").empty());
  Row ok = R({Value::Integer(1), Value::Null(), Value::Null(), Value::Null(), Value::Null()});
  try {
    oracle.Load("t", {{ok, -1}});
    FAIL() << "a negative weight was loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
  }
  EXPECT_THROW(oracle.Load("nope", {{ok, 1}}), Error);
  EXPECT_THROW(oracle.Load("t", {{R({Value::Integer(1)}), 1}}), Error);
  EXPECT_THROW(oracle.Execute("CREATE TABLE"), Error);
}

TEST(SqliteOracleTest, StorageClassesOfBooleansAndTimestamps) {
  ZSet z{{R({Value::Boolean(true), Value::Time(3)}), 1},
         {R({Value::Integer(1), Value::Integer(3)}), 2}};
  EXPECT_EQ(ToSqliteStorageClasses(z), ZSet({{R({Value::Integer(1), Value::Integer(3)}), 3}}));
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
}

TEST(ZSetCompareTest, EqualSetsMatchAndWeightsMatter) {
  ZSet a{{R({Value::Integer(1), Value::Text("x")}), 2}, {R({Value::Null()}), -1}};
  EXPECT_TRUE(ZSetsMatch(a, a));
  EXPECT_EQ(DiffZSets(ZSet(), ZSet()), "");
  ZSet b = a;
  b.Add(R({Value::Integer(1), Value::Text("x")}), 1);
  EXPECT_FALSE(ZSetsMatch(a, b));
  EXPECT_EQ(DiffZSets(a, b, {}, "view", "oracle"),
            "only in oracle:\n  (1, 'x') x 1 (weight 2 in view, 3 in oracle)\n");
  EXPECT_EQ(DiffZSets(b, a, {}, "view", "oracle"),
            "only in view:\n  (1, 'x') x 1 (weight 3 in view, 2 in oracle)\n");
}

TEST(ZSetCompareTest, DiffListsBothSidesSorted) {
  ZSet a{{R({Value::Integer(2)}), 1}, {R({Value::Integer(1)}), 1}};
  ZSet b{{R({Value::Integer(3)}), 1}};
  EXPECT_EQ(DiffZSets(a, b),
            "only in left:\n  (1) x 1 (weight 1 in left, 0 in right)\n"
            "  (2) x 1 (weight 1 in left, 0 in right)\n"
            "only in right:\n  (3) x 1 (weight 0 in left, 1 in right)\n");
}

TEST(ZSetCompareTest, RealsMatchWithinAbsoluteToleranceOnly) {
  const double tol = 1e-12;
  EXPECT_TRUE(ValuesMatch(Value::Real(0.0), Value::Real(tol)));
  EXPECT_TRUE(ValuesMatch(Value::Real(-tol), Value::Real(0.0)));
  // One ulp beyond the tolerance no longer matches.
  EXPECT_FALSE(ValuesMatch(Value::Real(0.0), Value::Real(std::nextafter(tol, 1.0))));
  EXPECT_FALSE(ValuesMatch(Value::Real(0.0), Value::Real(-std::nextafter(tol, 1.0))));
}

TEST(ZSetCompareTest, RealsMatchWithinRelativeTolerance) {
  for (double base : {1.0, 1e6, -3.5e12, 7e-3}) {
    SCOPED_TRACE(base);
    EXPECT_TRUE(ValuesMatch(Value::Real(base), Value::Real(base * (1 + 0.99e-9))));
    EXPECT_FALSE(ValuesMatch(Value::Real(base), Value::Real(base * (1 + 1.01e-9))));
    // Walking up one ulp at a time, the match ends right at the tolerance and stays ended.
    double b = base * (1 + 0.999e-9);
    int steps = 0;
    while (ValuesMatch(Value::Real(base), Value::Real(b)) && steps < 1'000'000) {
      b = std::nextafter(b, base > 0 ? HUGE_VAL : -HUGE_VAL);
      ++steps;
    }
    EXPECT_LT(steps, 1'000'000);
    EXPECT_NEAR(std::fabs(b - base) / std::fabs(b), 1e-9, 1e-15);
    EXPECT_FALSE(ValuesMatch(Value::Real(base), Value::Real(std::nextafter(b, b * 2))));
  }
  EXPECT_TRUE(ValuesMatch(Value::Real(std::nan("")), Value::Real(std::nan(""))));
  EXPECT_FALSE(ValuesMatch(Value::Real(std::nan("")), Value::Real(0.0)));
  EXPECT_TRUE(ValuesMatch(Value::Real(HUGE_VAL), Value::Real(HUGE_VAL)));
  EXPECT_FALSE(ValuesMatch(Value::Real(HUGE_VAL), Value::Real(-HUGE_VAL)));
  EXPECT_FALSE(ValuesMatch(Value::Real(HUGE_VAL), Value::Real(std::numeric_limits<double>::max())));
}

TEST(ZSetCompareTest, IntegerMatchesRealOnlyWhenAsked) {
  EXPECT_FALSE(ValuesMatch(Value::Integer(3), Value::Real(3.0)));
  CompareOptions loose;
  loose.integer_matches_real = true;
  EXPECT_TRUE(ValuesMatch(Value::Integer(3), Value::Real(3.0), loose));
  EXPECT_TRUE(ValuesMatch(Value::Real(3.0), Value::Integer(3), loose));
  EXPECT_FALSE(ValuesMatch(Value::Real(3.5), Value::Integer(3), loose));
  EXPECT_FALSE(ValuesMatch(Value::Text("3"), Value::Integer(3), loose));
  EXPECT_FALSE(ValuesMatch(Value::Boolean(true), Value::Integer(1), loose));
  EXPECT_FALSE(ValuesMatch(Value::Null(), Value::Integer(0), loose));
  ZSet ints{{R({Value::Integer(3), Value::Text("a")}), 2}};
  ZSet reals{{R({Value::Real(3.0), Value::Text("a")}), 2}};
  EXPECT_FALSE(ZSetsMatch(ints, reals));
  EXPECT_TRUE(ZSetsMatch(ints, reals, loose));
}

TEST(ZSetCompareTest, NearlyEqualRowsPairUpByWeight) {
  ZSet a{{R({Value::Real(0.1 + 0.2), Value::Integer(1)}), 3}, {R({Value::Real(5.0)}), -1}};
  ZSet b{{R({Value::Real(0.3), Value::Integer(1)}), 2},
         {R({Value::Real(0.30000000000000004), Value::Integer(1)}), 1},
         {R({Value::Real(5.0 + 1e-14)}), -1}};
  EXPECT_TRUE(ZSetsMatch(a, b));
  ZSet c = b;
  c.Add(R({Value::Real(0.3), Value::Integer(1)}), 1);
  EXPECT_FALSE(ZSetsMatch(a, c));
  ZSet d{{R({Value::Real(0.3), Value::Integer(2)}), 3}, {R({Value::Real(5.0)}), -1}};
  EXPECT_FALSE(ZSetsMatch(a, d));
  EXPECT_FALSE(ZSetsMatch(a, a.Negated()));
}

TEST(RandomDataTest, SameSeedSameRows) {
  RowGenerator gen(AllTypes());
  std::mt19937_64 r1(42), r2(42), r3(43);
  std::vector<Row> a, b, c;
  for (int i = 0; i < 50; ++i) {
    a.push_back(gen.Next(r1));
    b.push_back(gen.Next(r2));
    c.push_back(gen.Next(r3));
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(RandomDataTest, ValuesFollowDomainsAndNullRates) {
  ColumnDomain keys;
  keys.min = 3;
  keys.max = 5;
  keys.null_rate = 0.5;
  RowGenerator gen(AllTypes(), {{"r", keys}, {"t", keys}});
  std::mt19937_64 rng(7);
  int nulls_r = 0, nulls_b = 0, mixed_case = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    Row row = gen.Next(rng);
    ASSERT_EQ(row.size(), 5u);
    ASSERT_EQ(row[0].type(), Type::kInteger);  // not nullable
    EXPECT_GE(row[0].as_integer(), 0);
    EXPECT_LE(row[0].as_integer(), 9);
    if (row[1].is_null()) {
      ++nulls_r;
    } else {
      ASSERT_EQ(row[1].type(), Type::kReal);
      int exponent = 0;
      double m = std::fabs(std::frexp(row[1].as_real(), &exponent)) * 128;
      EXPECT_EQ(m, std::floor(m)) << "not a small dyadic: " << row[1].ToString();
    }
    if (!row[2].is_null()) {
      EXPECT_NE(std::find(TextPool().begin(), TextPool().end(), row[2].as_text()),
                TextPool().end());
      const std::string& s = row[2].as_text();
      bool upper = std::any_of(s.begin(), s.end(), ::isupper);
      bool lower = std::any_of(s.begin(), s.end(), ::islower);
      mixed_case += upper && lower;
    }
    if (row[3].is_null()) {
      ++nulls_b;
    } else {
      ASSERT_EQ(row[3].type(), Type::kBoolean);
    }
    if (!row[4].is_null()) {
      ASSERT_EQ(row[4].type(), Type::kTimestamp);
      EXPECT_EQ(row[4].as_timestamp() % 1'000'000, 0);
    }
  }
  EXPECT_NEAR(nulls_r, n * 0.5, n * 0.05);
  EXPECT_NEAR(nulls_b, n * 0.15, n * 0.04);
  EXPECT_GT(mixed_case, 0);
}

TEST(RandomDataTest, DecimalRealsArePositiveCents) {
  ColumnDomain prices;
  prices.real_style = RealStyle::kDecimal;
  RowGenerator gen(Schema({{"p", Type::kReal, false}}), {{"p", prices}});
  std::mt19937_64 rng(9);
  for (int i = 0; i < 1000; ++i) {
    double p = gen.Next(rng)[0].as_real();
    EXPECT_GT(p, 0);
    EXPECT_LT(p, 1000);
    EXPECT_NEAR(p * 100, std::round(p * 100), 1e-6);
  }
}

TEST(RandomDataTest, DyadicRealsSumExactlyInAnyOrder) {
  RowGenerator gen(Schema({{"r", Type::kReal, false}}));
  std::mt19937_64 rng(11);
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) values.push_back(gen.Next(rng)[0].as_real());
  double forward = 0, backward = 0;
  for (double v : values) forward += v;
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward += *it;
  std::shuffle(values.begin(), values.end(), rng);
  double shuffled = 0;
  for (double v : values) shuffled += v;
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward, shuffled);
}

TEST(RandomDataTest, BatchesKeepContentsAValidMultiset) {
  ColumnDomain tiny;
  tiny.min = 0;
  tiny.max = 2;
  RowGenerator gen(Schema({{"k", Type::kInteger, false}}), {}, tiny);
  std::mt19937_64 rng(5);
  ZSet contents;
  int64_t inserts = 0, deletes = 0, empty = 0;
  size_t max_rows = 0;
  for (int b = 0; b < 2000; ++b) {
    size_t changes = rng() % 51;
    ZSet delta = RandomBatch(rng, gen, contents, changes, {.target_rows = 30});
    empty += delta.empty();
    for (const auto& [row, w] : delta) (w > 0 ? inserts : deletes) += std::abs(w);
    contents.AddAll(delta);
    for (const auto& [row, w] : contents) ASSERT_GT(w, 0) << "batch " << b;
    max_rows = std::max<size_t>(max_rows, contents.TotalWeight());
  }
  EXPECT_GT(deletes, 5000);  // net of changes that cancel within a batch
  EXPECT_GT(inserts, 5000);
  EXPECT_GT(empty, 0);
  EXPECT_LT(max_rows, 200u);  // deletes keep the contents near the target size
  // With three keys, duplicates are everywhere.
  EXPECT_GT(contents.TotalWeight(), static_cast<int64_t>(contents.size()));
}

TEST(RegressionFileTest, RandomBatchesRoundTripExactly) {
  for (const ViewShape& shape : ViewShapes()) {
    SCOPED_TRACE(shape.name);
    std::vector<Batch> batches = RandomBatches(shape, 77, 12, 30);
    ASSERT_TRUE(BatchesAreValid(shape, batches));
    Regression back = ParseRegression(RenderRegression(shape, batches), "mem", ViewShapes());
    EXPECT_EQ(back.shape, shape.name);
    ASSERT_EQ(back.batches.size(), batches.size());
    for (size_t b = 0; b < batches.size(); ++b) {
      for (size_t s = 0; s < shape.sources.size(); ++s) {
        EXPECT_EQ(back.batches[b][s], batches[b][s]) << "batch " << b << " source " << s;
      }
    }
  }
}

TEST(RegressionFileTest, ValuesTakeTheColumnType) {
  const ViewShape& shape = FindViewShape("boolean_timestamp");
  Regression r = ParseRegression(
      "# comment\nshape boolean_timestamp\nbatch\nbatch\n"
      "t (1, 'it''s', NULL, 2, 1, 5000000) x 2\nt (NULL, NULL, -3, -0.5, 0, NULL) x -1\n",
      "mem", ViewShapes());
  ASSERT_EQ(r.batches.size(), 2u);
  EXPECT_TRUE(r.batches[0][0].empty());
  EXPECT_EQ(r.batches[1][0], ZSet({{R({Value::Integer(1), Value::Text("it's"), Value::Null(),
                                       Value::Real(2), Value::Boolean(true), Value::Time(5000000)}),
                                    2},
                                   {R({Value::Null(), Value::Null(), Value::Integer(-3),
                                       Value::Real(-0.5), Value::Boolean(false), Value::Null()}),
                                    -1}}));
  EXPECT_EQ(shape.sources[0].name, "t");
}

TEST(RegressionFileTest, MalformedTextIsAParseErrorWithItsLine) {
  auto line_of = [](const std::string& text) -> int64_t {
    try {
      ParseRegression(text, "mem", ViewShapes());
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kParse);
      return e.context().line.value_or(-1);
    }
    return 0;
  };
  EXPECT_EQ(line_of("shape nope\n"), 1);
  EXPECT_EQ(line_of("batch\n"), 1);
  EXPECT_EQ(line_of("shape count_star\nt (1, 'a', 1, 1, 1, 1) x 1\n"), 2);
  EXPECT_EQ(line_of("shape count_star\nbatch\nw (1) x 1\n"), 3);
  EXPECT_EQ(line_of("shape count_star\nbatch\nt (1, 'a', 1) x 1\n"), 3);
  EXPECT_EQ(line_of("shape count_star\nbatch\nt (1, 2, 1, 1, 1, 1) x 1\n"), 3);
  EXPECT_EQ(line_of("shape count_star\nbatch\nt (1, 'a', 1, 1, 1, 1) x 0\n"), 3);
  EXPECT_EQ(line_of("shape count_star\nbatch\nt (1, 'a, 1, 1, 1, 1) x 1\n"), 3);
  EXPECT_EQ(line_of(""), -1);
}

// The committed regression files are well-formed and their deletes only remove present rows.
TEST(RegressionFileTest, CommittedFilesParse) {
  auto dir = std::filesystem::path(__FILE__).parent_path().parent_path() / "regressions";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt") continue;
    ++files;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Regression r = ParseRegression(text.str(), entry.path().string(), ViewShapes());
    EXPECT_FALSE(r.batches.empty());
    EXPECT_TRUE(BatchesAreValid(FindViewShape(r.shape), r.batches));
  }
  EXPECT_GT(files, 0u);
}

}  // namespace
}  // namespace zload::test
