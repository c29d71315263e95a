// x [NOT] LIKE pattern: SQLite's likeFunc and patternCompare (func.c) without ESCAPE: '%' matches
// any run of characters, '_' one UTF-8 character, ASCII letters match either case.
#include <cstring>

#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

enum Match { kMatch = 0, kNoMatch = 1, kNoWildcardMatch = 2 };

unsigned char ToLower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
unsigned char ToUpper(unsigned char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

// sqlite3Utf8Read: the next code point of a NUL-terminated string, advancing *z.
uint32_t Utf8Read(const unsigned char** z) {
  static const unsigned char kTrans1[] = {
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
      0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
      0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
      0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x00, 0x01, 0x02, 0x03,
      0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
  };
  uint32_t c = *((*z)++);
  if (c < 0x80) return c;
  if (c >= 0xc0) {
    c = kTrans1[c - 0xc0];
    while ((**z & 0xc0) == 0x80) c = (c << 6) + (0x3f & *((*z)++));
    if (c < 0x80 || (c & 0xFFFFF800) == 0xD800 || (c & 0xFFFFFFFE) == 0xFFFE) c = 0xFFFD;
  }
  return c;
}

int PatternCompare(const unsigned char* pattern, const unsigned char* str) {
  uint32_t c, c2;
  while ((c = Utf8Read(&pattern)) != 0) {
    if (c == '%') {
      while ((c = Utf8Read(&pattern)) == '%' || c == '_') {
        if (c == '_' && Utf8Read(&str) == 0) return kNoWildcardMatch;
      }
      if (c == 0) return kMatch;
      if (c < 0x80) {
        char stop[3] = {static_cast<char>(ToUpper(c)), static_cast<char>(ToLower(c)), 0};
        while (true) {
          str += std::strcspn(reinterpret_cast<const char*>(str), stop);
          if (str[0] == 0) break;
          str++;
          int match = PatternCompare(pattern, str);
          if (match != kNoMatch) return match;
        }
      } else {
        while ((c2 = Utf8Read(&str)) != 0) {
          if (c2 != c) continue;
          int match = PatternCompare(pattern, str);
          if (match != kNoMatch) return match;
        }
      }
      return kNoWildcardMatch;
    }
    c2 = Utf8Read(&str);
    if (c == c2) continue;
    if (c < 0x80 && c2 < 0x80 && ToLower(c) == ToLower(c2)) continue;
    if (c == '_' && c2 != 0) continue;
    return kNoMatch;
  }
  return *str == 0 ? kMatch : kNoMatch;
}

const unsigned char* Bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.c_str());
}

class LikeExpr final : public Expr {
 public:
  LikeExpr(ExprPtr arg, ExprPtr pattern, bool negated)
      : Expr(Type::kInteger),
        negated_(negated),
        arg_(std::move(arg)),
        pattern_(std::move(pattern)) {}

  Value Eval(const Row& row) const override {
    Value sa, sp;
    const Value& a = arg_.Get(row, sa);
    if (a.is_null()) return Value();
    const Value& p = pattern_.Get(row, sp);
    if (p.is_null()) return Value();
    bool match;
    if (a.type() == Type::kText && p.type() == Type::kText) {
      match = PatternCompare(Bytes(p.as_text()), Bytes(a.as_text())) == kMatch;
    } else {
      match = PatternCompare(Bytes(TextOf(p)), Bytes(TextOf(a))) == kMatch;
    }
    return Value::Integer(match != negated_ ? 1 : 0);
  }

  std::string ToString() const override {
    return "(" + arg_.ToString() + (negated_ ? " NOT LIKE " : " LIKE ") + pattern_.ToString() + ")";
  }

 private:
  bool negated_;
  Operand arg_, pattern_;
};

}  // namespace
}  // namespace expr_internal

ExprPtr MakeLike(ExprPtr arg, ExprPtr pattern, bool negated) {
  expr_internal::RequireExpr(arg, "LIKE");
  expr_internal::RequireExpr(pattern, "LIKE");
  return std::make_shared<expr_internal::LikeExpr>(std::move(arg), std::move(pattern), negated);
}

}  // namespace zload
