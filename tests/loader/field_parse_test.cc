#include "loader/field_parse.h"

#include <gtest/gtest.h>
#include <time.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <random>
#include <regex>
#include <string>

namespace zload {
namespace {

TEST(FieldParseTest, IntegersMatchStrtollOnStrictText) {
  const uint64_t seed = 20261123;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::regex strict("[+-]?[0-9]+");
  const std::string alphabet = "0123456789999+- x.";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = std::uniform_int_distribution<int>(0, 21)(rng);
    for (int k = 0; k < n; ++k) {
      s += rng() % 4 ? alphabet[rng() % 10] : alphabet[rng() % alphabet.size()];
    }
    int64_t got = 0;
    const bool ok = ParseInteger(s, got);
    errno = 0;
    char* end = nullptr;
    const long long want = std::strtoll(s.c_str(), &end, 10);
    const bool want_ok = std::regex_match(s, strict) && errno != ERANGE;
    ASSERT_EQ(ok, want_ok) << "'" << s << "'";
    if (ok) {
      ASSERT_EQ(got, want) << s;
    }
  }
  int64_t v;
  EXPECT_TRUE(ParseInteger("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(ParseInteger("9223372036854775808", v));
  EXPECT_FALSE(ParseInteger("-", v));
  EXPECT_FALSE(ParseInteger("", v));
  EXPECT_FALSE(ParseInteger(" 1", v));
}

TEST(FieldParseTest, RealsMatchStrtodAndRejectNonFinite) {
  const uint64_t seed = 20261123;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::regex grammar(R"([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)");
  const std::string alphabet = "0123456789.eE+-x ";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int n = std::uniform_int_distribution<int>(0, 12)(rng);
    for (int k = 0; k < n; ++k) {
      s += rng() % 3 ? alphabet[rng() % 10] : alphabet[rng() % alphabet.size()];
    }
    double got = 0;
    const bool ok = ParseReal(s, got);
    errno = 0;
    const double want = std::strtod(s.c_str(), nullptr);
    const bool in_range = errno != ERANGE;
    if (!in_range) continue;  // magnitudes near the limits are checked below
    ASSERT_EQ(ok, std::regex_match(s, grammar)) << "'" << s << "'";
    if (ok) {
      ASSERT_EQ(got, want) << s;
    }
  }
  double v;
  for (const char* bad : {"inf", "-inf", "nan", "NaN", "infinity", "1e999", "-1e400", "0x10", "1,5",
                          "+-1", "--1", "1e", ".", "", " 1", "1 "}) {
    EXPECT_FALSE(ParseReal(bad, v)) << bad;
  }
  EXPECT_TRUE(ParseReal("1.7976931348623157e308", v));
  EXPECT_TRUE(ParseReal("+.5", v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseReal("-0", v));
  EXPECT_TRUE(std::signbit(v));
}

// Plain decimals (the form most numeric fields take, converted without from_chars up to 15
// digits) round exactly as strtod does, on both sides of that limit and with every sign.
TEST(FieldParseTest, PlainDecimalsRoundAsStrtodDoes) {
  const uint64_t seed = 20261207;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 200000; ++i) {
    const int digits = 1 + static_cast<int>(rng() % 18);
    std::string s = rng() % 4 == 0 ? "-" : (rng() % 8 == 0 ? "+" : "");
    const int point = static_cast<int>(rng() % (digits + 1));  // digits before the '.'
    for (int k = 0; k < digits; ++k) {
      if (k == point && k > 0) s += '.';
      s += static_cast<char>('0' + rng() % 10);
    }
    double got = 0;
    ASSERT_TRUE(ParseReal(s, got)) << s;
    const double want = std::strtod(s.c_str(), nullptr);
    ASSERT_EQ(std::bit_cast<uint64_t>(got), std::bit_cast<uint64_t>(want)) << s;
  }
  double v;
  EXPECT_TRUE(ParseReal("-0.000", v));
  EXPECT_TRUE(std::signbit(v));
  EXPECT_EQ(v, 0.0);
  EXPECT_TRUE(ParseReal("0.1", v));
  EXPECT_EQ(v, 0.1);
  EXPECT_TRUE(ParseReal("999999999999999.9", v));  // 16 digits: from_chars
  EXPECT_EQ(v, 999999999999999.9);
  EXPECT_TRUE(ParseReal("12345678901234.5", v));  // 15 digits
  EXPECT_EQ(v, 12345678901234.5);
  for (const char* bad : {"1..5", "1.2.3", "-.", "+", "1.5x", "1-5", "12 "}) {
    EXPECT_FALSE(ParseReal(bad, v)) << bad;
  }
}

TEST(FieldParseTest, Booleans) {
  bool v;
  for (const char* t : {"true", "TRUE", "True", "t", "T", "1", "yes", "YES", "y"}) {
    ASSERT_TRUE(ParseBoolean(t, v)) << t;
    EXPECT_TRUE(v) << t;
  }
  for (const char* f : {"false", "False", "f", "F", "0", "no", "NO", "n"}) {
    ASSERT_TRUE(ParseBoolean(f, v)) << f;
    EXPECT_FALSE(v) << f;
  }
  for (const char* bad : {"", "2", "tru", "truee", " true", "on", "off"}) {
    EXPECT_FALSE(ParseBoolean(bad, v)) << bad;
  }
}

TEST(FieldParseTest, TimestampsMatchTimegm) {
  const uint64_t seed = 20261123;  // fixed: a failure reproduces
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const int year = std::uniform_int_distribution<int>(1, 9999)(rng);
    const int month = std::uniform_int_distribution<int>(1, 12)(rng);
    const int day = std::uniform_int_distribution<int>(1, 31)(rng);
    const int hour = std::uniform_int_distribution<int>(0, 23)(rng);
    const int minute = std::uniform_int_distribution<int>(0, 59)(rng);
    const int second = std::uniform_int_distribution<int>(0, 59)(rng);
    const int micros = std::uniform_int_distribution<int>(0, 999999)(rng);
    const int offset = std::uniform_int_distribution<int>(-23 * 60 - 59, 23 * 60 + 59)(rng);
    struct tm tm = {};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const int64_t base = timegm(&tm);
    const bool valid_day = tm.tm_mday == day;  // timegm normalizes 2023-02-30 to March
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d%c%02d:%02d:%02d.%06d%c%02d:%02d", year, month,
                  day, rng() % 2 ? 'T' : ' ', hour, minute, second, micros, offset < 0 ? '-' : '+',
                  std::abs(offset) / 60, std::abs(offset) % 60);
    int64_t got = 0;
    ASSERT_EQ(ParseTimestamp(text, got), valid_day) << text;
    if (!valid_day) continue;
    ASSERT_EQ(got, (base - offset * 60) * 1000000 + micros) << text;
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
    ASSERT_TRUE(ParseTimestamp(date, got)) << date;
    ASSERT_EQ(got, (base - (hour * 3600 + minute * 60 + second)) * 1000000) << date;
  }
  int64_t v;
  EXPECT_TRUE(ParseTimestamp("1970-01-01T00:00:00.5Z", v));
  EXPECT_EQ(v, 500000);
  EXPECT_TRUE(ParseTimestamp("1969-12-31 23:59:59", v));
  EXPECT_EQ(v, -1000000);
  EXPECT_TRUE(ParseTimestamp("2000-02-29", v));
  for (const char* bad :
       {"1900-02-29", "2024-00-01", "2024-1-01", "2024-01-01T", "2024-01-01Z",
        "2024-01-01 24:00:00", "2024-01-01 12:60:00", "2024-01-01 12:00:60", "2024-01-01 12:00:00.",
        "2024-01-01 12:00:00.1234567", "2024-01-01 12:00:00+0100", "2024-01-01 12:00:00+01",
        "2024-01-01 12:00", "2024-01-01 12:00:00 ", "", "24-01-01"}) {
    EXPECT_FALSE(ParseTimestamp(bad, v)) << bad;
  }
}

// A deliberately naive reference: decode without checks, re-encode, and compare.
bool ReferenceUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      const unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    const int want_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (want_len != len || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

TEST(FieldParseTest, Utf8MatchesAReferenceOnAllShortSequences) {
  std::string s;
  for (uint32_t a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    ASSERT_EQ(IsValidUtf8(s), ReferenceUtf8(s)) << a;
    for (uint32_t b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      ASSERT_EQ(IsValidUtf8(s), ReferenceUtf8(s)) << a << " " << b;
      if (a < 0xE0 || a > 0xF4) continue;
      for (uint32_t c = 0x70; c < 0xD0; ++c) {
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        ASSERT_EQ(IsValidUtf8(s), ReferenceUtf8(s)) << a << " " << b << " " << c;
        s += '\x80';
        ASSERT_EQ(IsValidUtf8(s), ReferenceUtf8(s)) << a << " " << b << " " << c;
      }
    }
  }
  EXPECT_TRUE(IsValidUtf8("plain ascii longer than eight bytes \xC3\xA9 and more text"));
  EXPECT_FALSE(IsValidUtf8("plain ascii longer than eight bytes \xC3 and more text"));
}

TEST(FieldParseTest, ParseFieldMessagesQuoteTheText) {
  Value v;
  std::string error;
  EXPECT_FALSE(ParseField("12x", Type::kInteger, v, error));
  EXPECT_EQ(error, "not an INTEGER: '12x'");
  EXPECT_FALSE(ParseField("99999999999999999999", Type::kInteger, v, error));
  EXPECT_EQ(error, "INTEGER out of range: '99999999999999999999'");
  EXPECT_FALSE(ParseField("a\xff\n", Type::kText, v, error));
  EXPECT_EQ(error, "invalid UTF-8 in TEXT: 'a\\xff\\x0a'");
  EXPECT_FALSE(ParseField(std::string(100, 'z'), Type::kReal, v, error));
  EXPECT_EQ(error, "not a REAL: '" + std::string(60, 'z') + "...'");
  ASSERT_TRUE(ParseField("h\xC3\xA9", Type::kText, v, error));
  EXPECT_EQ(v, Value::Text("h\xC3\xA9"));
  ASSERT_TRUE(ParseField("2024-01-01", Type::kTimestamp, v, error));
  EXPECT_EQ(v.type(), Type::kTimestamp);
}

}  // namespace
}  // namespace zload
