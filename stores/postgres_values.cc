#include "stores/postgres_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/error.h"
#include "stores/postgres_db.h"
#include "stores/row_codec.h"

namespace zload::postgres {
namespace {

constexpr int64_t kMicrosPerDay = 86'400'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 0 is 1 BC).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

// "YYYY-MM-DD HH:MM:SS.ffffff" (with " BC" for years before 1), as PostgreSQL reads it.
std::string TimestampText(int64_t micros) {
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  int64_t y, m, d;
  CivilFromDays(days, y, m, d);
  const int64_t secs = rest / 1'000'000;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}{}", y > 0 ? y : 1 - y, m, d,
                     secs / 3600, secs / 60 % 60, secs % 60, rest % 1'000'000, y > 0 ? "" : " BC");
}

// Parses the ISO output of a timestamp: "Y-MM-DD HH:MM:SS[.f...][ BC]".
int64_t ParseTimestamp(std::string_view s) {
  auto fail = [&]() -> int64_t {
    throw Error(ErrorCode::kConstraint,
                fmt::format("cannot read the timestamp '{}' as microseconds since 1970", s));
  };
  const char* p = s.data();
  const char* end = s.data() + s.size();
  auto number = [&](int64_t& out, size_t* digits = nullptr) {
    auto [next, ec] = std::from_chars(p, end, out);
    if (ec != std::errc() || out < 0) fail();
    if (digits) *digits = static_cast<size_t>(next - p);
    p = next;
  };
  auto expect = [&](char c) {
    if (p == end || *p != c) fail();
    ++p;
  };
  int64_t y, mo, d, h, mi, sec, frac = 0;
  number(y);
  expect('-');
  number(mo);
  expect('-');
  number(d);
  expect(' ');
  number(h);
  expect(':');
  number(mi);
  expect(':');
  number(sec);
  if (p != end && *p == '.') {
    ++p;
    size_t digits = 0;
    number(frac, &digits);
    if (digits == 0 || digits > 6) fail();
    for (; digits < 6; ++digits) frac *= 10;
  }
  bool bc = false;
  if (end - p == 3 && std::string_view(p, 3) == " BC") {
    bc = true;
    p = end;
  }
  if (p != end) fail();
  const int64_t days = DaysFromCivil(bc ? 1 - y : y, mo, d);
  int64_t out;
  if (__builtin_mul_overflow(days, kMicrosPerDay, &out) ||
      __builtin_add_overflow(out, ((h * 60 + mi) * 60 + sec) * 1'000'000 + frac, &out)) {
    fail();
  }
  return out;
}

std::string RealText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", d);  // shortest text that reads back as the same double
}

// The value with -0.0 as 0.0 and every NaN as the default NaN: equal Values, equal encodings.
Value Canonical(const Value& v) {
  if (v.type() != Type::kReal) return v;
  if (v.as_real() == 0.0) return Value::Real(0.0);
  if (std::isnan(v.as_real())) return Value::Real(std::numeric_limits<double>::quiet_NaN());
  return v;
}

// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch of binary timestamps.
constexpr int64_t kPgEpochMicros = 946'684'800'000'000;

// `v` in network byte order.
template <class T>
auto BigEndian(T v) {
  static_assert(std::is_integral_v<T> && (sizeof(T) == 4 || sizeof(T) == 8));
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  if constexpr (sizeof(T) == 4) {
    return __builtin_bswap32(u);
  } else {
    return __builtin_bswap64(u);
  }
}

// Appends `v` in network byte order.
template <class T>
void AppendBigEndian(std::string& out, T v) {
  const auto big = BigEndian(v);
  out.append(reinterpret_cast<const char*>(&big), sizeof big);
}

// Appends a field of sizeof(T) bytes: its length, then `v`, both in network byte order.
template <class T>
void AppendFixedField(std::string& out, T v) {
  char field[4 + sizeof(T)];
  const auto length = BigEndian(static_cast<int32_t>(sizeof(T)));
  const auto big = BigEndian(v);
  std::memcpy(field, &length, 4);
  std::memcpy(field + 4, &big, sizeof big);
  out.append(field, sizeof field);
}

void AppendField(std::string& out, std::string_view bytes) {
  AppendBigEndian(out, static_cast<int32_t>(bytes.size()));
  out.append(bytes);
}

[[noreturn]] void NotOfType(const std::string& text, Type column) {
  throw Error(ErrorCode::kConstraint,
              fmt::format("invalid input for type {}: '{}'", PgType(column), text.substr(0, 100)));
}

// The number that is the whole of `text`, if it is one (from_chars reads "NaN" and "Infinity").
template <class T>
std::optional<T> WholeNumber(std::string_view text) {
  T out{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return out;
}

bool BooleanOfText(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* yes : {"t", "true", "yes", "on", "1"}) {
    if (lower == yes) return true;
  }
  for (const char* no : {"f", "false", "no", "off", "0"}) {
    if (lower == no) return false;
  }
  NotOfType(text, Type::kBoolean);
}

// PostgreSQL's binary timestamp (microseconds since 2000-01-01) of `micros` since 1970-01-01;
// the two values it keeps for infinities and anything past them are out of range.
int64_t PgTimestamp(int64_t micros) {
  int64_t pg = 0;
  if (__builtin_sub_overflow(micros, kPgEpochMicros, &pg) ||
      pg == std::numeric_limits<int64_t>::min() || pg == std::numeric_limits<int64_t>::max()) {
    throw Error(ErrorCode::kConstraint, fmt::format("timestamp out of range: {} microseconds "
                                                    "since 1970",
                                                    micros));
  }
  return pg;
}

// `v`, neither NULL nor of type `column`, as a Value of type `column`: what PostgreSQL reads
// from ToText(v, column).
Value Converted(const Value& v, Type column) {
  const std::string text = *ToText(v, column);
  switch (column) {
    case Type::kInteger:
      if (auto i = WholeNumber<int64_t>(text)) return Value::Integer(*i);
      break;
    case Type::kReal:
      if (auto d = WholeNumber<double>(text)) return Value::Real(*d);
      break;
    case Type::kBoolean:
      return Value::Boolean(BooleanOfText(text));
    case Type::kTimestamp:
      return Value::Time(ParseTimestamp(text));
    case Type::kText:
    case Type::kNull:
      return Value::Text(text);
  }
  NotOfType(text, column);
}

}  // namespace

void AppendCopyBinaryValue(std::string& out, const Value& v, Type column) {
  if (v.is_null()) {
    AppendBigEndian(out, int32_t{-1});
    return;
  }
  if (column != Type::kNull && v.type() != column) {
    AppendCopyBinaryValue(out, Converted(v, column), column);
    return;
  }
  switch (column) {
    case Type::kInteger:
      AppendFixedField(out, v.as_integer());
      return;
    case Type::kReal:
      AppendFixedField(out, std::bit_cast<uint64_t>(v.as_real()));
      return;
    case Type::kText:
      AppendField(out, v.as_text());
      return;
    case Type::kBoolean:
      AppendBigEndian(out, int32_t{1});
      out += static_cast<char>(v.as_boolean() ? 1 : 0);
      return;
    case Type::kTimestamp:
      AppendFixedField(out, PgTimestamp(v.as_timestamp()));
      return;
    case Type::kNull:
      AppendField(out, EncodeRow(Row{Canonical(v)}));
      return;
  }
}

const char* PgType(Type t) {
  switch (t) {
    case Type::kInteger:
      return "bigint";
    case Type::kReal:
      return "double precision";
    case Type::kText:
      return "text";
    case Type::kBoolean:
      return "boolean";
    case Type::kTimestamp:
      return "timestamp";
    case Type::kNull:
      return "bytea";
  }
  return "text";
}

// The declared type of a column of PostgreSQL type `pg` (as format_type renders it).
Type TypeOfPg(std::string_view pg) {
  if (pg == "bigint") return Type::kInteger;
  if (pg == "double precision") return Type::kReal;
  if (pg == "boolean") return Type::kBoolean;
  if (pg == "timestamp without time zone") return Type::kTimestamp;
  if (pg == "bytea") return Type::kNull;
  return Type::kText;
}

// The text of `v` for a column declared `column`, converted as SQLite's column affinity would
// convert it (so reading back gives what SqliteJobStore gives); nullopt for NULL.
std::optional<std::string> ToText(const Value& v, Type column) {
  if (v.is_null()) return std::nullopt;
  if (column == Type::kNull) return ByteaText(EncodeRow(Row{Canonical(v)}));
  switch (v.type()) {
    case Type::kInteger:
      if (column == Type::kBoolean) return v.as_integer() != 0 ? "t" : "f";
      if (column == Type::kTimestamp) return TimestampText(v.as_integer());
      return std::to_string(v.as_integer());
    case Type::kReal: {
      double d = v.as_real();
      if (column == Type::kBoolean) return d != 0 ? "t" : "f";
      if (column == Type::kInteger && std::trunc(d) == d && std::abs(d) < 9.2e18) {
        return std::to_string(static_cast<int64_t>(d));
      }
      if (column == Type::kText) return v.ToString();
      return RealText(d);
    }
    case Type::kBoolean:
      if (column == Type::kBoolean) return v.as_boolean() ? "t" : "f";
      return v.ToString();
    case Type::kTimestamp:
      if (column == Type::kTimestamp) return TimestampText(v.as_timestamp());
      return v.ToString();
    case Type::kText:
      return v.as_text();
    case Type::kNull:
      break;
  }
  return std::nullopt;
}

void AppendCopyValue(std::string& line, const Value& v, Type column, bool first) {
  if (!first) line += '\t';
  char buf[32];
  if (v.type() == Type::kInteger && column == Type::kInteger) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_integer());
    line.append(buf, end);
    return;
  }
  if (v.type() == Type::kReal && column == Type::kReal && std::isfinite(v.as_real())) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_real());  // shortest exact text
    line.append(buf, end);
    return;
  }
  if (v.type() == Type::kText && column != Type::kNull) {
    AppendCopyField(line, v.as_text(), true);
    return;
  }
  AppendCopyField(line, ToText(v, column), true);
}

// The Value of a non-NULL field of a column declared `column`.
Value FromText(std::string_view text, Type column) {
  switch (column) {
    case Type::kInteger:
      if (auto i = WholeNumber<int64_t>(text)) return Value::Integer(*i);
      break;
    case Type::kReal:
      if (auto d = WholeNumber<double>(text)) return Value::Real(*d);
      break;
    case Type::kBoolean:
      return Value::Boolean(text == "t");
    case Type::kTimestamp:
      return Value::Time(ParseTimestamp(text));
    case Type::kNull: {
      Row row = DecodeRow(FromByteaText(text));
      if (row.size() != 1) break;
      return row[0];
    }
    case Type::kText:
      return Value::Text(std::string(text));
  }
  throw Error(ErrorCode::kInternal,
              fmt::format("cannot read '{}' as {}", text.substr(0, 100), TypeName(column)));
}

Value FieldValue(const pqxx::field& f, Type column) {
  if (f.is_null()) return Value();
  return FromText({f.c_str(), f.size()}, column);
}

}  // namespace zload::postgres
