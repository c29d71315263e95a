#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace zload {

// The SQL types a column or expression can have. kNull is the type of the NULL literal.
enum class Type : uint8_t { kNull, kInteger, kReal, kText, kBoolean, kTimestamp };

// Returns the SQL spelling of a type, e.g. "INTEGER".
const char* TypeName(Type type);

// Microseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t micros = 0;
  bool operator==(const Timestamp&) const = default;
};

// One SQL value. Numeric values are stored inline (no heap allocation); TEXT owns its bytes.
// Equality (==) and Hash() are structural: same type and same value, with NaN equal to NaN and
// -0.0 equal to 0.0. SQL comparison with NULL semantics is SqlCompare().
class Value {
 public:
  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Integer(int64_t v) { return Value(Repr(std::in_place_index<1>, v)); }
  static Value Real(double v) { return Value(Repr(std::in_place_index<2>, v)); }
  static Value Text(std::string v) { return Value(Repr(std::in_place_index<3>, std::move(v))); }
  static Value Boolean(bool v) { return Value(Repr(std::in_place_index<4>, v)); }
  static Value Time(int64_t micros) {
    return Value(Repr(std::in_place_index<5>, Timestamp{micros}));
  }

  // Make this value an INTEGER, a REAL or a TEXT in place; SetText reuses a TEXT value's
  // buffer. For filling the same row again and again.
  void SetInteger(int64_t v) { Set<1>(v); }
  void SetReal(double v) { Set<2>(v); }
  void SetText(std::string_view v) {
    if (auto* text = std::get_if<3>(&repr_)) {
      text->assign(v);
    } else {
      repr_.emplace<3>(v);
    }
  }

  Type type() const { return static_cast<Type>(repr_.index()); }
  bool is_null() const { return repr_.index() == 0; }
  // True for INTEGER, REAL, BOOLEAN and TIMESTAMP: values that compare numerically.
  bool is_numeric() const { return !is_null() && type() != Type::kText; }

  // REQUIRES: type() is the accessor's type.
  int64_t as_integer() const { return std::get<1>(repr_); }
  double as_real() const { return std::get<2>(repr_); }
  const std::string& as_text() const { return std::get<3>(repr_); }
  bool as_boolean() const { return std::get<4>(repr_); }
  int64_t as_timestamp() const { return std::get<5>(repr_).micros; }

  // The value as an int64 for INTEGER, BOOLEAN and TIMESTAMP. REQUIRES: one of those types.
  int64_t integral() const;
  // The value as a double for any numeric type. REQUIRES: is_numeric().
  double numeric() const;

  // Structural equality; see the class comment.
  bool operator==(const Value& other) const {
    if (repr_.index() != other.repr_.index()) return false;
    if (repr_.index() == 1) return as_integer() == other.as_integer();
    return EqualSameType(other);
  }
  // A 64-bit hash consistent with ==: a multiply-fold mix for numbers and NULL, xxhash for
  // text. Hashes are not stable across versions; never persist them.
  uint64_t Hash(uint64_t seed = 0) const {
    const uint64_t tagged = seed ^ (0x9E3779B97F4A7C15ULL * (repr_.index() + 1));
    if (repr_.index() == 1) return MixHash(tagged, static_cast<uint64_t>(as_integer()));
    return HashSlow(tagged);
  }

  // Renders the value as SQLite's CAST(x AS TEXT) would; NULL renders as "NULL".
  std::string ToString() const;

 private:
  template <size_t I, class T>
  void Set(T v) {
    if (auto* held = std::get_if<I>(&repr_)) {
      *held = v;
    } else {
      repr_.template emplace<I>(v);
    }
  }

  // Folds the 128-bit product of the two (keyed) words: a fast, well-mixing 64-bit hash.
  static uint64_t MixHash(uint64_t a, uint64_t b) {
    const unsigned __int128 m =
        static_cast<unsigned __int128>(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  }
  // operator== for two values of the same type other than INTEGER.
  bool EqualSameType(const Value& other) const;
  // Hash() for every type but INTEGER, with the type-tagged seed.
  uint64_t HashSlow(uint64_t tagged) const;
  using Repr = std::variant<std::monostate, int64_t, double, std::string, bool, Timestamp>;
  explicit Value(Repr repr) : repr_(std::move(repr)) {}
  Repr repr_;
};

// SQL comparison (SQLite's BINARY collation): nullopt when either side is NULL, otherwise the
// ordering with numbers of any numeric type compared by value and every number before any text.
std::optional<std::strong_ordering> SqlCompare(const Value& a, const Value& b);

// A total order over all values for sorting and rendering: NULL first, then numbers by value,
// then text; values equal in SQL but of different types are ordered by type.
std::strong_ordering TotalOrder(const Value& a, const Value& b);

}  // namespace zload
