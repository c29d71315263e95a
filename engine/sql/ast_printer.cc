#include "engine/sql/ast_printer.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

#include "engine/sql/lexer.h"
#include "engine/sql/parser.h"

namespace zload::sql {

namespace {

std::string QuoteName(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') plain = false;
  }
  if (plain && !IsReservedWord(name)) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string LiteralSql(const Value& v) {
  switch (v.type()) {
    case Type::kNull:
      return "NULL";
    case Type::kInteger:
      return std::to_string(v.as_integer());
    case Type::kReal: {
      double d = v.as_real();
      if (std::isinf(d)) return d > 0 ? "1e999" : "-1e999";
      std::string s = fmt::format("{}", d);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case Type::kText: {
      std::string out = "'";
      for (char c : v.as_text()) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
    default:
      return v.ToString();
  }
}

std::string Join(const std::vector<AstPtr>& args, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += ", ";
    out += ToCanonicalSql(*args[i]);
  }
  return out;
}

}  // namespace

std::string ToCanonicalSql(const AstExpr& e) {
  const char* neg = e.negated ? "NOT " : "";
  switch (e.kind) {
    case AstKind::kColumn:
      return e.table.empty() ? QuoteName(e.name) : QuoteName(e.table) + "." + QuoteName(e.name);
    case AstKind::kLiteral:
      return LiteralSql(e.literal);
    case AstKind::kUnary: {
      const char* op = e.unary_op == UnaryOp::kNot      ? "NOT "
                       : e.unary_op == UnaryOp::kNegate ? "-"
                                                        : "+";
      return fmt::format("({}{})", op, ToCanonicalSql(*e.args[0]));
    }
    case AstKind::kBinary:
      return fmt::format("({} {} {})", ToCanonicalSql(*e.args[0]), BinaryOpSql(e.binary_op),
                         ToCanonicalSql(*e.args[1]));
    case AstKind::kIsNull:
      return fmt::format("({} IS {}NULL)", ToCanonicalSql(*e.args[0]), neg);
    case AstKind::kInList:
      return fmt::format("({} {}IN ({}))", ToCanonicalSql(*e.args[0]), neg,
                         Join(e.args, 1, e.args.size()));
    case AstKind::kBetween:
      return fmt::format("({} {}BETWEEN {} AND {})", ToCanonicalSql(*e.args[0]), neg,
                         ToCanonicalSql(*e.args[1]), ToCanonicalSql(*e.args[2]));
    case AstKind::kLike:
      return fmt::format("({} {}LIKE {})", ToCanonicalSql(*e.args[0]), neg,
                         ToCanonicalSql(*e.args[1]));
    case AstKind::kCase: {
      std::string out = "CASE";
      size_t i = 0;
      if (e.has_operand) out += " " + ToCanonicalSql(*e.args[i++]);
      size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i < whens_end; i += 2) {
        out += " WHEN " + ToCanonicalSql(*e.args[i]) + " THEN " + ToCanonicalSql(*e.args[i + 1]);
      }
      if (e.has_else) out += " ELSE " + ToCanonicalSql(*e.args.back());
      return out + " END";
    }
    case AstKind::kCall: {
      std::string args = e.star ? "*" : Join(e.args, 0, e.args.size());
      return fmt::format("{}({}{})", ToUpperAscii(e.name), e.distinct ? "DISTINCT " : "", args);
    }
    case AstKind::kCast:
      return fmt::format("CAST({} AS {})", ToCanonicalSql(*e.args[0]), e.cast_type_name);
  }
  return "?";
}

std::string ToCanonicalSql(const SelectStmt& stmt) {
  std::string out = stmt.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < stmt.items.size(); ++i) {
    const SelectItem& item = stmt.items[i];
    if (i > 0) out += ", ";
    switch (item.kind) {
      case SelectItem::Kind::kStar:
        out += "*";
        break;
      case SelectItem::Kind::kTableStar:
        out += QuoteName(item.table) + ".*";
        break;
      case SelectItem::Kind::kExpr:
        out += ToCanonicalSql(*item.expr);
        if (!item.alias.empty()) out += " AS " + QuoteName(item.alias);
        break;
    }
  }
  for (const FromItem& from : stmt.from) {
    switch (from.join) {
      case JoinKind::kFirst:
        out += " FROM ";
        break;
      case JoinKind::kInner:
        out += " INNER JOIN ";
        break;
      case JoinKind::kLeft:
        out += " LEFT JOIN ";
        break;
    }
    out += QuoteName(from.relation);
    if (!from.alias.empty()) out += " AS " + QuoteName(from.alias);
    if (from.on) out += " ON " + ToCanonicalSql(*from.on);
  }
  if (stmt.where) out += " WHERE " + ToCanonicalSql(*stmt.where);
  if (!stmt.group_by.empty()) out += " GROUP BY " + Join(stmt.group_by, 0, stmt.group_by.size());
  if (stmt.having) out += " HAVING " + ToCanonicalSql(*stmt.having);
  return out;
}

}  // namespace zload::sql
