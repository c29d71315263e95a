// Random expression trees (depth <= 4) over random rows, each evaluated by the engine and by
// SQLite (`SELECT <Expr::ToString()> FROM t`); value and type must agree exactly.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "engine/expr.h"
#include "tests/engine/expr_oracle.h"

namespace zload::expr_test {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

class ExprGenerator {
 public:
  explicit ExprGenerator(std::mt19937_64& rng) : rng_(rng) {}

  int64_t Int() {
    static const int64_t kInts[] = {0,
                                    1,
                                    -1,
                                    2,
                                    3,
                                    5,
                                    7,
                                    10,
                                    12,
                                    -7,
                                    100,
                                    1000,
                                    kMax,
                                    kMin,
                                    kMax - 1,
                                    kMin + 1,
                                    4611686018427387904,
                                    -4611686018427387904,
                                    3037000500,
                                    4294967298};
    if (Pick(2) == 0) return static_cast<int64_t>(Pick(41)) - 20;
    return kInts[Pick(std::size(kInts))];
  }

  double Real() {
    static const double kReals[] = {0.0,
                                    -0.0,
                                    0.5,
                                    1.5,
                                    2.5,
                                    -2.5,
                                    1.005,
                                    0.1,
                                    1e20,
                                    -1e20,
                                    1e300,
                                    -1e300,
                                    1e-5,
                                    123456.789,
                                    2.0,
                                    12.0,
                                    -0.4,
                                    0.49999999999999994,
                                    9.2233720368547758e18,
                                    4503599627370497.0,
                                    1e15,
                                    3.0e-300};
    if (Pick(2) == 0) return (static_cast<double>(Pick(801)) - 400.0) / 8.0;
    return kReals[Pick(std::size(kReals))];
  }

  std::string Text() {
    static const char* kTexts[] = {"",
                                   "12",
                                   "1.5",
                                   "12abc",
                                   "abc",
                                   "ABC",
                                   " 3 ",
                                   "1e3",
                                   "-0",
                                   "0",
                                   "a%",
                                   "%",
                                   "_",
                                   "_b%",
                                   "%c",
                                   "a_c",
                                   "9223372036854775808",
                                   "-9223372036854775809",
                                   "0x10",
                                   "é",
                                   "É",
                                   "Ab_c",
                                   "1.0",
                                   ".5",
                                   "5.",
                                   "  -12.9e",
                                   "+7",
                                   "inf",
                                   "1e400",
                                   "aBc%",
                                   "%%",
                                   "1.5e",
                                   "1e+",
                                   "12.0",
                                   "b",
                                   "héllo",
                                   "%é%",
                                   "ab",
                                   "abc ",
                                   "7",
                                   "-3.25",
                                   "2.5"};
    return kTexts[Pick(std::size(kTexts))];
  }

  Value Literal() {
    switch (Pick(12)) {
      case 0:
        return Value();
      case 1:
        return Value::Boolean(Pick(2) == 1);
      case 2:
        return Value::Time(Int());
      case 3:
      case 4:
      case 5:
        return Value::Integer(Int());
      case 6:
      case 7:
        return Value::Real(Real());
      default:
        return Value::Text(Text());
    }
  }

  Row RandomRow() {
    Row row;
    for (const ColumnDef& c : Columns()) {
      if (Pick(6) == 0) {
        row.emplace_back();
        continue;
      }
      switch (c.type) {
        case Type::kInteger:
          row.push_back(Value::Integer(Int()));
          break;
        case Type::kReal:
          // SQLite stores a REAL column's -0.0 as the integer 0, which reads back as 0.0.
          row.push_back(Value::Real(Real() + 0.0));
          break;
        case Type::kText:
          row.push_back(Value::Text(Text()));
          break;
        case Type::kBoolean:
          row.push_back(Value::Boolean(Pick(2) == 1));
          break;
        default:
          row.push_back(Value::Time(Int()));
          break;
      }
    }
    return row;
  }

  ExprPtr Leaf() {
    if (Pick(2) == 0) return Col(Columns()[Pick(Columns().size())].name);
    return MakeLiteral(Literal());
  }

  ExprPtr Gen(int depth) {
    if (depth == 0 || Pick(4) == 0) return Leaf();
    auto sub = [&] { return Gen(depth - 1); };
    switch (Pick(15)) {
      case 0:
      case 1:
      case 2:
        return MakeBinary(static_cast<BinaryOp>(Pick(14)), sub(), sub());
      case 3:
        return MakeNot(sub());
      case 4:
        return MakeNegate(sub());
      case 5:
        return MakeIsNull(sub(), Pick(2) == 1);
      case 6: {
        std::vector<ExprPtr> list;
        size_t n = Pick(5);
        for (size_t i = 0; i < n; i++) list.push_back(Pick(2) ? Leaf() : sub());
        return MakeInList(sub(), std::move(list), Pick(2) == 1);
      }
      case 7:
        return MakeBetween(sub(), sub(), sub(), Pick(2) == 1);
      case 8:
        return MakeLike(sub(), Pick(2) ? MakeLiteral(Value::Text(Text())) : sub(), Pick(2) == 1);
      case 9: {
        std::vector<std::pair<ExprPtr, ExprPtr>> branches;
        size_t n = 1 + Pick(3);
        for (size_t i = 0; i < n; i++) branches.emplace_back(sub(), sub());
        ExprPtr operand = Pick(2) ? sub() : nullptr;
        ExprPtr otherwise = Pick(2) ? sub() : nullptr;
        return MakeCase(std::move(operand), std::move(branches), std::move(otherwise));
      }
      case 10: {
        std::vector<ExprPtr> args;
        size_t n = 2 + Pick(2);
        for (size_t i = 0; i < n; i++) args.push_back(sub());
        return MakeCoalesce(std::move(args));
      }
      case 11:
        return MakeCast(sub(), static_cast<Type>(1 + Pick(5)));
      default: {
        auto fn = static_cast<ScalarFunction>(Pick(5));
        std::vector<ExprPtr> args{sub()};
        if (fn == ScalarFunction::kRound && Pick(2)) args.push_back(sub());
        return MakeFunction(fn, std::move(args));
      }
    }
  }

 private:
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  std::mt19937_64& rng_;
};

std::string RowText(const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); i++) {
    out += std::string(i ? ", " : "") + Columns()[i].name + "=" + Describe(row[i]);
  }
  return out;
}

TEST(ExprRandomTest, RandomTreesMatchSqlite) {
  SqliteOracle oracle;
  int compared = 0, skipped = 0, failures = 0;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    ExprGenerator gen(rng);
    for (int r = 0; r < 100; r++) {
      Row row = gen.RandomRow();
      oracle.SetRow(row);
      for (int k = 0; k < 40; k++) {
        ExprPtr e = gen.Gen(4);
        std::string sql = e->ToString();
        std::string error;
        std::optional<Value> want = oracle.Eval(sql, &error);
        if (!want) {
          // Only data errors SQLite raises where zload yields a value are acceptable.
          ASSERT_NE(error.find("integer overflow"), std::string::npos) << error << "\n" << sql;
          skipped++;
          continue;
        }
        Value got = e->Eval(row);
        compared++;
        if (!SameResult(got, *want) && ++failures <= 20) {
          ADD_FAILURE() << "SELECT " << sql << "\n  row: " << RowText(row)
                        << "\n  zload:  " << Describe(got) << "\n  sqlite: " << Describe(*want);
        }
      }
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_GT(compared, 30000);
  std::printf("compared %d expressions, skipped %d SQLite errors\n", compared, skipped);
}

}  // namespace
}  // namespace zload::expr_test
