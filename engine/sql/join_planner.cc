#include "engine/sql/join_planner.h"

#include <algorithm>

#include "engine/ops/join.h"
#include "engine/ops/left_join.h"
#include "engine/sql/ast_printer.h"
#include "engine/sql/bind_contexts.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

std::optional<Type> JoinKeyType(Type left, Type right) {
  auto numeric = [](Type t) {
    return t == Type::kInteger || t == Type::kReal || t == Type::kBoolean || t == Type::kTimestamp;
  };
  if (left == right && left != Type::kNull) return left;
  if (numeric(left) && numeric(right)) {
    return (left == Type::kReal || right == Type::kReal) ? Type::kReal : Type::kInteger;
  }
  return std::nullopt;
}

namespace {

void Conjuncts(const AstExpr* e, std::vector<const AstExpr*>& out) {
  if (e == nullptr) return;
  if (e->kind == AstKind::kBinary && e->binary_op == BinaryOp::kAnd) {
    Conjuncts(e->args[0].get(), out);
    Conjuncts(e->args[1].get(), out);
  } else {
    out.push_back(e);
  }
}

// `b` compared as `type`: a cast when its static type differs.
Bound AsKeyType(Bound b, Type type) {
  if (b.expr->type() != type) b.expr = MakeCast(b.expr, type);
  return b;
}

// The positions of the key columns of `node` for `keys`, appending a column for each key that
// is not a plain column of the same type.
std::vector<size_t> KeyColumns(PlanBuilder& builder, PlanNode& node, const std::vector<Bound>& keys,
                               const std::vector<std::optional<size_t>>& plain) {
  std::vector<size_t> columns;
  std::vector<Bound> extra;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (plain[i]) {
      columns.push_back(*plain[i]);
    } else {
      columns.push_back(node.schema.size() + extra.size());
      extra.push_back(keys[i]);
    }
  }
  if (!extra.empty()) node = builder.AppendColumns(node, extra);
  return columns;
}

// The row position of `key` when it is a plain column reference already of type `type`.
std::optional<size_t> PlainColumn(const AstExpr& key, const Scope& scope, const Bound& bound,
                                  Type type) {
  if (key.kind != AstKind::kColumn || bound.expr->type() != type) return std::nullopt;
  return scope.Resolve(key).index;
}

class JoinPlanner {
 public:
  JoinPlanner(const RelationCatalog& catalog, PlanBuilder& builder, const ExprBinder& binder,
              const ColumnUse* use)
      : catalog_(catalog), builder_(builder), binder_(binder), use_(use) {}

  // The relation of `item`: with `use_`, narrowed to the columns the statement may read, so that
  // joins carry, and their states keep, only those.
  Relation Find(const FromItem& item) {
    std::optional<Relation> rel = catalog_.Find(item.relation);
    if (!rel) {
      ThrowAt(ErrorCode::kSchema, "no such table: " + item.relation, binder_.file(), item.pos);
    }
    if (use_ == nullptr) return *rel;
    const std::string& name = item.alias.empty() ? item.relation : item.alias;
    std::vector<Bound> kept;
    std::vector<std::string> names;
    for (size_t i = 0; i < rel->schema.size(); ++i) {
      const Column& c = rel->schema[i];
      if (!use_->Reads(name, c.name)) continue;
      kept.push_back({MakeColumn(i, c.type, c.name), c.nullable});
      names.push_back(c.name);
    }
    if (kept.size() == rel->schema.size()) return *rel;
    PlanNode narrowed = builder_.Map(PlanNode{rel->vertex, rel->schema}, kept, names);
    return Relation{rel->name, narrowed.vertex, narrowed.schema};
  }

  void Join(FromPlan& plan, const FromItem& item) {
    Relation rel = Find(item);
    const bool left_join = item.join == JoinKind::kLeft;
    ScopeItem right_item{item.alias.empty() ? item.relation : item.alias, rel.schema, 0, left_join};
    Scope full = plan.scope;
    full.Add(right_item);
    Scope right_scope(binder_.file());
    right_scope.Add(right_item);
    const size_t r = plan.scope.size();
    InputContext full_ctx(full, binder_, "ON");
    InputContext left_ctx(plan.scope, binder_, "ON");
    InputContext right_ctx(right_scope, binder_, "ON");

    std::vector<const AstExpr*> conjuncts;
    Conjuncts(item.on.get(), conjuncts);
    std::vector<ExprPtr> right_filters;
    std::vector<const AstExpr*> after;
    std::vector<Bound> left_keys, right_keys;
    std::vector<std::optional<size_t>> left_plain, right_plain;
    for (const AstExpr* c : conjuncts) {
      std::set<size_t> refs = full_ctx.ReferencedItems(*c);
      if (std::all_of(refs.begin(), refs.end(), [&](size_t i) { return i == r; })) {
        right_filters.push_back(right_ctx.Bind(*c).expr);
        continue;
      }
      if (c->kind == AstKind::kBinary && c->binary_op == BinaryOp::kEq) {
        std::set<size_t> a = full_ctx.ReferencedItems(*c->args[0]);
        std::set<size_t> b = full_ctx.ReferencedItems(*c->args[1]);
        const AstExpr* lhs = nullptr;
        const AstExpr* rhs = nullptr;
        if (b == std::set<size_t>{r} && !a.empty() && !a.count(r)) {
          lhs = c->args[0].get(), rhs = c->args[1].get();
        } else if (a == std::set<size_t>{r} && !b.empty() && !b.count(r)) {
          lhs = c->args[1].get(), rhs = c->args[0].get();
        }
        if (lhs != nullptr) {
          Bound lk = left_ctx.Bind(*lhs);
          Bound rk = right_ctx.Bind(*rhs);
          if (std::optional<Type> type = JoinKeyType(lk.expr->type(), rk.expr->type())) {
            left_plain.push_back(PlainColumn(*lhs, plan.scope, lk, *type));
            right_plain.push_back(PlainColumn(*rhs, right_scope, rk, *type));
            left_keys.push_back(AsKeyType(lk, *type));
            right_keys.push_back(AsKeyType(rk, *type));
            continue;
          }
        }
      }
      if (left_join) {
        ThrowAt(ErrorCode::kUnsupported,
                "LEFT JOIN condition " + ToCanonicalSql(*c) +
                    " (not an equality of comparable columns between the joined sides, nor a "
                    "condition on the right table alone) is not supported",
                binder_.file(), c->pos);
      }
      after.push_back(c);
    }

    PlanNode right{rel.vertex, rel.schema};
    if (!right_filters.empty()) right = builder_.Filter(right, AndAll(right_filters));
    if (left_keys.empty()) {
      Bound constant{MakeLiteral(Value::Integer(0)), false};
      left_keys.push_back(constant);
      right_keys.push_back(constant);
      left_plain.push_back(std::nullopt);
      right_plain.push_back(std::nullopt);
    }
    std::vector<size_t> lcols = KeyColumns(builder_, plan.node, left_keys, left_plain);
    std::vector<size_t> rcols = KeyColumns(builder_, right, right_keys, right_plain);
    const size_t lw = plan.node.schema.size();
    const size_t rw = right.schema.size();
    Schema joined = plan.node.schema;
    for (Column c : right.schema.columns()) {
      if (left_join) c.nullable = true;
      joined.Add(std::move(c));
    }
    std::unique_ptr<Operator> op;
    if (left_join) {
      op = std::make_unique<LeftJoinOp>(lw, lcols, rw, rcols);
    } else {
      op = std::make_unique<JoinOp>(lw, lcols, rw, rcols);
    }
    plan.node = builder_.Add(left_join ? "left_join" : "join", std::move(op),
                             {plan.node.vertex, right.vertex}, std::move(joined));
    right_item.offset = lw;
    plan.scope.Add(right_item);
    if (!after.empty()) {
      InputContext ctx(plan.scope, binder_, "ON");
      std::vector<ExprPtr> terms;
      for (const AstExpr* c : after) terms.push_back(ctx.Bind(*c).expr);
      plan.node = builder_.Filter(plan.node, AndAll(terms));
    }
  }

 private:
  const RelationCatalog& catalog_;
  PlanBuilder& builder_;
  const ExprBinder& binder_;
  const ColumnUse* use_;
};

}  // namespace

FromPlan PlanFrom(const std::vector<FromItem>& from, const RelationCatalog& catalog,
                  PlanBuilder& builder, const ExprBinder& binder, const ColumnUse& use) {
  // One relation alone is read as it is: its rows go to no join.
  JoinPlanner planner(catalog, builder, binder, from.size() > 1 ? &use : nullptr);
  const FromItem& first = from.at(0);
  Relation rel = planner.Find(first);
  FromPlan plan{PlanNode{rel.vertex, rel.schema}, Scope(binder.file())};
  plan.scope.Add({first.alias.empty() ? first.relation : first.alias, rel.schema, 0, false});
  for (size_t i = 1; i < from.size(); ++i) planner.Join(plan, from[i]);
  return plan;
}

}  // namespace zload::sql
