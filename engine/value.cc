#include "engine/value.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "engine/expr_sqlite_number.h"

namespace zload {

const char* TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "NULL";
    case Type::kInteger:
      return "INTEGER";
    case Type::kReal:
      return "REAL";
    case Type::kText:
      return "TEXT";
    case Type::kBoolean:
      return "BOOLEAN";
    case Type::kTimestamp:
      return "TIMESTAMP";
  }
  return "?";
}

int64_t Value::integral() const {
  switch (type()) {
    case Type::kBoolean:
      return as_boolean() ? 1 : 0;
    case Type::kTimestamp:
      return as_timestamp();
    default:
      return as_integer();
  }
}

double Value::numeric() const {
  return type() == Type::kReal ? as_real() : static_cast<double>(integral());
}

bool Value::EqualSameType(const Value& other) const {
  if (type() == Type::kReal) {
    double a = as_real(), b = other.as_real();
    return a == b || (std::isnan(a) && std::isnan(b));
  }
  return repr_ == other.repr_;
}

uint64_t Value::HashSlow(uint64_t tagged) const {
  switch (type()) {
    case Type::kNull:
      return MixHash(tagged, 0);
    case Type::kText: {
      const std::string& s = as_text();
      return XXH3_64bits_withSeed(s.data(), s.size(), tagged);
    }
    case Type::kReal: {
      double d = as_real();
      if (d == 0.0) d = 0.0;  // -0.0 hashes as 0.0
      if (std::isnan(d)) d = std::numeric_limits<double>::quiet_NaN();
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return MixHash(tagged, bits);
    }
    default:
      return MixHash(tagged, static_cast<uint64_t>(integral()));
  }
}

std::string Value::ToString() const {
  switch (type()) {
    case Type::kNull:
      return "NULL";
    case Type::kInteger:
      return std::to_string(as_integer());
    case Type::kBoolean:
      return as_boolean() ? "1" : "0";
    case Type::kTimestamp:
      return std::to_string(as_timestamp());
    case Type::kText:
      return as_text();
    case Type::kReal:
      return sqlite_number::RealToText(as_real());
  }
  return "?";
}

namespace {

int Rank(const Value& v) {
  if (v.is_null()) return 0;
  return v.type() == Type::kText ? 2 : 1;
}

// Compares an integer with a double exactly, as SQLite's sqlite3IntFloatCompare does.
std::strong_ordering CompareIntReal(int64_t i, double r) {
  if (std::isnan(r)) return std::strong_ordering::greater;  // NaN sorts before every number
  if (r < -9223372036854775808.0) return std::strong_ordering::greater;
  if (r >= 9223372036854775808.0) return std::strong_ordering::less;
  int64_t y = static_cast<int64_t>(r);
  if (i != y) return i <=> y;
  double s = static_cast<double>(i);
  if (s < r) return std::strong_ordering::less;
  if (s > r) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

std::strong_ordering CompareNumbers(const Value& a, const Value& b) {
  bool a_real = a.type() == Type::kReal, b_real = b.type() == Type::kReal;
  if (!a_real && !b_real) return a.integral() <=> b.integral();
  if (!a_real) return CompareIntReal(a.integral(), b.as_real());
  if (!b_real) return 0 <=> CompareIntReal(b.integral(), a.as_real());
  double x = a.as_real(), y = b.as_real();
  // NaN sorts before every other number so that the order stays total.
  if (std::isnan(x) || std::isnan(y)) return !std::isnan(x) <=> !std::isnan(y);
  if (x < y) return std::strong_ordering::less;
  if (x > y) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

}  // namespace

std::optional<std::strong_ordering> SqlCompare(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return std::nullopt;
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra <=> rb;
  if (ra == 2) {
    int c = a.as_text().compare(b.as_text());
    return c <=> 0;
  }
  return CompareNumbers(a, b);
}

std::strong_ordering TotalOrder(const Value& a, const Value& b) {
  // The common case of sorted keys, without the general comparison's dispatch.
  if (a.type() == Type::kInteger && b.type() == Type::kInteger) {
    return a.as_integer() <=> b.as_integer();
  }
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra <=> rb;
  if (ra == 0) return std::strong_ordering::equal;
  auto c = *SqlCompare(a, b);
  if (c != 0) return c;
  return a.type() <=> b.type();
}

}  // namespace zload
