// GroupReduceOp::Evaluate: the non-incremental twin of Step(). It folds each group's whole input
// with its own arithmetic (long double REAL totals, MIN/MAX over the consolidated values) so
// that comparing the two checks the incremental bookkeeping.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "engine/error.h"
#include "engine/ops/aggregate_number.h"
#include "engine/ops/group_accumulator.h"
#include "engine/ops/group_reduce.h"

namespace zload {
namespace {

using aggregate_internal::Int128;

struct Fold {
  int64_t non_null = 0;
  Int128 integer_sum = 0;
  int64_t real_terms = 0;
  long double real_sum = 0;
  std::vector<std::pair<const Value*, int64_t>> values;  // MIN/MAX arguments with weights
};

struct GroupFold {
  int64_t count = 0;
  std::vector<Fold> folds;
};

Value RealOrNull(long double r) {
  double d = static_cast<double>(r);
  return std::isnan(d) ? Value::Null() : Value::Real(d);
}

Value Finish(const AggregateSpec& spec, int64_t count, Fold& f, const Row& key) {
  switch (spec.kind) {
    case AggregateKind::kCountStar:
      return Value::Integer(count);
    case AggregateKind::kCount:
      return Value::Integer(f.non_null);
    case AggregateKind::kSum:
    case AggregateKind::kAvg: {
      if (f.non_null <= 0) return Value::Null();
      const bool avg = spec.kind == AggregateKind::kAvg;
      if (f.real_terms <= 0) {
        if (avg) {
          return RealOrNull(static_cast<double>(f.integer_sum) / static_cast<double>(f.non_null));
        }
        if (!aggregate_internal::FitsInt64(f.integer_sum)) {
          throw Error(ErrorCode::kConstraint, "integer overflow in SUM of column " +
                                                  std::to_string(spec.column) + " for group " +
                                                  RowToString(key));
        }
        return Value::Integer(static_cast<int64_t>(f.integer_sum));
      }
      long double total = static_cast<long double>(f.integer_sum) + f.real_sum;
      if (avg) return RealOrNull(static_cast<double>(total) / static_cast<double>(f.non_null));
      return RealOrNull(total);
    }
    case AggregateKind::kMin:
    case AggregateKind::kMax: {
      std::sort(f.values.begin(), f.values.end(),
                [](const auto& a, const auto& b) { return TotalOrder(*a.first, *b.first) < 0; });
      const Value* best = nullptr;
      for (size_t i = 0; i < f.values.size();) {
        int64_t weight = 0;
        size_t j = i;
        for (; j < f.values.size() && *f.values[j].first == *f.values[i].first; ++j) {
          weight += f.values[j].second;
        }
        if (weight > 0 && (best == nullptr || aggregate_internal::PreferredExtreme(
                                                  spec.kind, *f.values[i].first, *best))) {
          best = f.values[i].first;
        }
        i = j;
      }
      return best == nullptr ? Value::Null() : *best;
    }
  }
  return Value::Null();
}

}  // namespace

ZSet GroupReduceOp::Evaluate(std::span<const ZSet* const> inputs) const {
  if (inputs.size() != 1) {
    throw Error(ErrorCode::kInternal,
                "group_reduce: Evaluate() takes 1 input, got " + std::to_string(inputs.size()));
  }
  std::unordered_map<Row, GroupFold, RowHash> groups;
  if (group_by_.empty()) groups[Row{}].folds.resize(aggregates_.size());
  for (const auto& [row, weight] : *inputs[0]) {
    if (row.size() != input_arity_) {
      throw Error(ErrorCode::kInternal, "group_reduce: input row of width " +
                                            std::to_string(row.size()) + ", expected " +
                                            std::to_string(input_arity_));
    }
    GroupFold& group = groups[Pick(row, group_by_)];
    group.folds.resize(aggregates_.size());
    group.count += weight;
    for (size_t i = 0; i < aggregates_.size(); ++i) {
      const AggregateSpec& spec = aggregates_[i];
      if (spec.kind == AggregateKind::kCountStar) continue;
      const Value& v = row[spec.column];
      if (v.is_null()) continue;
      Fold& f = group.folds[i];
      f.non_null += weight;
      if (spec.kind == AggregateKind::kMin || spec.kind == AggregateKind::kMax) {
        f.values.emplace_back(&v, weight);
      } else if (spec.kind == AggregateKind::kSum || spec.kind == AggregateKind::kAvg) {
        aggregate_internal::SumTerm term = aggregate_internal::ReadSumTerm(v);
        if (term.is_integer) {
          f.integer_sum += static_cast<Int128>(term.integer) * weight;
        } else {
          f.real_terms += weight;
          f.real_sum += static_cast<long double>(term.real) * weight;
        }
      }
    }
  }
  ZSet out;
  for (auto& [key, group] : groups) {
    if (!group_by_.empty() && group.count <= 0) continue;
    Row row = key;
    for (size_t i = 0; i < aggregates_.size(); ++i) {
      row.push_back(Finish(aggregates_[i], group.count, group.folds[i], key));
    }
    out.Add(std::move(row), 1);
  }
  return out;
}

}  // namespace zload
