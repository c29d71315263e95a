// CASE and COALESCE: they pass the chosen branch's value through unchanged.
#include "engine/error.h"
#include "engine/expr_compare.h"
#include "engine/expr_convert.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

// The type shared by all `results` that are not the NULL literal, else kNull.
Type CommonType(const std::vector<const Expr*>& results) {
  bool any = false;
  Type common = Type::kNull;
  for (const Expr* e : results) {
    if (IsNullLiteral(*e)) continue;
    if (any && e->type() != common) return Type::kNull;
    common = e->type();
    any = true;
  }
  return common;
}

struct Branch {
  Operand when;
  ExprPtr then;
  Affinity affinity;  // of operand = when; unused without an operand
};

class CaseExpr final : public Expr {
 public:
  CaseExpr(Type type, ExprPtr operand, std::vector<Branch> branches, ExprPtr otherwise)
      : Expr(type),
        operand_(operand ? std::make_optional<Operand>(std::move(operand)) : std::nullopt),
        branches_(std::move(branches)),
        otherwise_(std::move(otherwise)) {}

  Value Eval(const Row& row) const override {
    Value so, sw;
    if (operand_) {
      // CASE x WHEN w compares x = w; NULL never matches.
      const Value& x = operand_->Get(row, so);
      for (const Branch& b : branches_) {
        std::optional<int> cmp = CompareUnder(x, b.when.Get(row, sw), b.affinity);
        if (cmp && *cmp == 0) return b.then->Eval(row);
      }
    } else {
      for (const Branch& b : branches_) {
        if (IsTrue(b.when.Get(row, sw))) return b.then->Eval(row);
      }
    }
    return otherwise_ ? otherwise_->Eval(row) : Value();
  }

  std::string ToString() const override {
    std::string out = "CASE";
    if (operand_) out += " " + operand_->ToString();
    for (const Branch& b : branches_) {
      out += " WHEN " + b.when.ToString() + " THEN " + b.then->ToString();
    }
    if (otherwise_) out += " ELSE " + otherwise_->ToString();
    return out + " END";
  }

 private:
  std::optional<Operand> operand_;
  std::vector<Branch> branches_;
  ExprPtr otherwise_;
};

class CoalesceExpr final : public Expr {
 public:
  CoalesceExpr(Type type, std::vector<ExprPtr> args) : Expr(type), args_(std::move(args)) {}

  Value Eval(const Row& row) const override {
    for (size_t i = 0; i + 1 < args_.size(); i++) {
      Value v = args_[i]->Eval(row);
      if (!v.is_null()) return v;
    }
    return args_.back()->Eval(row);
  }

  std::string ToString() const override {
    std::string out = "coalesce(";
    for (size_t i = 0; i < args_.size(); i++) {
      if (i > 0) out += ", ";
      out += args_[i]->ToString();
    }
    return out + ")";
  }

 private:
  std::vector<ExprPtr> args_;
};

}  // namespace
}  // namespace expr_internal

ExprPtr MakeCase(ExprPtr operand, std::vector<std::pair<ExprPtr, ExprPtr>> branches,
                 ExprPtr otherwise) {
  using namespace expr_internal;
  if (branches.empty()) throw Error(ErrorCode::kInternal, "CASE without WHEN");
  std::vector<const Expr*> results;
  std::vector<Branch> built;
  for (auto& [when, then] : branches) {
    RequireExpr(when, "CASE WHEN");
    RequireExpr(then, "CASE THEN");
    results.push_back(then.get());
    Affinity affinity =
        operand ? ComparisonAffinity(operand->affinity(), when->affinity()) : Affinity::kNone;
    built.push_back(Branch{Operand(std::move(when)), std::move(then), affinity});
  }
  if (otherwise) results.push_back(otherwise.get());
  Type type = CommonType(results);
  return std::make_shared<CaseExpr>(type, std::move(operand), std::move(built),
                                    std::move(otherwise));
}

ExprPtr MakeCoalesce(std::vector<ExprPtr> args) {
  using namespace expr_internal;
  if (args.size() < 2) {
    throw Error(ErrorCode::kSchema, "wrong number of arguments to function coalesce()");
  }
  std::vector<const Expr*> results;
  for (const ExprPtr& e : args) {
    RequireExpr(e, "coalesce");
    results.push_back(e.get());
  }
  Type type = CommonType(results);
  return std::make_shared<CoalesceExpr>(type, std::move(args));
}

}  // namespace zload
