#include "engine/expr_sqlite_number.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace zload::sqlite_number {
namespace {

constexpr int64_t kLargest = std::numeric_limits<int64_t>::max();
constexpr int64_t kSmallest = std::numeric_limits<int64_t>::min();

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 10 to the power e (0 <= e <= 341) in extended precision, as sqlite3Pow10 computes it.
long double Pow10(int e) {
  long double x = 10.0;
  long double r = 1.0;
  while (true) {
    if (e & 1) r *= x;
    e >>= 1;
    if (e == 0) break;
    x *= x;
  }
  return r;
}

// Compares the 19 digits at `num` with 2^63: negative, zero or positive.
int Compare2Pow63(const char* num) {
  static const char kPow63[] = "922337203685477580";
  int c = 0;
  for (int i = 0; c == 0 && i < 18; i++) c = (num[i] - kPow63[i]) * 10;
  if (c == 0) c = num[18] - '8';
  return c;
}

}  // namespace

int AtoF(std::string_view text, double* result) {
  const char* z = text.data();
  const char* end = z + text.size();
  int sign = 1;
  int64_t s = 0;
  int d = 0;
  int esign = 1;
  int e = 0;
  bool e_valid = true;
  int n_digit = 0;
  int e_type = 1;
  double r = 0.0;
  *result = 0.0;
  if (text.empty()) return 0;
  while (z < end && IsSpace(*z)) z++;
  if (z >= end) return 0;
  if (*z == '-') {
    sign = -1;
    z++;
  } else if (*z == '+') {
    z++;
  }
  while (z < end && IsDigit(*z)) {
    s = s * 10 + (*z - '0');
    z++;
    n_digit++;
    if (s >= ((kLargest - 9) / 10)) {
      while (z < end && IsDigit(*z)) {
        z++;
        d++;
      }
    }
  }
  if (z >= end) goto do_atof_calc;
  if (*z == '.') {
    z++;
    e_type++;
    while (z < end && IsDigit(*z)) {
      if (s < ((kLargest - 9) / 10)) {
        s = s * 10 + (*z - '0');
        d--;
        n_digit++;
      }
      z++;
    }
  }
  if (z >= end) goto do_atof_calc;
  if (*z == 'e' || *z == 'E') {
    z++;
    e_valid = false;
    e_type++;
    if (z >= end) goto do_atof_calc;
    if (*z == '-') {
      esign = -1;
      z++;
    } else if (*z == '+') {
      z++;
    }
    while (z < end && IsDigit(*z)) {
      e = e < 10000 ? (e * 10 + (*z - '0')) : 10000;
      z++;
      e_valid = true;
    }
  }
  while (z < end && IsSpace(*z)) z++;

do_atof_calc:
  e = (e * esign) + d;
  if (e < 0) {
    esign = -1;
    e *= -1;
  } else {
    esign = 1;
  }
  if (s == 0) {
    r = sign < 0 ? -0.0 : 0.0;
  } else {
    while (e > 0) {
      if (esign > 0) {
        if (s >= (kLargest / 10)) break;
        s *= 10;
      } else {
        if (s % 10 != 0) break;
        s /= 10;
      }
      e--;
    }
    s = sign < 0 ? -s : s;
    if (e == 0) {
      r = static_cast<double>(s);
    } else if (e > 307) {
      if (e < 342) {
        long double scale = Pow10(e - 308);
        if (esign < 0) {
          r = s / scale;
          r /= 1.0e+308;
        } else {
          r = s * scale;
          r *= 1.0e+308;
        }
      } else if (esign < 0) {
        r = 0.0 * s;
      } else {
        r = std::numeric_limits<double>::infinity() * s;
      }
    } else {
      long double scale = Pow10(e);
      r = esign < 0 ? s / scale : s * scale;
    }
  }
  *result = r;
  if (z == end && n_digit > 0 && e_valid && e_type > 0) return e_type;
  if (e_type >= 2 && (e_type == 3 || e_valid) && n_digit > 0) return -1;
  return 0;
}

int Atoi64(std::string_view text, int64_t* result) {
  const char* num = text.data();
  const char* end = num + text.size();
  uint64_t u = 0;
  bool neg = false;
  int c = 0;
  while (num < end && IsSpace(*num)) num++;
  if (num < end) {
    if (*num == '-') {
      neg = true;
      num++;
    } else if (*num == '+') {
      num++;
    }
  }
  const char* start = num;
  while (num < end && num[0] == '0') num++;
  int i = 0;
  for (; &num[i] < end && (c = num[i]) >= '0' && c <= '9'; i++) u = u * 10 + c - '0';
  if (u > static_cast<uint64_t>(kLargest)) {
    *result = neg ? kSmallest : kLargest;
  } else if (neg) {
    *result = -static_cast<int64_t>(u);
  } else {
    *result = static_cast<int64_t>(u);
  }
  int rc = 0;
  if (i == 0 && start == num) {
    rc = -1;
  } else if (&num[i] < end) {
    for (int j = i; &num[j] < end; j++) {
      if (!IsSpace(num[j])) {
        rc = 1;
        break;
      }
    }
  }
  if (i < 19) return rc;
  c = i > 19 ? 1 : Compare2Pow63(num);
  if (c < 0) return rc;
  *result = neg ? kSmallest : kLargest;
  if (c > 0) return 2;
  return neg ? rc : 3;
}

bool RealSameAsInt(double r, int64_t i) {
  double r2 = static_cast<double>(i);
  return r == 0.0 || (std::memcmp(&r, &r2, sizeof r) == 0 && i >= -2251799813685248LL &&
                      i < 2251799813685248LL);
}

int64_t RealToInt64(double r) {
  if (std::isnan(r)) return 0;
  if (r <= static_cast<double>(kSmallest)) return kSmallest;
  if (r >= static_cast<double>(kLargest)) return kLargest;
  return static_cast<int64_t>(r);
}

}  // namespace zload::sqlite_number
