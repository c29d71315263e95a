#include "engine/sql/expr_binder.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "engine/sql/ast_printer.h"
#include "engine/sql/lexer.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

std::optional<AggregateKind> AggregateCallKind(const AstExpr& e) {
  if (e.kind != AstKind::kCall) return std::nullopt;
  std::string name = ToUpperAscii(e.name);
  if (name == "COUNT") return e.star ? AggregateKind::kCountStar : AggregateKind::kCount;
  if (name == "SUM") return AggregateKind::kSum;
  if (name == "AVG") return AggregateKind::kAvg;
  if (name == "MIN" && e.args.size() == 1) return AggregateKind::kMin;
  if (name == "MAX" && e.args.size() == 1) return AggregateKind::kMax;
  return std::nullopt;
}

namespace {

bool AnyNullable(const std::vector<Bound>& parts) {
  for (const Bound& b : parts) {
    if (b.nullable) return true;
  }
  return false;
}

// Whether `lhs op rhs` is NULL only when an operand is NULL. Division and modulo are NULL for a
// zero divisor; other arithmetic of a REAL (or any not integral) operand is NULL where it makes
// NaN (infinity less infinity, zero times infinity), as in SQLite. Integers that overflow turn
// REAL and stay finite short of a product of 17 or more 64-bit factors, taken as never.
bool NullOnlyFromOperands(BinaryOp op, const Bound& lhs, const Bound& rhs) {
  auto integral = [](const Bound& b) {
    return b.expr->type() == Type::kInteger || b.expr->type() == Type::kBoolean;
  };
  switch (op) {
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
      return false;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
      return integral(lhs) && integral(rhs);
    default:
      return true;
  }
}

}  // namespace

std::vector<Bound> ExprBinder::BindAll(const AstExpr& e, size_t from, BindContext& context) const {
  std::vector<Bound> out;
  for (size_t i = from; i < e.args.size(); ++i) out.push_back(Bind(*e.args[i], context));
  return out;
}

Bound ExprBinder::Bind(const AstExpr& e, BindContext& context) const {
  if (std::optional<Bound> replaced = context.Intercept(e)) return *replaced;
  switch (e.kind) {
    case AstKind::kColumn:
      return context.Column(e);
    case AstKind::kLiteral:
      return {MakeLiteral(e.literal), e.literal.is_null()};
    case AstKind::kUnary: {
      Bound arg = Bind(*e.args[0], context);
      switch (e.unary_op) {
        case UnaryOp::kPlus:
          return arg;
        case UnaryOp::kNegate:
          return {MakeNegate(arg.expr), arg.nullable};
        case UnaryOp::kNot:
          return {MakeNot(arg.expr), arg.nullable};
      }
      break;
    }
    case AstKind::kBinary: {
      Bound lhs = Bind(*e.args[0], context);
      Bound rhs = Bind(*e.args[1], context);
      bool nullable = lhs.nullable || rhs.nullable || !NullOnlyFromOperands(e.binary_op, lhs, rhs);
      return {MakeBinary(e.binary_op, lhs.expr, rhs.expr), nullable};
    }
    case AstKind::kIsNull:
      return {MakeIsNull(Bind(*e.args[0], context).expr, e.negated), false};
    case AstKind::kInList: {
      std::vector<Bound> parts = BindAll(e, 0, context);
      std::vector<ExprPtr> list;
      for (size_t i = 1; i < parts.size(); ++i) list.push_back(parts[i].expr);
      return {MakeInList(parts[0].expr, std::move(list), e.negated), AnyNullable(parts)};
    }
    case AstKind::kBetween: {
      std::vector<Bound> parts = BindAll(e, 0, context);
      return {MakeBetween(parts[0].expr, parts[1].expr, parts[2].expr, e.negated),
              AnyNullable(parts)};
    }
    case AstKind::kLike: {
      std::vector<Bound> parts = BindAll(e, 0, context);
      return {MakeLike(parts[0].expr, parts[1].expr, e.negated), AnyNullable(parts)};
    }
    case AstKind::kCase: {
      std::vector<Bound> parts = BindAll(e, 0, context);
      size_t i = 0;
      ExprPtr operand = e.has_operand ? parts[i++].expr : nullptr;
      size_t whens_end = parts.size() - (e.has_else ? 1 : 0);
      std::vector<std::pair<ExprPtr, ExprPtr>> branches;
      bool nullable = !e.has_else;
      for (; i < whens_end; i += 2) {
        branches.emplace_back(parts[i].expr, parts[i + 1].expr);
        nullable = nullable || parts[i + 1].nullable;
      }
      ExprPtr otherwise = e.has_else ? parts.back().expr : nullptr;
      if (e.has_else) nullable = nullable || parts.back().nullable;
      return {MakeCase(operand, std::move(branches), otherwise), nullable};
    }
    case AstKind::kCall:
      if (AggregateCallKind(e)) return context.Aggregate(e);
      return BindCall(e, context);
    case AstKind::kCast: {
      Bound arg = Bind(*e.args[0], context);
      return {MakeCast(arg.expr, e.cast_type), arg.nullable};
    }
  }
  ThrowAt(ErrorCode::kInternal, "unknown expression kind", file_, e.pos);
}

Bound ExprBinder::BindCall(const AstExpr& e, BindContext& context) const {
  std::string name = ToLowerAscii(e.name);
  if (e.star || e.distinct) {
    ThrowAt(ErrorCode::kSchema,
            fmt::format("{}({}) is not an aggregate function", e.name, e.star ? "*" : "DISTINCT"),
            file_, e.pos);
  }
  if (name == "coalesce" || name == "ifnull") {
    if (e.args.size() < 2 || (name == "ifnull" && e.args.size() != 2)) {
      ThrowAt(ErrorCode::kSchema, "wrong number of arguments to function " + e.name + "()", file_,
              e.pos);
    }
    std::vector<Bound> parts = BindAll(e, 0, context);
    bool nullable = true;
    std::vector<ExprPtr> args;
    for (const Bound& b : parts) {
      nullable = nullable && b.nullable;
      args.push_back(b.expr);
    }
    return {MakeCoalesce(std::move(args)), nullable};
  }
  std::optional<ScalarFunction> fn = FindScalarFunction(name);
  if (!fn) {
    std::string what = (name == "min" || name == "max")
                           ? fmt::format("{}() with {} arguments", e.name, e.args.size())
                           : "the function " + e.name + "()";
    ThrowAt(ErrorCode::kUnsupported, what + " is not supported", file_, e.pos);
  }
  std::vector<Bound> parts = BindAll(e, 0, context);
  std::vector<ExprPtr> args;
  for (const Bound& b : parts) args.push_back(b.expr);
  try {
    return {MakeFunction(*fn, std::move(args)), AnyNullable(parts)};
  } catch (const Error& error) {
    ThrowAt(error.code(), error.message(), file_, e.pos);
  }
}

std::string ExprKey(const AstExpr& e,
                    const std::function<std::string(const AstExpr&)>& column_key) {
  if (e.kind == AstKind::kColumn) return column_key(e);
  if (e.kind == AstKind::kLiteral) {
    return fmt::format("lit:{}:{}", static_cast<int>(e.literal.type()), e.literal.ToString());
  }
  std::string out =
      fmt::format("({}:{}:{}:{}:{}:{}:{}:{}:{}:{}", static_cast<int>(e.kind), ToUpperAscii(e.name),
                  static_cast<int>(e.unary_op), static_cast<int>(e.binary_op), e.negated, e.star,
                  e.distinct, e.has_operand, e.has_else, static_cast<int>(e.cast_type));
  for (const AstPtr& arg : e.args) out += " " + ExprKey(*arg, column_key);
  return out + ")";
}

void ForEachAggregate(const AstExpr& e, const std::function<void(const AstExpr&)>& visit) {
  if (AggregateCallKind(e)) {
    visit(e);
    return;
  }
  for (const AstPtr& arg : e.args) ForEachAggregate(*arg, visit);
}

}  // namespace zload::sql
