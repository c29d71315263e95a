// Table-driven tests of the expression evaluator: each case is built with the Make* functions
// and written by hand as SQL; SQLite evaluates the SQL (and the expression's own ToString())
// over a one-row typed table, and value and type must match exactly.
#include "engine/expr.h"

#include <gtest/gtest.h>

#include <limits>

#include "engine/error.h"
#include "tests/engine/expr_oracle.h"

namespace zload::expr_test {
namespace {

using BO = BinaryOp;
using SF = ScalarFunction;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(ExprTest, NullPropagationAndLogic) {
  CheckCases({
      {"NULL + 1", Bin(BO::kAdd, N(), I(1))},
      {"1 - NULL", Bin(BO::kSub, I(1), N())},
      {"NULL * NULL", Bin(BO::kMul, N(), N())},
      {"5 / NULL", Bin(BO::kDiv, I(5), N())},
      {"NULL % 2", Bin(BO::kMod, N(), I(2))},
      {"NULL || 'a'", Bin(BO::kConcat, N(), T("a"))},
      {"'a' || NULL", Bin(BO::kConcat, T("a"), N())},
      {"NULL = 1", Bin(BO::kEq, N(), I(1))},
      {"1 < NULL", Bin(BO::kLt, I(1), N())},
      {"NULL <> NULL", Bin(BO::kNe, N(), N())},
      {"-NULL", MakeNegate(N())},
      {"NULL AND 0", Bin(BO::kAnd, N(), I(0))},
      {"NULL AND 1", Bin(BO::kAnd, N(), I(1))},
      {"0 AND NULL", Bin(BO::kAnd, I(0), N())},
      {"NULL OR 1", Bin(BO::kOr, N(), I(1))},
      {"NULL OR 0", Bin(BO::kOr, N(), I(0))},
      {"1 OR NULL", Bin(BO::kOr, I(1), N())},
      {"1 AND 'abc'", Bin(BO::kAnd, I(1), T("abc"))},
      {"'1abc' OR 0", Bin(BO::kOr, T("1abc"), I(0))},
      {"0.5 AND 2", Bin(BO::kAnd, R(0.5), I(2))},
      {"NOT NULL", MakeNot(N())},
      {"NOT 0", MakeNot(I(0))},
      {"NOT 'abc'", MakeNot(T("abc"))},
      {"NOT '0.5x'", MakeNot(T("0.5x"))},
      {"NOT 0.0", MakeNot(R(0.0))},
      {"NULL IS NULL", MakeIsNull(N(), false)},
      {"i2 IS NULL", MakeIsNull(Col("i2"), false)},
      {"0 IS NOT NULL", MakeIsNull(I(0), true)},
      {"s2 IS NOT NULL", MakeIsNull(Col("s2"), true)},
      {"i2 AND b", Bin(BO::kAnd, Col("i2"), Col("b"))},
  });
}

TEST(ExprTest, Arithmetic) {
  CheckCases({
      {"7 / 2", Bin(BO::kDiv, I(7), I(2))},
      {"-7 / 2", Bin(BO::kDiv, I(-7), I(2))},
      {"7 % -3", Bin(BO::kMod, I(7), I(-3))},
      {"-7 % 3", Bin(BO::kMod, I(-7), I(3))},
      {"5.5 % 2", Bin(BO::kMod, R(5.5), I(2))},
      {"-5.5 % 2", Bin(BO::kMod, R(-5.5), I(2))},
      {"5 % 2.5", Bin(BO::kMod, I(5), R(2.5))},
      {"5 / 0", Bin(BO::kDiv, I(5), I(0))},
      {"5 % 0", Bin(BO::kMod, I(5), I(0))},
      {"5.0 / 0", Bin(BO::kDiv, R(5.0), I(0))},
      {"5 / 0.0", Bin(BO::kDiv, I(5), R(0.0))},
      {"5 % 0.5", Bin(BO::kMod, I(5), R(0.5))},
      {"7.5 / 2", Bin(BO::kDiv, R(7.5), I(2))},
      {"9223372036854775807 + 1", Bin(BO::kAdd, I(kMax), I(1))},
      {"-9223372036854775808 - 1", Bin(BO::kSub, I(kMin), I(1))},
      {"9223372036854775807 * 2", Bin(BO::kMul, I(kMax), I(2))},
      {"4294967296 * 4294967296", Bin(BO::kMul, I(4294967296), I(4294967296))},
      {"-9223372036854775808 / -1", Bin(BO::kDiv, I(kMin), I(-1))},
      {"-9223372036854775808 % -1", Bin(BO::kMod, I(kMin), I(-1))},
      {"-(-9223372036854775808)", MakeNegate(I(kMin))},
      {"-(i)", MakeNegate(Col("i"))},
      {"-(r)", MakeNegate(Col("r"))},
      {"-(s2)", MakeNegate(Col("s2"))},
      {"-(b)", MakeNegate(Col("b"))},
      {"-(-0.0)", MakeNegate(R(-0.0))},
      {"'12abc' + 1", Bin(BO::kAdd, T("12abc"), I(1))},
      {"'abc' * 3", Bin(BO::kMul, T("abc"), I(3))},
      {"'1.5' + 1", Bin(BO::kAdd, T("1.5"), I(1))},
      {"'1e2' + 0", Bin(BO::kAdd, T("1e2"), I(0))},
      {"'1.0' + 0", Bin(BO::kAdd, T("1.0"), I(0))},
      {"' 12 ' + 0", Bin(BO::kAdd, T(" 12 "), I(0))},
      {"'1.5abc' * 2", Bin(BO::kMul, T("1.5abc"), I(2))},
      {"'9223372036854775808' + 0", Bin(BO::kAdd, T("9223372036854775808"), I(0))},
      {"'1e3' % 7", Bin(BO::kMod, T("1e3"), I(7))},
      {"'1e3' % 2.5", Bin(BO::kMod, T("1e3"), R(2.5))},
      {"1 + 1.5", Bin(BO::kAdd, I(1), R(1.5))},
      {"0.1 + 0.2", Bin(BO::kAdd, R(0.1), R(0.2))},
      {"1e308 * 10", Bin(BO::kMul, R(1e308), I(10))},
      {"1e308 * 10 - 1e308 * 10",
       Bin(BO::kSub, Bin(BO::kMul, R(1e308), I(10)), Bin(BO::kMul, R(1e308), I(10)))},
      {"TRUE + TRUE", Bin(BO::kAdd, Bool(true), Bool(true))},
      {"i + r", Bin(BO::kAdd, Col("i"), Col("r"))},
      {"s + 1", Bin(BO::kAdd, Col("s"), I(1))},
      {"b + 1", Bin(BO::kAdd, Col("b"), I(1))},
      {"ts / 3", Bin(BO::kDiv, Col("ts"), I(3))},
      {"i2 * 2", Bin(BO::kMul, Col("i2"), I(2))},
      {"s2 - i", Bin(BO::kSub, Col("s2"), Col("i"))},
  });
}

TEST(ExprTest, ConcatRendersText) {
  CheckCases({
      {"1 || 2", Bin(BO::kConcat, I(1), I(2))},
      {"1.5 || 'x'", Bin(BO::kConcat, R(1.5), T("x"))},
      {"1e20 || ''", Bin(BO::kConcat, R(1e20), T(""))},
      {"1e15 || ''", Bin(BO::kConcat, R(1e15), T(""))},
      {"100.0 || ''", Bin(BO::kConcat, R(100.0), T(""))},
      {"0.1 || ''", Bin(BO::kConcat, R(0.1), T(""))},
      {"1e-5 || ''", Bin(BO::kConcat, R(1e-5), T(""))},
      {"(0.1 + 0.2) || ''", Bin(BO::kConcat, Bin(BO::kAdd, R(0.1), R(0.2)), T(""))},
      {"123456789012345678.0 || ''", Bin(BO::kConcat, R(123456789012345678.0), T(""))},
      {"-0.0 || ''", Bin(BO::kConcat, R(-0.0), T(""))},
      {"(1e308 * 10) || ''", Bin(BO::kConcat, Bin(BO::kMul, R(1e308), I(10)), T(""))},
      {"TRUE || 'x'", Bin(BO::kConcat, Bool(true), T("x"))},
      {"s || r", Bin(BO::kConcat, Col("s"), Col("r"))},
      {"b || ts", Bin(BO::kConcat, Col("b"), Col("ts"))},
  });
}

TEST(ExprTest, ComparisonsAndAffinity) {
  CheckCases({
      {"1 < 1.5", Bin(BO::kLt, I(1), R(1.5))},
      {"2 = 2.0", Bin(BO::kEq, I(2), R(2.0))},
      {"1 < 'a'", Bin(BO::kLt, I(1), T("a"))},
      {"'B' < 'a'", Bin(BO::kLt, T("B"), T("a"))},
      {"'abc' >= 'abc'", Bin(BO::kGe, T("abc"), T("abc"))},
      {"'ab' < 'abc'", Bin(BO::kLt, T("ab"), T("abc"))},
      {"'12' = 12", Bin(BO::kEq, T("12"), I(12))},
      {"9223372036854775806 < 9223372036854775808.0",
       Bin(BO::kLt, I(kMax - 1), R(9223372036854775808.0))},
      {"i = '12'", Bin(BO::kEq, Col("i"), T("12"))},
      {"i < '9'", Bin(BO::kLt, Col("i"), T("9"))},
      {"i = ' 12 '", Bin(BO::kEq, Col("i"), T(" 12 "))},
      {"i = '12abc'", Bin(BO::kEq, Col("i"), T("12abc"))},
      {"i = '12.0'", Bin(BO::kEq, Col("i"), T("12.0"))},
      {"s = 12", Bin(BO::kEq, Col("s"), I(12))},
      {"s < 9", Bin(BO::kLt, Col("s"), I(9))},
      {"12 = s", Bin(BO::kEq, I(12), Col("s"))},
      {"s = 12.0", Bin(BO::kEq, Col("s"), R(12.0))},
      {"i = s", Bin(BO::kEq, Col("i"), Col("s"))},
      {"r = '1.5'", Bin(BO::kEq, Col("r"), T("1.5"))},
      {"b = '1'", Bin(BO::kEq, Col("b"), T("1"))},
      {"ts = '1000'", Bin(BO::kEq, Col("ts"), T("1000"))},
      {"s2 > 5", Bin(BO::kGt, Col("s2"), I(5))},
      {"s = s2", Bin(BO::kEq, Col("s"), Col("s2"))},
      {"i2 = i2", Bin(BO::kEq, Col("i2"), Col("i2"))},
      {"CAST(s AS INTEGER) = '12'", Bin(BO::kEq, Cast(Col("s"), Type::kInteger), T("12"))},
      {"CAST(i AS TEXT) = 12", Bin(BO::kEq, Cast(Col("i"), Type::kText), I(12))},
      {"coalesce(i, 0) = '12'", Bin(BO::kEq, MakeCoalesce({Col("i"), I(0)}), T("12"))},
      {"(i + 0) = '12'", Bin(BO::kEq, Bin(BO::kAdd, Col("i"), I(0)), T("12"))},
      {"i BETWEEN '11' AND '13'", MakeBetween(Col("i"), T("11"), T("13"), false)},
      {"'12' BETWEEN i AND i", MakeBetween(T("12"), Col("i"), Col("i"), false)},
      {"12 BETWEEN s AND s", MakeBetween(I(12), Col("s"), Col("s"), false)},
      {"2 BETWEEN 1 AND 3", MakeBetween(I(2), I(1), I(3), false)},
      {"2 NOT BETWEEN 1 AND 3", MakeBetween(I(2), I(1), I(3), true)},
      {"NULL BETWEEN 1 AND 3", MakeBetween(N(), I(1), I(3), false)},
      {"5 BETWEEN NULL AND 3", MakeBetween(I(5), N(), I(3), false)},
      {"2 BETWEEN NULL AND 3", MakeBetween(I(2), N(), I(3), false)},
      {"2 NOT BETWEEN NULL AND 1", MakeBetween(I(2), N(), I(1), true)},
      {"0 BETWEEN 1 AND NULL", MakeBetween(I(0), I(1), N(), false)},
  });
}

TEST(ExprTest, InList) {
  CheckCases({
      {"1 IN (1, NULL)", In(I(1), {I(1), N()})},
      {"2 IN (1, NULL)", In(I(2), {I(1), N()})},
      {"2 NOT IN (1, NULL)", In(I(2), {I(1), N()}, true)},
      {"1 NOT IN (1, NULL)", In(I(1), {I(1), N()}, true)},
      {"NULL IN (1)", In(N(), {I(1)})},
      {"2 NOT IN (1, 3)", In(I(2), {I(1), I(3)}, true)},
      {"2 IN (1, 2.0, 3)", In(I(2), {I(1), R(2.0), I(3)})},
      {"1 IN ()", In(I(1), {})},
      {"NULL IN ()", In(N(), {})},
      {"NULL NOT IN ()", In(N(), {}, true)},
      {"s IN (12)", In(Col("s"), {I(12)})},
      {"12 IN (s)", In(I(12), {Col("s")})},
      {"i IN ('12', 'x')", In(Col("i"), {T("12"), T("x")})},
      {"i IN ('11', '12', '13')", In(Col("i"), {T("11"), T("12"), T("13")})},
      {"'12' IN (i, 5)", In(T("12"), {Col("i"), I(5)})},
      {"'12' IN (i)", In(T("12"), {Col("i")})},
      {"i2 IN (1, 2)", In(Col("i2"), {I(1), I(2)})},
      {"r IN ('1.5', 3)", In(Col("r"), {T("1.5"), I(3)})},
      {"'a' IN ('A', 'a')", In(T("a"), {T("A"), T("a")})},
  });
}

TEST(ExprTest, Like) {
  CheckCases({
      {"'abc' LIKE 'a%'", Like(T("abc"), T("a%"))},
      {"'ABC' LIKE 'a_c'", Like(T("ABC"), T("a_c"))},
      {"'abc' LIKE 'AB'", Like(T("abc"), T("AB"))},
      {"'abc' LIKE '%'", Like(T("abc"), T("%"))},
      {"'' LIKE '%'", Like(T(""), T("%"))},
      {"'' LIKE '_'", Like(T(""), T("_"))},
      {"'a' LIKE '%%_%'", Like(T("a"), T("%%_%"))},
      {"'ab' LIKE 'a'", Like(T("ab"), T("a"))},
      {"'abc' LIKE '%C%'", Like(T("abc"), T("%C%"))},
      {"'abcabc' LIKE '%b_a%'", Like(T("abcabc"), T("%b_a%"))},
      {"'aXbXc' LIKE 'a%b%c'", Like(T("aXbXc"), T("a%b%c"))},
      {"'abc' LIKE '_%_%_%'", Like(T("abc"), T("_%_%_%"))},
      {"'ab' LIKE '_%_%_%'", Like(T("ab"), T("_%_%_%"))},
      {"5 LIKE '5'", Like(I(5), T("5"))},
      {"1.5 LIKE '1._'", Like(R(1.5), T("1._"))},
      {"NULL LIKE 'a'", Like(N(), T("a"))},
      {"'a' LIKE NULL", Like(T("a"), N())},
      {"NULL NOT LIKE 'a'", Like(N(), T("a"), true)},
      {"'abc' NOT LIKE 'a%'", Like(T("abc"), T("a%"), true)},
      {"'É' LIKE 'é'", Like(T("É"), T("é"))},
      {"'é' LIKE '_'", Like(T("é"), T("_"))},
      {"'héllo' LIKE 'h%o'", Like(T("héllo"), T("h%o"))},
      {"'héllo' LIKE '%é%'", Like(T("héllo"), T("%é%"))},
      {"'a%b' LIKE 'a%b'", Like(T("a%b"), T("a%b"))},
      {"s LIKE 12", Like(Col("s"), I(12))},
      {"i LIKE '1%'", Like(Col("i"), T("1%"))},
      {"s2 LIKE 'A%'", Like(Col("s2"), T("A%"))},
  });
}

TEST(ExprTest, CaseAndCoalesce) {
  CheckCases({
      {"CASE WHEN 0 THEN 1 WHEN NULL THEN 2 ELSE 3 END",
       MakeCase(nullptr, {{I(0), I(1)}, {N(), I(2)}}, I(3))},
      {"CASE WHEN 'x' THEN 1 END", MakeCase(nullptr, {{T("x"), I(1)}}, nullptr)},
      {"CASE WHEN '2x' THEN 1 END", MakeCase(nullptr, {{T("2x"), I(1)}}, nullptr)},
      {"CASE NULL WHEN NULL THEN 1 ELSE 2 END", MakeCase(N(), {{N(), I(1)}}, I(2))},
      {"CASE 1 WHEN 1.0 THEN 'a' END", MakeCase(I(1), {{R(1.0), T("a")}}, nullptr)},
      {"CASE 'a' WHEN 'A' THEN 1 ELSE 0 END", MakeCase(T("a"), {{T("A"), I(1)}}, I(0))},
      {"CASE i WHEN '12' THEN 'y' ELSE 'n' END", MakeCase(Col("i"), {{T("12"), T("y")}}, T("n"))},
      {"CASE '12' WHEN i THEN 'y' ELSE 'n' END", MakeCase(T("12"), {{Col("i"), T("y")}}, T("n"))},
      {"CASE s WHEN 12 THEN 'y' ELSE 'n' END", MakeCase(Col("s"), {{I(12), T("y")}}, T("n"))},
      {"CASE 12 WHEN '12' THEN 'y' ELSE 'n' END", MakeCase(I(12), {{T("12"), T("y")}}, T("n"))},
      {"CASE i2 WHEN 1 THEN 1 WHEN 2 THEN 2 END",
       MakeCase(Col("i2"), {{I(1), I(1)}, {I(2), I(2)}}, nullptr)},
      {"coalesce(NULL, 2)", MakeCoalesce({N(), I(2)})},
      {"coalesce(NULL, NULL)", MakeCoalesce({N(), N()})},
      {"coalesce(NULL, NULL, 'x')", MakeCoalesce({N(), N(), T("x")})},
      {"coalesce(i2, r2, s)", MakeCoalesce({Col("i2"), Col("r2"), Col("s")})},
      {"coalesce(b, 0)", MakeCoalesce({Col("b"), I(0)})},
  });
}

}  // namespace
}  // namespace zload::expr_test
