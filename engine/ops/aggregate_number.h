#pragma once

#include <cstdint>

#include "engine/value.h"

// The arithmetic of SUM and AVG: how SQLite reads one summed value, exact integer totals and
// compensated REAL totals. Internal to the group-reduce operator.
namespace zload::aggregate_internal {

// A 128-bit integer: a total of int64 terms times int64 weights that cannot overflow in practice.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// True when `v` fits an int64.
inline bool FitsInt64(Int128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

// The two int64 halves that store an Int128 as two INTEGER columns, and back.
inline int64_t HighHalf(Int128 v) { return static_cast<int64_t>(v >> 64); }
inline int64_t LowHalf(Int128 v) {
  return static_cast<int64_t>(static_cast<uint64_t>(v & ~static_cast<uint64_t>(0)));
}
inline Int128 FromHalves(int64_t high, int64_t low) {
  return static_cast<Int128>(static_cast<UInt128>(static_cast<uint64_t>(high)) << 64 |
                             static_cast<uint64_t>(low));
}

// One non-NULL input of SUM/AVG as SQLite 3.40's sumStep reads it (sqlite3_value_numeric_type):
// INTEGER, BOOLEAN and TIMESTAMP are integers; REAL is real; text that reads wholly as an
// integer ('12', ' 7 ') is that integer, and any other text is the real value of its numeric
// prefix ('1.5' is 1.5, '12abc' is 12.0, 'abc' is 0.0).
struct SumTerm {
  bool is_integer = true;
  int64_t integer = 0;
  double real = 0.0;
};

// Reads `v` as SumTerm. REQUIRES: !v.is_null().
SumTerm ReadSumTerm(const Value& v);

// A running sum of doubles with Neumaier's (Kahan-Babuska) compensation: `sum + compensation`
// carries the rounding errors of every addition, so inserting and later deleting values (adding
// their negation) leaves the total within a few ulps of the exact sum of what remains.
// REQUIRES: every added value is finite and partial sums stay finite.
struct CompensatedSum {
  double sum = 0.0;
  double compensation = 0.0;

  // Adds `x`.
  void Add(double x);
  // Adds `x * weight` exactly (up to the final rounding of the sum).
  void AddTimes(double x, int64_t weight);
  // Adds another compensated sum.
  void Merge(const CompensatedSum& other);
  // The compensated total.
  double Total() const { return sum + compensation; }
};

}  // namespace zload::aggregate_internal
