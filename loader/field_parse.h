#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/value.h"

namespace zload {

// Text-to-value conversion for one input field. Every function is strict (no surrounding spaces, no
// trailing garbage), allocation-free unless it produces TEXT, and reports failure through its
// return value, never by throwing.

// Parses a base-10 int64 with an optional '+' or '-' sign. False on anything else, including
// overflow.
bool ParseInteger(std::string_view text, int64_t& out);

// Parses a finite decimal or exponent number ("1", "-1.5", "2e3", ".5", "+3"). "inf", "nan",
// hexadecimal and out-of-range magnitudes (beyond double, or nonzero values too small to represent)
// are rejected: they are almost always data errors in a load.
bool ParseReal(std::string_view text, double& out);

// Parses true/false/t/f/1/0/yes/no/y/n, ASCII case-insensitive.
bool ParseBoolean(std::string_view text, bool& out);

// Parses ISO 8601 "YYYY-MM-DD", or that date followed by ' ' or 'T' and "HH:MM:SS" with an optional
// fraction of 1 to 6 digits, then an optional "Z", "+HH:MM" or "-HH:MM" (a time without zone is
// UTC). Calendar ranges are checked (month days, leap years; seconds 00-59). `micros` is
// microseconds since 1970-01-01T00:00:00Z.
bool ParseTimestamp(std::string_view text, int64_t& micros);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points beyond
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Converts `text` to a value of `type` (INTEGER, REAL, TEXT, BOOLEAN or TIMESTAMP) in `out`. Never
// yields NULL: callers decide what text means NULL. On failure returns false, leaves `out`
// unspecified and sets `error` to a message quoting the text, e.g. "not an INTEGER: '12x'".
bool ParseField(std::string_view text, Type type, Value& out, std::string& error);

// Renders `text` for an error message: cut after `max_chars` characters with "...", bytes that are
// not printable UTF-8 written as \xNN.
std::string EscapeForMessage(std::string_view text, size_t max_chars);

// EscapeForMessage(text, 60) in single quotes.
std::string QuoteForMessage(std::string_view text);

}  // namespace zload
