#include "loader/field_parse.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <system_error>

namespace zload {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool ReadDigits(std::string_view text, size_t pos, int n, int& value) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool AllDigitsWithSign(std::string_view text) {
  size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

// Length of the well-formed UTF-8 sequence at s[0..n), or 0 when it is not well-formed.
size_t Utf8SequenceLength(const unsigned char* s, size_t n) {
  const unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (n < len) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  }
  return len;
}

// Powers of ten that doubles hold exactly.
constexpr double kExactPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Converts digits[.digits] (at least one digit each side of a '.') of at most 15 digits in all,
// the form most numeric fields take, exactly as a correctly rounded parser does: the digits
// make an integer below 2^53 and the power of ten is exact, so the one division rounds once
// (Clinger's fast path). False, with nothing converted, for any other text.
bool ParsePlainDecimal(const char* p, const char* end, bool negative, double& out) {
  uint64_t mantissa = 0;
  int digits = 0, fraction = -1;  // fraction: digits after the '.', -1 before one
  for (; p != end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d <= 9) {
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + d;
      if (fraction >= 0) ++fraction;
    } else if (*p == '.' && fraction < 0 && digits > 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || fraction == 0) return false;
  double v = static_cast<double>(mantissa);
  if (fraction > 0) v /= kExactPowersOfTen[fraction];
  out = negative ? -v : v;
  return true;
}

}  // namespace

bool ParseInteger(std::string_view text, int64_t& out) {
  size_t i = 0;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    i = 1;
  }
  if (i == text.size()) return false;
  // 18 digits cannot overflow (10^18 < 2^63); digits beyond them are checked one by one.
  const size_t unchecked = std::min(text.size(), i + 18);
  uint64_t v = 0;
  for (; i < unchecked; ++i) {
    const unsigned d = static_cast<unsigned char>(text[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  for (; i < text.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(text[i]) - '0';
    if (d > 9) return false;
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) || __builtin_add_overflow(v, d, &v)) {
      return false;
    }
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) return false;
  out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParseReal(std::string_view text, double& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
    if (begin != end && *begin == '-') return false;
  }
  // The first character after the sign decides: this rejects "inf", "nan" and a second sign.
  const char* first = (begin != end && *begin == '-') ? begin + 1 : begin;
  if (first == end || !(IsDigit(*first) || *first == '.')) return false;
  if (ParsePlainDecimal(first, end, *begin == '-', out)) return true;
  auto [ptr, ec] = std::from_chars(begin, end, out, std::chars_format::general);
  return ec == std::errc() && ptr == end;
}

bool ParseBoolean(std::string_view text, bool& out) {
  if (text.empty() || text.size() > 5) return false;
  char lower[5];
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view t(lower, text.size());
  if (t == "true" || t == "t" || t == "1" || t == "yes" || t == "y") {
    out = true;
    return true;
  }
  if (t == "false" || t == "f" || t == "0" || t == "no" || t == "n") {
    out = false;
    return true;
  }
  return false;
}

bool ParseTimestamp(std::string_view text, int64_t& micros) {
  int year, month, day;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
      !ReadDigits(text, 5, 2, month) || text[7] != '-' || !ReadDigits(text, 8, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t result = DaysFromCivil(year, month, day) * 86'400'000'000;
  if (text.size() == 10) {
    micros = result;
    return true;
  }
  int hour, minute, second;
  if (text[10] != ' ' && text[10] != 'T') return false;
  if (!ReadDigits(text, 11, 2, hour) || text.size() < 19 || text[13] != ':' ||
      !ReadDigits(text, 14, 2, minute) || text[16] != ':' || !ReadDigits(text, 17, 2, second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  result += ((hour * 60 + minute) * 60 + second) * int64_t{1'000'000};
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t fraction = 0;
    int digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (++digits > 6) return false;
      fraction = fraction * 10 + (text[pos] - '0');
      ++pos;
    }
    if (digits == 0) return false;
    for (; digits < 6; ++digits) fraction *= 10;
    result += fraction;
  }
  if (pos < text.size()) {
    const char zone = text[pos];
    if (zone == 'Z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      int offset_hours, offset_minutes;
      if (!ReadDigits(text, pos + 1, 2, offset_hours) || pos + 3 >= text.size() ||
          text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, offset_minutes)) {
        return false;
      }
      if (offset_hours > 23 || offset_minutes > 59) return false;
      const int64_t offset = (offset_hours * 60 + offset_minutes) * int64_t{60'000'000};
      result += zone == '+' ? -offset : offset;  // local time minus its offset is UTC
      pos += 6;
    } else {
      return false;
    }
  }
  if (pos != text.size()) return false;
  micros = result;
  return true;
}

bool IsValidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i == n) break;
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool ParseField(std::string_view text, Type type, Value& out, std::string& error) {
  switch (type) {
    case Type::kInteger: {
      int64_t v;
      if (ParseInteger(text, v)) {
        out.SetInteger(v);
        return true;
      }
      error = (AllDigitsWithSign(text) ? "INTEGER out of range: " : "not an INTEGER: ") +
              QuoteForMessage(text);
      return false;
    }
    case Type::kReal: {
      double v;
      if (ParseReal(text, v)) {
        out.SetReal(v);
        return true;
      }
      error = "not a REAL: " + QuoteForMessage(text);
      return false;
    }
    case Type::kText:
      if (IsValidUtf8(text)) {
        out.SetText(text);
        return true;
      }
      error = "invalid UTF-8 in TEXT: " + QuoteForMessage(text);
      return false;
    case Type::kBoolean: {
      bool v;
      if (ParseBoolean(text, v)) {
        out = Value::Boolean(v);
        return true;
      }
      error = "not a BOOLEAN: " + QuoteForMessage(text);
      return false;
    }
    case Type::kTimestamp: {
      int64_t v;
      if (ParseTimestamp(text, v)) {
        out = Value::Time(v);
        return true;
      }
      error = "not a TIMESTAMP: " + QuoteForMessage(text);
      return false;
    }
    case Type::kNull:
      break;
  }
  error = std::string("cannot load a column of type ") + TypeName(type);
  return false;
}

std::string QuoteForMessage(std::string_view text) {
  return "'" + EscapeForMessage(text, 60) + "'";
}

std::string EscapeForMessage(std::string_view text, size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::string out;
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const size_t len = Utf8SequenceLength(s + i, text.size() - i);
    if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
      out += "\\x";
      out += kHex[s[i] >> 4];
      out += kHex[s[i] & 15];
      ++i;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
    ++chars;
  }
  return out;
}

}  // namespace zload
