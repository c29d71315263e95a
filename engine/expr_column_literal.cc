#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "engine/error.h"
#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

bool IsPlainIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string Quote(const std::string& s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}

}  // namespace

ColumnExpr::ColumnExpr(size_t index, Type type, std::string name)
    : Expr(type, DeclaredAffinity(type)), index_(index), name_(std::move(name)) {}

std::string ColumnExpr::ToString() const {
  return IsPlainIdentifier(name_) ? name_ : Quote(name_, '"');
}

std::string LiteralExpr::ToString() const { return LiteralSql(value_); }

Operand::Operand(ExprPtr expr) : expr_(std::move(expr)) {
  if (auto* column = dynamic_cast<const ColumnExpr*>(expr_.get())) {
    column_ = column->index();
  } else if (auto* literal = dynamic_cast<const LiteralExpr*>(expr_.get())) {
    literal_ = &literal->value();
  }
}

bool IsNullLiteral(const Expr& e) {
  auto* literal = dynamic_cast<const LiteralExpr*>(&e);
  return literal != nullptr && literal->value().is_null();
}

std::string LiteralSql(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return "NULL";
    case Type::kBoolean:
      return v.as_boolean() ? "TRUE" : "FALSE";
    case Type::kText:
      return Quote(v.as_text(), '\'');
    case Type::kReal: {
      double d = v.as_real();
      // SQLite has no NaN: it stores NULL instead.
      if (std::isnan(d)) return "NULL";
      std::string s = std::isinf(d) ? "9e999" : fmt::format("{}", std::fabs(d));
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return std::signbit(d) ? "(-" + s + ")" : s;
    }
    default: {
      int64_t i = v.integral();
      return i < 0 ? "(" + std::to_string(i) + ")" : std::to_string(i);
    }
  }
}

void RequireExpr(const ExprPtr& e, const char* what) {
  if (e == nullptr) throw Error(ErrorCode::kInternal, fmt::format("{}: missing operand", what));
}

}  // namespace expr_internal

ExprPtr MakeColumn(size_t index, Type type, std::string name) {
  return std::make_shared<expr_internal::ColumnExpr>(index, type, std::move(name));
}

ExprPtr MakeLiteral(Value value) {
  return std::make_shared<expr_internal::LiteralExpr>(std::move(value));
}

}  // namespace zload
