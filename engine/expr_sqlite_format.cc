// SQLite 3.40's printf conversions of a double (%!.15g and %.Nf), reproduced step for step: it
// works in extended precision with its own rounding, so its digits can differ from the C
// library's and must be recomputed the same way.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "engine/expr_sqlite_number.h"

namespace zload::sqlite_number {
namespace {

constexpr double kRound[] = {5.0e-01, 5.0e-02, 5.0e-03, 5.0e-04, 5.0e-05,
                             5.0e-06, 5.0e-07, 5.0e-08, 5.0e-09, 5.0e-10};

// Returns the leading digit of *val (0.1 <= *val < 10) and shifts the next one in; after `*cnt`
// digits only zeros follow.
char NextDigit(long double* val, int* cnt) {
  if (*cnt <= 0) return '0';
  (*cnt)--;
  int digit = static_cast<int>(*val);
  long double d = digit;
  *val = (*val - d) * 10.0;
  return static_cast<char>('0' + digit);
}

enum class Form { kFloat, kExp, kGeneric };

// The etFLOAT/etEXP/etGENERIC branch of sqlite3_str_vappendf; `altform2` is the '!' flag.
std::string Format(double value, Form form, int precision, bool altform2) {
  long double real = value;
  char prefix = 0;
  if (real < 0.0) {
    real = -real;
    prefix = '-';
  }
  if (form == Form::kGeneric && precision > 0) precision--;
  int idx = precision & 0xfff;
  double rounder = kRound[idx % 10];
  while (idx >= 10) {
    rounder *= 1.0e-10;
    idx -= 10;
  }
  if (form == Form::kFloat) {
    double rx = static_cast<double>(real);
    uint64_t u;
    std::memcpy(&u, &rx, sizeof u);
    int ex = -1023 + static_cast<int>((u >> 52) & 0x7ff);
    if (precision + (ex / 3) < 15) rounder += real * 3e-16;
    real += rounder;
  }
  int exp = 0;
  if (std::isnan(static_cast<double>(real))) return "NaN";
  if (real > 0.0) {
    long double scale = 1.0;
    while (real >= 1e100 * scale && exp <= 350) {
      scale *= 1e100;
      exp += 100;
    }
    while (real >= 1e10 * scale && exp <= 350) {
      scale *= 1e10;
      exp += 10;
    }
    while (real >= 10.0 * scale && exp <= 350) {
      scale *= 10.0;
      exp++;
    }
    real /= scale;
    while (real < 1e-8) {
      real *= 1e8;
      exp -= 8;
    }
    while (real < 1.0) {
      real *= 10.0;
      exp--;
    }
    if (exp > 350) return prefix ? std::string("-Inf") : std::string("Inf");
  }
  if (form != Form::kFloat) {
    real += rounder;
    if (real >= 10.0) {
      real *= 0.1;
      exp++;
    }
  }
  bool strip_zeros = altform2;
  if (form == Form::kGeneric) {
    strip_zeros = true;
    if (exp < -4 || exp > precision) {
      form = Form::kExp;
    } else {
      precision = precision - exp;
      form = Form::kFloat;
    }
  }
  int e2 = form == Form::kExp ? 0 : exp;
  int significant = 16 + (altform2 ? 10 : 0);
  bool point = precision > 0 || altform2;
  std::string out;
  out.reserve(32);
  if (prefix) out += prefix;
  if (e2 < 0) {
    out += '0';
  } else {
    for (; e2 >= 0; e2--) out += NextDigit(&real, &significant);
  }
  if (point) out += '.';
  for (e2++; e2 < 0; precision--, e2++) out += '0';
  while ((precision--) > 0) out += NextDigit(&real, &significant);
  if (strip_zeros && point) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') {
      if (altform2) {
        out += '0';
      } else {
        out.pop_back();
      }
    }
  }
  if (form == Form::kExp) {
    out += 'e';
    if (exp < 0) {
      out += '-';
      exp = -exp;
    } else {
      out += '+';
    }
    if (exp >= 100) {
      out += static_cast<char>('0' + exp / 100);
      exp %= 100;
    }
    out += static_cast<char>('0' + exp / 10);
    out += static_cast<char>('0' + exp % 10);
  }
  return out;
}

}  // namespace

std::string RealToText(double r) { return Format(r, Form::kGeneric, 15, true); }

std::string FormatFixed(double r, int precision) {
  return Format(r, Form::kFloat, precision, false);
}

}  // namespace zload::sqlite_number
