#include "engine/sql/aggregate_planner.h"

#include <fmt/format.h>

#include <map>

#include "engine/ops/distinct.h"
#include "engine/ops/group_reduce.h"
#include "engine/sql/ast_printer.h"
#include "engine/sql/bind_contexts.h"
#include "engine/sql/sql_error.h"

namespace zload::sql {

bool IsAggregateQuery(const SelectStmt& stmt, const SelectList& list) {
  if (!stmt.group_by.empty() || stmt.having) return true;
  bool found = false;
  for (const OutputItem& item : list.items) {
    ForEachAggregate(*item.expr, [&](const AstExpr&) { found = true; });
  }
  return found;
}

namespace {

// One distinct aggregate call of the query.
struct PlannedAggregate {
  const AstExpr* call = nullptr;
  AggregateKind kind = AggregateKind::kCountStar;
  std::string key;      // InputContext::Key of the call
  std::string arg_key;  // of its argument; empty for COUNT(*)
  size_t arg_slot = 0;  // its argument's position among the distinct arguments
};

class AggregatePlanner {
 public:
  AggregatePlanner(const SelectStmt& stmt, const SelectList& list, const FromPlan& input,
                   PlanBuilder& builder, const ExprBinder& binder)
      : stmt_(stmt),
        list_(list),
        input_(input),
        builder_(builder),
        binder_(binder),
        group_ctx_(input.scope, binder, "GROUP BY", &list.aliases),
        arg_ctx_(input.scope, binder, "an aggregate argument", &list.aliases) {}

  PlanNode Plan() {
    std::vector<Bound> pre;  // group expressions, then aggregate arguments
    std::vector<std::string> pre_names;
    std::vector<std::string> group_keys;
    for (const AstPtr& term : stmt_.group_by) {
      const AstExpr& e = GroupTerm(*term);
      pre.push_back(group_ctx_.Bind(e));
      pre_names.push_back(ToCanonicalSql(e));
      group_keys.push_back(group_ctx_.Key(e));
    }
    const size_t groups = pre.size();
    for (const OutputItem& item : list_.items) Collect(*item.expr);
    if (stmt_.having) Collect(*stmt_.having);
    std::vector<Type> arg_types;
    for (PlannedAggregate& agg : aggregates_) {
      if (agg.kind == AggregateKind::kCountStar) continue;
      auto [it, fresh] = arg_slots_.emplace(agg.arg_key, arg_types.size());
      if (fresh) {
        Bound arg = arg_ctx_.Bind(*agg.call->args[0]);
        arg_types.push_back(arg.expr->type());
        pre.push_back(arg);
        pre_names.push_back(fmt::format("__arg{}", arg_types.size() - 1));
      }
      agg.arg_slot = it->second;
    }
    if (pre.empty()) {
      // COUNT(*) alone, without GROUP BY: group rows of one constant column.
      pre.push_back({MakeLiteral(Value::Integer(0)), false});
      pre_names.push_back("__0");
    }
    PlanNode node = builder_.Map(input_.node, pre, pre_names);
    if (distinct_) {
      node = builder_.Add("distinct", std::make_unique<DistinctOp>(node.schema.size()),
                          {node.vertex}, node.schema);
    }

    std::vector<size_t> group_by;
    Schema schema;
    for (size_t i = 0; i < groups; ++i) {
      group_by.push_back(i);
      schema.Add(node.schema[i]);
    }
    std::vector<AggregateSpec> specs;
    GroupedContext grouped(group_ctx_, binder_, input_.scope, &list_.aliases);
    for (size_t i = 0; i < groups; ++i) {
      grouped.AddGroup(group_keys[i], {i, schema[i].type, schema[i].nullable});
    }
    for (const PlannedAggregate& agg : aggregates_) {
      bool star = agg.kind == AggregateKind::kCountStar;
      specs.push_back({agg.kind, star ? 0 : groups + agg.arg_slot});
      Type type = AggregateResultType(agg.kind, star ? Type::kInteger : arg_types[agg.arg_slot]);
      bool nullable = !(star || agg.kind == AggregateKind::kCount);
      grouped.AddAggregate(agg.key, {schema.size(), type, nullable});
      schema.Add({ToCanonicalSql(*agg.call), type, nullable});
    }
    node = builder_.Add("group_reduce",
                        std::make_unique<GroupReduceOp>(node.schema.size(), group_by, specs),
                        {node.vertex}, std::move(schema));
    if (stmt_.having) node = builder_.Filter(node, grouped.Bind(*stmt_.having).expr);
    std::vector<Bound> out;
    std::vector<std::string> names;
    for (const OutputItem& item : list_.items) {
      out.push_back(grouped.Bind(*item.expr));
      names.push_back(item.name);
    }
    return builder_.Map(node, out, names);
  }

 private:
  // A GROUP BY term: an integer literal N stands for the N-th result column.
  const AstExpr& GroupTerm(const AstExpr& term) {
    if (term.kind != AstKind::kLiteral || term.literal.type() != Type::kInteger) return term;
    int64_t n = term.literal.as_integer();
    if (n < 1 || n > static_cast<int64_t>(list_.items.size())) {
      ThrowAt(ErrorCode::kSchema,
              fmt::format("GROUP BY term out of range - should be between 1 and {}",
                          list_.items.size()),
              binder_.file(), term.pos);
    }
    return *list_.items[n - 1].expr;
  }

  void Collect(const AstExpr& e) {
    ForEachAggregate(e, [this](const AstExpr& call) {
      std::string key = arg_ctx_.Key(call);
      for (const PlannedAggregate& a : aggregates_) {
        if (a.key == key) return;
      }
      PlannedAggregate agg{&call, *AggregateCallKind(call), key, "", 0};
      if (agg.kind == AggregateKind::kCount && call.args.empty()) {
        agg.kind = AggregateKind::kCountStar;
      } else if (agg.kind != AggregateKind::kCountStar) {
        if (call.args.size() != 1) {
          ThrowAt(ErrorCode::kSchema, "wrong number of arguments to function " + call.name + "()",
                  binder_.file(), call.pos);
        }
        agg.arg_key = arg_ctx_.Key(*call.args[0]);
      }
      CheckDistinct(agg);
      aggregates_.push_back(std::move(agg));
    });
  }

  // DISTINCT is planned by removing duplicate (group, argument) rows before grouping, which is
  // right only when every aggregate is DISTINCT over the same argument.
  void CheckDistinct(const PlannedAggregate& agg) {
    bool ok = true;
    if (!aggregates_.empty()) {
      ok = agg.call->distinct == distinct_ && (!distinct_ || agg.arg_key == distinct_arg_);
    }
    if (!ok) {
      ThrowAt(ErrorCode::kUnsupported,
              "an aggregate with DISTINCT together with aggregates over other values is not "
              "supported",
              binder_.file(), agg.call->pos);
    }
    if (aggregates_.empty() && agg.call->distinct) {
      distinct_ = true;
      distinct_arg_ = agg.arg_key;
    }
  }

  const SelectStmt& stmt_;
  const SelectList& list_;
  const FromPlan& input_;
  PlanBuilder& builder_;
  const ExprBinder& binder_;
  InputContext group_ctx_;
  InputContext arg_ctx_;
  std::vector<PlannedAggregate> aggregates_;
  std::map<std::string, size_t> arg_slots_;
  bool distinct_ = false;
  std::string distinct_arg_;
};

}  // namespace

PlanNode PlanAggregate(const SelectStmt& stmt, const SelectList& list, const FromPlan& input,
                       PlanBuilder& builder, const ExprBinder& binder) {
  return AggregatePlanner(stmt, list, input, builder, binder).Plan();
}

}  // namespace zload::sql
