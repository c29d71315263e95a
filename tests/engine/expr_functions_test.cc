// Table-driven tests of CAST and the scalar functions against SQLite, and of the static
// properties of expressions: types, affinities, SQL rendering, function lookup and arity.
#include <gtest/gtest.h>

#include <limits>

#include "engine/error.h"
#include "engine/expr.h"
#include "tests/engine/expr_oracle.h"

namespace zload::expr_test {
namespace {

using BO = BinaryOp;
using SF = ScalarFunction;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(ExprFunctionsTest, Cast) {
  CheckCases({
      {"CAST('12abc' AS INTEGER)", Cast(T("12abc"), Type::kInteger)},
      {"CAST('1e3' AS INTEGER)", Cast(T("1e3"), Type::kInteger)},
      {"CAST(' -7 ' AS INTEGER)", Cast(T(" -7 "), Type::kInteger)},
      {"CAST(1.9 AS INTEGER)", Cast(R(1.9), Type::kInteger)},
      {"CAST(-1.9 AS INTEGER)", Cast(R(-1.9), Type::kInteger)},
      {"CAST(1e20 AS INTEGER)", Cast(R(1e20), Type::kInteger)},
      {"CAST(-1e20 AS INTEGER)", Cast(R(-1e20), Type::kInteger)},
      {"CAST('abc' AS INTEGER)", Cast(T("abc"), Type::kInteger)},
      {"CAST(NULL AS INTEGER)", Cast(N(), Type::kInteger)},
      {"CAST('99999999999999999999' AS INTEGER)", Cast(T("99999999999999999999"), Type::kInteger)},
      {"CAST(b AS INTEGER)", Cast(Col("b"), Type::kInteger)},
      {"CAST('1.5x' AS REAL)", Cast(T("1.5x"), Type::kReal)},
      {"CAST(3 AS REAL)", Cast(I(3), Type::kReal)},
      {"CAST('abc' AS REAL)", Cast(T("abc"), Type::kReal)},
      {"CAST('-1e400' AS REAL)", Cast(T("-1e400"), Type::kReal)},
      {"CAST(ts AS REAL)", Cast(Col("ts"), Type::kReal)},
      {"CAST(1.5 AS TEXT)", Cast(R(1.5), Type::kText)},
      {"CAST(1e20 AS TEXT)", Cast(R(1e20), Type::kText)},
      {"CAST(12 AS TEXT)", Cast(I(12), Type::kText)},
      {"CAST(TRUE AS TEXT)", Cast(Bool(true), Type::kText)},
      {"CAST(r AS TEXT)", Cast(Col("r"), Type::kText)},
      {"CAST('1.5' AS BOOLEAN)", Cast(T("1.5"), Type::kBoolean)},
      {"CAST('1.0' AS BOOLEAN)", Cast(T("1.0"), Type::kBoolean)},
      {"CAST('x' AS BOOLEAN)", Cast(T("x"), Type::kBoolean)},
      {"CAST('' AS BOOLEAN)", Cast(T(""), Type::kBoolean)},
      {"CAST(1.0 AS BOOLEAN)", Cast(R(1.0), Type::kBoolean)},
      {"CAST(7 AS BOOLEAN)", Cast(I(7), Type::kBoolean)},
      {"CAST('12' AS TIMESTAMP)", Cast(T("12"), Type::kTimestamp)},
      {"CAST(' 12 ' AS TIMESTAMP)", Cast(T(" 12 "), Type::kTimestamp)},
      {"CAST('1e3' AS TIMESTAMP)", Cast(T("1e3"), Type::kTimestamp)},
      {"CAST('12abc' AS TIMESTAMP)", Cast(T("12abc"), Type::kTimestamp)},
      {"CAST('9223372036854775808' AS TIMESTAMP)",
       Cast(T("9223372036854775808"), Type::kTimestamp)},
      {"CAST(s AS TIMESTAMP)", Cast(Col("s"), Type::kTimestamp)},
  });
}

TEST(ExprFunctionsTest, Functions) {
  CheckCases({
      {"lower('ÀBC')", Fn(SF::kLower, {T("ÀBC")})},
      {"upper('àbc')", Fn(SF::kUpper, {T("àbc")})},
      {"upper(1.5)", Fn(SF::kUpper, {R(1.5)})},
      {"lower(NULL)", Fn(SF::kLower, {N()})},
      {"upper(s2)", Fn(SF::kUpper, {Col("s2")})},
      {"lower(b)", Fn(SF::kLower, {Col("b")})},
      {"length('héllo')", Fn(SF::kLength, {T("héllo")})},
      {"length('')", Fn(SF::kLength, {T("")})},
      {"length(1.5)", Fn(SF::kLength, {R(1.5)})},
      {"length(-12)", Fn(SF::kLength, {I(-12)})},
      {"length(1e20)", Fn(SF::kLength, {R(1e20)})},
      {"length(NULL)", Fn(SF::kLength, {N()})},
      {"length(TRUE)", Fn(SF::kLength, {Bool(true)})},
      {"length(ts)", Fn(SF::kLength, {Col("ts")})},
      {"abs(-5)", Fn(SF::kAbs, {I(-5)})},
      {"abs(-5.5)", Fn(SF::kAbs, {R(-5.5)})},
      {"abs('-5')", Fn(SF::kAbs, {T("-5")})},
      {"abs('abc')", Fn(SF::kAbs, {T("abc")})},
      {"abs(NULL)", Fn(SF::kAbs, {N()})},
      {"abs(TRUE)", Fn(SF::kAbs, {Bool(true)})},
      {"abs(9223372036854775807)", Fn(SF::kAbs, {I(kMax)})},
      {"round(2.5)", Fn(SF::kRound, {R(2.5)})},
      {"round(-2.5)", Fn(SF::kRound, {R(-2.5)})},
      {"round(0.5)", Fn(SF::kRound, {R(0.5)})},
      {"round(-0.4)", Fn(SF::kRound, {R(-0.4)})},
      {"round(0.49999999999999994)", Fn(SF::kRound, {R(0.49999999999999994)})},
      {"round(1.005, 2)", Fn(SF::kRound, {R(1.005), I(2)})},
      {"round(2.675, 2)", Fn(SF::kRound, {R(2.675), I(2)})},
      {"round(123.456, 1)", Fn(SF::kRound, {R(123.456), I(1)})},
      {"round(1234.5678, -1)", Fn(SF::kRound, {R(1234.5678), I(-1)})},
      {"round('2.345', 2)", Fn(SF::kRound, {T("2.345"), I(2)})},
      {"round(1.5, '1')", Fn(SF::kRound, {R(1.5), T("1")})},
      {"round(2.5, NULL)", Fn(SF::kRound, {R(2.5), N()})},
      {"round(NULL, 2)", Fn(SF::kRound, {N(), I(2)})},
      {"round(3)", Fn(SF::kRound, {I(3)})},
      {"round(1e20)", Fn(SF::kRound, {R(1e20)})},
      {"round(4503599627370495.5)", Fn(SF::kRound, {R(4503599627370495.5)})},
      {"round(0.1 + 0.2, 15)", Fn(SF::kRound, {Bin(BO::kAdd, R(0.1), R(0.2)), I(15)})},
      {"round(1e-300, 30)", Fn(SF::kRound, {R(1e-300), I(30)})},
      {"round(-1.23456789, 4)", Fn(SF::kRound, {R(-1.23456789), I(4)})},
      {"round(r)", Fn(SF::kRound, {Col("r")})},
      {"round(s, i)", Fn(SF::kRound, {Col("s"), Col("i")})},
  });
}

TEST(ExprFunctionsTest, IsTrueFollowsSqliteTruthiness) {
  SqliteOracle oracle;
  oracle.SetRow(DefaultRow());
  for (const Value& v :
       {Value(), Value::Integer(0), Value::Integer(-3), Value::Real(0.0), Value::Real(0.25),
        Value::Text("1abc"), Value::Text("abc"), Value::Text("0.0"), Value::Text(" 0.5"),
        Value::Text(""), Value::Boolean(true), Value::Boolean(false), Value::Time(0)}) {
    ExprPtr lit = MakeLiteral(v);
    std::string error;
    std::optional<Value> want =
        oracle.Eval("CASE WHEN " + lit->ToString() + " THEN 1 ELSE 0 END", &error);
    ASSERT_TRUE(want.has_value()) << error;
    EXPECT_EQ(IsTrue(v), want->as_integer() == 1) << Describe(v);
  }
}

TEST(ExprFunctionsTest, StaticTypes) {
  EXPECT_EQ(Bin(BO::kEq, Col("s"), I(1))->type(), Type::kInteger);
  EXPECT_EQ(Bin(BO::kAnd, Col("s"), I(1))->type(), Type::kInteger);
  EXPECT_EQ(Like(Col("s"), T("a"))->type(), Type::kInteger);
  EXPECT_EQ(MakeIsNull(Col("s"), false)->type(), Type::kInteger);
  EXPECT_EQ(In(Col("s"), {I(1)})->type(), Type::kInteger);
  EXPECT_EQ(MakeBetween(Col("s"), I(1), I(2), false)->type(), Type::kInteger);
  EXPECT_EQ(MakeNot(Col("s"))->type(), Type::kInteger);
  EXPECT_EQ(Bin(BO::kAdd, Col("i"), Col("b"))->type(), Type::kInteger);
  EXPECT_EQ(Bin(BO::kSub, Col("ts"), I(1))->type(), Type::kInteger);
  EXPECT_EQ(Bin(BO::kMul, Col("i"), Col("r"))->type(), Type::kReal);
  EXPECT_EQ(Bin(BO::kDiv, Col("s"), Col("r"))->type(), Type::kReal);
  EXPECT_EQ(Bin(BO::kMod, Col("s"), Col("i"))->type(), Type::kNull);
  EXPECT_EQ(MakeNegate(Col("i"))->type(), Type::kInteger);
  EXPECT_EQ(MakeNegate(Col("r"))->type(), Type::kReal);
  EXPECT_EQ(Bin(BO::kConcat, Col("i"), Col("r"))->type(), Type::kText);
  EXPECT_EQ(Fn(SF::kLower, {Col("i")})->type(), Type::kText);
  EXPECT_EQ(Fn(SF::kUpper, {Col("i")})->type(), Type::kText);
  EXPECT_EQ(Fn(SF::kLength, {Col("s")})->type(), Type::kInteger);
  EXPECT_EQ(Fn(SF::kRound, {Col("i")})->type(), Type::kReal);
  EXPECT_EQ(Fn(SF::kAbs, {Col("i")})->type(), Type::kInteger);
  EXPECT_EQ(Fn(SF::kAbs, {Col("r")})->type(), Type::kReal);
  EXPECT_EQ(Cast(Col("s"), Type::kInteger)->type(), Type::kInteger);
  EXPECT_EQ(Cast(Col("s"), Type::kBoolean)->type(), Type::kBoolean);
  EXPECT_EQ(MakeCase(nullptr, {{Col("b"), I(1)}}, I(2))->type(), Type::kInteger);
  EXPECT_EQ(MakeCase(nullptr, {{Col("b"), I(1)}}, N())->type(), Type::kInteger);
  EXPECT_EQ(MakeCase(nullptr, {{Col("b"), I(1)}}, R(2))->type(), Type::kNull);
  EXPECT_EQ(MakeCoalesce({Col("i"), I(0)})->type(), Type::kInteger);
  EXPECT_EQ(MakeCoalesce({Col("i"), T("x")})->type(), Type::kNull);
  EXPECT_EQ(Col("ts")->type(), Type::kTimestamp);
  EXPECT_EQ(R(1.5)->type(), Type::kReal);
  EXPECT_EQ(N()->type(), Type::kNull);
}

TEST(ExprFunctionsTest, AffinityOfNodes) {
  EXPECT_EQ(Col("i")->affinity(), Affinity::kInteger);
  EXPECT_EQ(Col("r")->affinity(), Affinity::kReal);
  EXPECT_EQ(Col("s")->affinity(), Affinity::kText);
  EXPECT_EQ(Col("b")->affinity(), Affinity::kNumeric);
  EXPECT_EQ(Col("ts")->affinity(), Affinity::kNumeric);
  EXPECT_EQ(Cast(I(1), Type::kText)->affinity(), Affinity::kText);
  EXPECT_EQ(T("12")->affinity(), Affinity::kNone);
  EXPECT_EQ(Bin(BO::kAdd, Col("i"), I(0))->affinity(), Affinity::kNone);
}

TEST(ExprFunctionsTest, ToStringIsReadableSql) {
  ExprPtr a = MakeColumn(0, Type::kInteger, "a");
  ExprPtr name = MakeColumn(1, Type::kText, "name");
  EXPECT_EQ(Bin(BO::kAdd, a, I(1))->ToString(), "(a + 1)");
  EXPECT_EQ(Fn(SF::kLower, {name})->ToString(), "lower(name)");
  EXPECT_EQ(Fn(SF::kRound, {a, I(2)})->ToString(), "round(a, 2)");
  EXPECT_EQ(Like(name, T("it's%"), true)->ToString(), "(name NOT LIKE 'it''s%')");
  EXPECT_EQ(In(a, {I(1), N()})->ToString(), "(a IN (1, NULL))");
  EXPECT_EQ(MakeBetween(a, I(-1), R(2.5), false)->ToString(), "(a BETWEEN (-1) AND 2.5)");
  EXPECT_EQ(Cast(name, Type::kReal)->ToString(), "CAST(name AS REAL)");
  EXPECT_EQ(MakeCase(a, {{I(1), T("one")}}, T("many"))->ToString(),
            "CASE a WHEN 1 THEN 'one' ELSE 'many' END");
  EXPECT_EQ(MakeCoalesce({a, I(0)})->ToString(), "coalesce(a, 0)");
  EXPECT_EQ(MakeColumn(2, Type::kText, "odd name")->ToString(), "\"odd name\"");
  EXPECT_EQ(MakeIsNull(a, true)->ToString(), "(a IS NOT NULL)");
  EXPECT_EQ(MakeNot(a)->ToString(), "(NOT a)");
  EXPECT_EQ(R(100)->ToString(), "100.0");
  EXPECT_EQ(R(0.1)->ToString(), "0.1");
}

TEST(ExprFunctionsTest, FunctionLookupAndArity) {
  EXPECT_EQ(FindScalarFunction("LOWER"), SF::kLower);
  EXPECT_EQ(FindScalarFunction("Round"), SF::kRound);
  EXPECT_EQ(FindScalarFunction("length"), SF::kLength);
  EXPECT_EQ(FindScalarFunction("substr"), std::nullopt);
  for (auto [fn, n] : std::vector<std::pair<SF, size_t>>{
           {SF::kLower, 0}, {SF::kUpper, 2}, {SF::kLength, 2}, {SF::kAbs, 0}, {SF::kRound, 3}}) {
    std::vector<ExprPtr> args(n, I(1));
    try {
      Fn(fn, args);
      ADD_FAILURE() << "no error for " << n << " arguments";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kSchema);
    }
  }
}

}  // namespace
}  // namespace zload::expr_test
