#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// SQLite 3.40's text <-> number primitives (util.c and printf.c), reproduced bit for bit so that
// zload converts exactly as SQLite does. Internal to the expression evaluator.
namespace zload::sqlite_number {

// sqlite3AtoF: parses the longest numeric prefix of `text` into *result (0.0 when none).
// Returns 1 for a pure integer, 2 or more for a pure number with '.' or an exponent, -1 when only
// a prefix with '.' or an exponent is numeric, and 0 otherwise (leading and trailing whitespace
// is allowed in a pure number).
int AtoF(std::string_view text, double* result);

// sqlite3Atoi64: parses the integer prefix of `text` into *result, clamped to the int64 range.
// Returns -1 when there are no digits, 0 when the whole text is an int64, 1 when non-space text
// follows, 2 when the integer overflows and 3 for exactly 9223372036854775808.
int Atoi64(std::string_view text, int64_t* result);

// sqlite3RealSameAsInt: true when `r` is exactly the small integer `i` (or zero).
bool RealSameAsInt(double r, int64_t i);

// doubleToInt64: truncates `r` toward zero, saturating at the int64 range (NaN gives 0).
int64_t RealToInt64(double r);

// SQLite's rendering of a REAL as text ("%!.15g"): 15 significant digits, always a '.' or an
// exponent, e.g. "1.5", "100.0", "1.0e+20", "Inf".
std::string RealToText(double r);

// SQLite's printf("%.*f", precision, r), as round() uses it.
std::string FormatFixed(double r, int precision);

}  // namespace zload::sqlite_number
