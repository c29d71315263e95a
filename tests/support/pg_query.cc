#include "tests/support/pg_query.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <pqxx/pqxx>

#include "engine/error.h"
#include "stores/row_codec.h"

namespace zload::test {
namespace {

// Type OIDs of pg_catalog.pg_type (stable across PostgreSQL versions).
enum PgOid : uint32_t {
  kBool = 16,
  kBytea = 17,
  kName = 19,
  kInt8 = 20,
  kInt2 = 21,
  kInt4 = 23,
  kText = 25,
  kFloat4 = 700,
  kFloat8 = 701,
  kUnknown = 705,
  kBpchar = 1042,
  kVarchar = 1043,
  kTimestamp = 1114,
  kNumeric = 1700,
};

constexpr int64_t kMicrosPerDay = 86'400'000'000;

[[noreturn]] void Unreadable(std::string_view text, const char* type) {
  throw Error(ErrorCode::kInternal,
              fmt::format("cannot read '{}' as PostgreSQL {}", text.substr(0, 100), type));
}

bool ParseInt(std::string_view text, int64_t& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

double ParseDouble(std::string_view text, const char* type) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double d = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || p != text.data() + text.size()) Unreadable(text, type);
  return d;
}

// Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 0 is 1 BC).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "Y-MM-DD HH:MM:SS[.ffffff][ BC]" (DateStyle ISO) as microseconds since 1970-01-01.
int64_t ParseTimestamp(std::string_view text) {
  std::string s(text);
  long long y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%lld-%lld-%lld %lld:%lld:%lld%n", &y, &mo, &d, &h, &mi, &sec,
                  &used) != 6) {
    Unreadable(text, "timestamp");
  }
  std::string_view rest = text.substr(static_cast<size_t>(used));
  int64_t frac = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1 || digits > 7 || !ParseInt(rest.substr(1, digits - 1), frac)) {
      Unreadable(text, "timestamp");
    }
    for (size_t n = digits - 1; n < 6; ++n) frac *= 10;
    rest = rest.substr(digits);
  }
  bool bc = rest == " BC";
  if (!bc && !rest.empty()) Unreadable(text, "timestamp");
  const int64_t days = DaysFromCivil(bc ? 1 - y : y, mo, d);
  return days * kMicrosPerDay + ((h * 60 + mi) * 60 + sec) * 1'000'000 + frac;
}

// The bytes of the hex text form of a BYTEA ("\x" and hex digits).
std::string ParseBytea(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    Unreadable(text, "bytea");
  }
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    Unreadable(text, "bytea");
  };
  std::string out;
  for (size_t i = 2; i < text.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(text[i]) * 16 + nibble(text[i + 1])));
  }
  return out;
}

Value FieldOf(const pqxx::result& r, const pqxx::field& f, pqxx::row::size_type column) {
  if (f.is_null()) return Value();
  return PgFieldValue(r.column_type(column), {f.c_str(), f.size()});
}

}  // namespace

Value PgFieldValue(uint32_t type_oid, std::string_view text) {
  switch (type_oid) {
    case kInt8:
    case kInt4:
    case kInt2: {
      int64_t i = 0;
      if (!ParseInt(text, i)) Unreadable(text, "integer");
      return Value::Integer(i);
    }
    case kFloat8:
    case kFloat4:
      return Value::Real(ParseDouble(text, "double precision"));
    case kNumeric: {
      int64_t i = 0;
      if (ParseInt(text, i)) return Value::Integer(i);
      return Value::Real(ParseDouble(text, "numeric"));
    }
    case kText:
    case kVarchar:
    case kBpchar:
    case kName:
    case kUnknown:
      return Value::Text(std::string(text));
    case kBool:
      if (text != "t" && text != "f") Unreadable(text, "boolean");
      return Value::Boolean(text == "t");
    case kTimestamp:
      return Value::Time(ParseTimestamp(text));
    case kBytea: {
      Row row = DecodeRow(ParseBytea(text));
      if (row.size() != 1) Unreadable(text, "bytea holding one encoded value");
      return row[0];
    }
    default:
      throw Error(ErrorCode::kUnsupported,
                  fmt::format("no zload value for PostgreSQL type OID {}", type_oid));
  }
}

struct PgReader::Connection {
  explicit Connection(const std::string& url) : conn(url) {}
  pqxx::connection conn;
};

PgReader::PgReader(const std::string& url) {
  try {
    conn_ = std::make_unique<Connection>(url);
    pqxx::nontransaction tx(conn_->conn);
    tx.exec(
        "SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET bytea_output = 'hex'; "
        "SET client_encoding = 'UTF8'; SET client_min_messages = 'warning'");
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kIo, fmt::format("cannot connect to {}: {}", url, e.what()));
  }
}

PgReader::~PgReader() = default;

namespace {

pqxx::result Run(pqxx::connection& conn, const std::string& sql) {
  try {
    pqxx::nontransaction tx(conn);
    return tx.exec(sql);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kSchema, fmt::format("{} in: {}", e.what(), sql));
  }
}

std::string Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

ZSet PgReader::Query(const std::string& sql) {
  pqxx::result r = Run(conn_->conn, sql);
  ZSet out;
  for (const auto& row : r) {
    Row values;
    values.reserve(r.columns());
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c) values.push_back(FieldOf(r, row[c], c));
    out.Add(std::move(values), 1);
  }
  return out;
}

void PgReader::Exec(const std::string& sql) {
  try {
    pqxx::work tx(conn_->conn);
    tx.exec(sql);
    tx.commit();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kSchema, fmt::format("{} in: {}", e.what(), sql));
  }
}

ZSet PgReader::ViewTable(const std::string& view) {
  pqxx::result r = Run(conn_->conn, "SELECT * FROM " + Quote(view));
  int count = -1;
  for (pqxx::row::size_type c = 0; c < r.columns(); ++c) {
    if (std::string_view(r.column_name(c)) == "_count_") count = static_cast<int>(c);
  }
  if (count < 0) {
    throw Error(ErrorCode::kSchema, "view table " + view + " has no _count_ column");
  }
  ZSet out;
  for (const auto& row : r) {
    Row values;
    for (pqxx::row::size_type c = 0; c < r.columns(); ++c) {
      std::string_view name = r.column_name(c);
      if (name == "_count_" || name == "_identity_" || name == "_key_identity_") continue;
      values.push_back(FieldOf(r, row[c], c));
    }
    out.Add(std::move(values), row[count].as<int64_t>());
  }
  return out;
}

int64_t PgReader::NonPositiveWeights(const std::string& view) {
  return Run(conn_->conn, "SELECT count(*) FROM " + Quote(view) + " WHERE _count_ <= 0")[0][0]
      .as<int64_t>();
}

::testing::AssertionResult PgViewMatchesSelect(PgReader& db, const std::string& view,
                                               const std::string& oracle_sql,
                                               const CompareOptions& options) {
  int64_t bad_weights = db.NonPositiveWeights(view);
  std::string diff = DiffZSets(db.ViewTable(view), db.Query(oracle_sql), options,
                               "view table " + view, "PostgreSQL's SELECT");
  if (bad_weights == 0 && diff.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure()
                 << "view " << view << " differs from\n  " << oracle_sql << "\n";
  if (bad_weights != 0) failure << bad_weights << " rows with _count_ <= 0\n";
  return failure << diff;
}

}  // namespace zload::test
