#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/row.h"
#include "engine/value.h"

namespace zload {

// SQLite's affinity of an expression, which decides how operands convert before a comparison:
// a column reference has its declared type's affinity (INTEGER -> kInteger, REAL -> kReal,
// TEXT -> kText, BOOLEAN and TIMESTAMP -> kNumeric), CAST(x AS t) has t's, all else kNone.
enum class Affinity : uint8_t { kNone, kText, kNumeric, kInteger, kReal };

// A scalar expression over one input row, evaluated with SQLite's semantics: NULL propagates,
// integer arithmetic stays integer (division truncates; x/0 and x%0 are NULL), comparisons yield
// INTEGER 0 or 1, text and numbers convert as SQLite converts them. Immutable and thread-safe.
class Expr {
 public:
  explicit Expr(Type type, Affinity affinity = Affinity::kNone)
      : type_(type), affinity_(affinity) {}
  virtual ~Expr() = default;

  // The value of the expression for `row`. Never throws for data-dependent conditions.
  virtual Value Eval(const Row& row) const = 0;
  // A readable rendering in SQL syntax, for plans and errors.
  virtual std::string ToString() const = 0;
  // The static result type; Type::kNull when it depends on the data.
  Type type() const { return type_; }
  // The SQLite affinity of the expression (see Affinity).
  Affinity affinity() const { return affinity_; }
  // The input column this expression passes through unchanged, when it is a bare column.
  virtual std::optional<size_t> PassedColumn() const { return std::nullopt; }

 private:
  Type type_;
  Affinity affinity_;
};

using ExprPtr = std::shared_ptr<const Expr>;

// SQLite truthiness: NULL is not true; numbers are true when non-zero; text is converted to a
// number first ('1abc' is true, 'abc' is false).
bool IsTrue(const Value& v);

// clang-format off
enum class BinaryOp {
  kAdd, kSub, kMul, kDiv, kMod,  // arithmetic
  kConcat,                       // ||
  kEq, kNe, kLt, kLe, kGt, kGe,  // comparisons
  kAnd, kOr,                     // three-valued logic
};
// clang-format on

// The SQL spelling of a binary operator, e.g. "<>" or "AND".
const char* BinaryOpSql(BinaryOp op);

enum class ScalarFunction { kLower, kUpper, kLength, kAbs, kRound };

// Column `index` of the input row, of static type `type`, rendered as `name`.
ExprPtr MakeColumn(size_t index, Type type, std::string name);
// A constant.
ExprPtr MakeLiteral(Value value);
// `lhs op rhs`.
ExprPtr MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs);
// `NOT arg`.
ExprPtr MakeNot(ExprPtr arg);
// `-arg` (unary minus).
ExprPtr MakeNegate(ExprPtr arg);
// `arg IS NULL`, or `arg IS NOT NULL` when `negated`.
ExprPtr MakeIsNull(ExprPtr arg, bool negated);
// `arg [NOT] IN (list...)`, with SQL's NULL rules.
ExprPtr MakeInList(ExprPtr arg, std::vector<ExprPtr> list, bool negated);
// `arg [NOT] BETWEEN lo AND hi`.
ExprPtr MakeBetween(ExprPtr arg, ExprPtr lo, ExprPtr hi, bool negated);
// `arg [NOT] LIKE pattern` (ASCII case-insensitive, % and _ wildcards, as SQLite).
ExprPtr MakeLike(ExprPtr arg, ExprPtr pattern, bool negated);
// `CASE [operand] WHEN w THEN t ... [ELSE e] END`; `operand` and `otherwise` may be null.
ExprPtr MakeCase(ExprPtr operand, std::vector<std::pair<ExprPtr, ExprPtr>> branches,
                 ExprPtr otherwise);
// `COALESCE(args...)`. REQUIRES: at least two arguments.
ExprPtr MakeCoalesce(std::vector<ExprPtr> args);
// `CAST(arg AS type)` with SQLite's conversion rules.
ExprPtr MakeCast(ExprPtr arg, Type type);
// A scalar function call; throws Error(kSchema) when the argument count is wrong.
ExprPtr MakeFunction(ScalarFunction fn, std::vector<ExprPtr> args);
// The function named `name` (case-insensitive), or nullopt when zload does not implement it.
std::optional<ScalarFunction> FindScalarFunction(const std::string& name);

}  // namespace zload
