// SQLite's number <-> text conversions under random inputs: random doubles rendered as text and
// rounded, random number-like strings read by arithmetic, CAST, comparisons and truthiness. Each
// value sits in the one-row table so SQLite sees exactly the engine's value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "engine/expr.h"
#include "tests/engine/expr_oracle.h"

namespace zload::expr_test {
namespace {

double RandomDouble(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0: {
      uint64_t bits = rng();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return std::isnan(d) ? 1.0 : d;
    }
    case 1:
      return static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) / 1000.0;
    case 2:
      return std::ldexp(static_cast<double>(rng() % 1000000), static_cast<int>(rng() % 140) - 70);
    case 3:
      return std::ldexp(1.0, static_cast<int>(rng() % 130)) + static_cast<double>(rng() % 5) - 2;
    default:
      return static_cast<double>(rng() % 100000) / 8.0 *
             std::pow(10.0, static_cast<int>(rng() % 40) - 20) * ((rng() & 1) ? 1 : -1);
  }
}

std::string RandomNumberText(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  auto digits = [&](int max) {
    std::string d;
    for (int n = pick(max + 1); n > 0; n--) d += static_cast<char>('0' + pick(10));
    return d;
  };
  std::string s;
  if (pick(4) == 0) s += pick(2) ? " " : "\t";
  if (pick(3) == 0) s += pick(2) ? "-" : "+";
  s += digits(pick(5) == 0 ? 24 : 6);
  if (pick(2) == 0) s += "." + digits(8);
  if (pick(4) == 0) s += std::string(pick(2) ? "e" : "E") + (pick(2) ? "-" : "") + digits(3);
  if (pick(4) == 0) s += pick(2) ? " " : "  ";
  if (pick(5) == 0) s += pick(2) ? "x" : "1e";
  return s;
}

// Evaluates every expression over `row` with both engines and counts the differences.
int CompareAll(SqliteOracle& oracle, const Row& row, const std::vector<ExprPtr>& exprs) {
  oracle.SetRow(row);
  int failures = 0;
  for (const ExprPtr& e : exprs) {
    std::string error;
    std::optional<Value> want = oracle.Eval(e->ToString(), &error);
    if (!want) {
      ADD_FAILURE() << error << " in " << e->ToString();
      return 1;
    }
    Value got = e->Eval(row);
    if (!SameResult(got, *want) && ++failures <= 5) {
      ADD_FAILURE() << "SELECT " << e->ToString() << " with r=" << Describe(row[1])
                    << " s=" << Describe(row[2]) << "\n  zload  " << Describe(got) << "\n  sqlite "
                    << Describe(*want);
    }
  }
  return failures;
}

Row RowWith(Value r, Value s) {
  return Row{Value::Integer(7), std::move(r), std::move(s), Value::Boolean(true),
             Value::Time(3),    Value(),      Value(),      Value()};
}

TEST(ExprConversionTest, RandomRealsRenderAndRoundAsSqlite) {
  const uint64_t seed = 20240611;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  SqliteOracle oracle;
  ExprPtr r = Col("r");
  std::vector<ExprPtr> exprs = {
      MakeCast(r, Type::kText),
      MakeFunction(ScalarFunction::kRound, {r}),
      MakeFunction(ScalarFunction::kLength, {r}),
      MakeBinary(BinaryOp::kMod, r, MakeLiteral(Value::Integer(7))),
      MakeCast(r, Type::kInteger),
  };
  for (int digits = 1; digits <= 16; digits += 3) {
    exprs.push_back(MakeFunction(ScalarFunction::kRound, {r, MakeLiteral(Value::Integer(digits))}));
  }
  int failures = 0;
  for (int k = 0; k < 3000; k++) {
    failures += CompareAll(oracle, RowWith(Value::Real(RandomDouble(rng) + 0.0), Value()), exprs);
  }
  EXPECT_EQ(failures, 0);
}

TEST(ExprConversionTest, RandomNumberTextsConvertAsSqlite) {
  const uint64_t seed = 77;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  SqliteOracle oracle;
  ExprPtr s = Col("s");
  auto lit = [](int64_t v) { return MakeLiteral(Value::Integer(v)); };
  std::vector<ExprPtr> exprs = {
      MakeBinary(BinaryOp::kAdd, s, lit(0)),
      MakeBinary(BinaryOp::kMod, s, lit(7)),
      MakeBinary(BinaryOp::kMul, s, MakeLiteral(Value::Real(1.0))),
      MakeCast(s, Type::kInteger),
      MakeCast(s, Type::kReal),
      MakeCast(s, Type::kBoolean),
      MakeBinary(BinaryOp::kLt, Col("i"), s),
      MakeBinary(BinaryOp::kEq, Col("r"), s),
      MakeBinary(BinaryOp::kGe, Col("b"), s),
      MakeInList(Col("i"), {s, lit(1)}, false),
      MakeNot(s),
      MakeFunction(ScalarFunction::kAbs, {s}),
      MakeFunction(ScalarFunction::kRound, {s, lit(2)}),
  };
  int failures = 0;
  for (int k = 0; k < 4000; k++) {
    std::string text = RandomNumberText(rng);
    failures += CompareAll(oracle, RowWith(Value::Real(7.0), Value::Text(text)), exprs);
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace zload::expr_test
