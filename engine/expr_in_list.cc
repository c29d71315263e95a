// x [NOT] IN (list): every element is compared with x under x's own affinity only, as SQLite
// does for a list (exprINAffinity in expr.c); NULL when no element matches but one was NULL.
#include "engine/expr_compare.h"
#include "engine/expr_node.h"

namespace zload {
namespace expr_internal {
namespace {

class InListExpr final : public Expr {
 public:
  InListExpr(ExprPtr arg, std::vector<ExprPtr> list, bool negated)
      : Expr(Type::kInteger), affinity_(arg->affinity()), negated_(negated), arg_(std::move(arg)) {
    list_.reserve(list.size());
    for (ExprPtr& e : list) list_.emplace_back(std::move(e));
  }

  Value Eval(const Row& row) const override {
    // SQLite folds x IN () to a constant, even for a NULL x.
    if (list_.empty()) return Value::Integer(negated_ ? 1 : 0);
    Value sx, se;
    const Value& x = arg_.Get(row, sx);
    if (x.is_null()) return Value();
    bool saw_null = false;
    for (const Operand& element : list_) {
      std::optional<int> cmp = CompareUnder(x, element.Get(row, se), affinity_);
      if (!cmp) {
        saw_null = true;
      } else if (*cmp == 0) {
        return Value::Integer(negated_ ? 0 : 1);
      }
    }
    if (saw_null) return Value();
    return Value::Integer(negated_ ? 1 : 0);
  }

  std::string ToString() const override {
    std::string out = "(" + arg_.ToString() + (negated_ ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < list_.size(); i++) {
      if (i > 0) out += ", ";
      out += list_[i].ToString();
    }
    return out + "))";
  }

 private:
  Affinity affinity_;
  bool negated_;
  Operand arg_;
  std::vector<Operand> list_;
};

}  // namespace
}  // namespace expr_internal

ExprPtr MakeInList(ExprPtr arg, std::vector<ExprPtr> list, bool negated) {
  expr_internal::RequireExpr(arg, "IN");
  for (const ExprPtr& e : list) expr_internal::RequireExpr(e, "IN list");
  return std::make_shared<expr_internal::InListExpr>(std::move(arg), std::move(list), negated);
}

}  // namespace zload
