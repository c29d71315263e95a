#include "engine/ops/group_accumulator.h"

#include <cmath>
#include <limits>

#include "engine/error.h"

namespace zload::aggregate_internal {
namespace {

bool IsSumLike(AggregateKind kind) {
  return kind == AggregateKind::kSum || kind == AggregateKind::kAvg;
}

bool IsExtreme(AggregateKind kind) {
  return kind == AggregateKind::kMin || kind == AggregateKind::kMax;
}

// SQLite turns a NaN result into NULL (sqlite3VdbeMemSetDouble).
Value RealResult(double r) { return std::isnan(r) ? Value::Null() : Value::Real(r); }

Value SumResult(AggregateKind kind, const AggregateState& s, const Row& key, size_t column) {
  if (s.non_null <= 0) return Value::Null();
  bool nan = s.nans > 0 || (s.positive_infinities > 0 && s.negative_infinities > 0);
  if (nan) return Value::Null();
  if (s.real_terms <= 0) {
    if (kind == AggregateKind::kAvg) {
      return RealResult(static_cast<double>(s.integer_sum) / static_cast<double>(s.non_null));
    }
    if (!FitsInt64(s.integer_sum)) {
      throw Error(ErrorCode::kConstraint, "integer overflow in SUM of column " +
                                              std::to_string(column) + " for group " +
                                              RowToString(key));
    }
    return Value::Integer(static_cast<int64_t>(s.integer_sum));
  }
  double total = static_cast<double>(s.integer_sum) + s.real_sum.Total();
  if (s.positive_infinities > 0) total = std::numeric_limits<double>::infinity();
  if (s.negative_infinities > 0) total = -std::numeric_limits<double>::infinity();
  if (kind == AggregateKind::kAvg) total /= static_cast<double>(s.non_null);
  return RealResult(total);
}

int64_t IntegerField(const Value& v, const std::string& table) {
  if (v.type() != Type::kInteger) {
    throw Error(ErrorCode::kInternal, "accumulator field " + v.ToString() + " is not an integer",
                {.table = table});
  }
  return v.as_integer();
}

double RealField(const Value& v, const std::string& table) {
  if (v.type() != Type::kReal) {
    throw Error(ErrorCode::kInternal, "accumulator field " + v.ToString() + " is not a real",
                {.table = table});
  }
  return v.as_real();
}

}  // namespace

size_t StoredFieldCount(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::kCountStar:
      return 0;
    case AggregateKind::kCount:
      return 1;
    case AggregateKind::kSum:
    case AggregateKind::kAvg:
      return 9;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return 2;
  }
  return 0;
}

bool PreferredExtreme(AggregateKind kind, const Value& a, const Value& b) {
  std::strong_ordering c = *SqlCompare(a, b);
  if (c != 0) return kind == AggregateKind::kMin ? c < 0 : c > 0;
  return a.type() < b.type();
}

GroupAccumulator::GroupAccumulator(size_t group_width, std::vector<AggregateSpec> aggregates)
    : group_width_(group_width), aggregates_(std::move(aggregates)) {
  size_t at = group_width_ + 1;
  for (const AggregateSpec& spec : aggregates_) {
    offsets_.push_back(at);
    at += StoredFieldCount(spec.kind);
  }
  stored_arity_ = at;
}

void GroupAccumulator::Fold(const Row& input, int64_t weight, AggregateState* states) const {
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const AggregateSpec& spec = aggregates_[i];
    if (spec.kind == AggregateKind::kCountStar) continue;
    const Value& v = input[spec.column];
    if (v.is_null()) continue;
    AggregateState& s = states[i];
    s.non_null += weight;
    if (!IsSumLike(spec.kind)) continue;
    SumTerm term = ReadSumTerm(v);
    if (term.is_integer) {
      s.integer_sum += static_cast<Int128>(term.integer) * weight;
      continue;
    }
    s.real_terms += weight;
    if (std::isfinite(term.real)) {
      s.real_sum.AddTimes(term.real, weight);
    } else if (std::isnan(term.real)) {
      s.nans += weight;
    } else if (term.real > 0) {
      s.positive_infinities += weight;
    } else {
      s.negative_infinities += weight;
    }
  }
}

void GroupAccumulator::Merge(const AggregateState* delta, AggregateState* states) const {
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const AggregateState& d = delta[i];
    AggregateState& s = states[i];
    s.non_null += d.non_null;
    if (!IsSumLike(aggregates_[i].kind)) continue;
    s.integer_sum += d.integer_sum;
    s.real_terms += d.real_terms;
    s.real_sum.Merge(d.real_sum);
    s.positive_infinities += d.positive_infinities;
    s.negative_infinities += d.negative_infinities;
    s.nans += d.nans;
  }
}

void GroupAccumulator::Normalize(AggregateState* states) const {
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    AggregateState& s = states[i];
    if (s.real_terms == 0) s.real_sum = CompensatedSum{};
    if (IsExtreme(aggregates_[i].kind) && s.non_null <= 0) s.extreme = Value::Null();
  }
}

bool GroupAccumulator::IsEmpty(int64_t count, const AggregateState* states) const {
  if (count != 0) return false;
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const AggregateState& s = states[i];
    if (s.non_null != 0 || s.integer_sum != 0 || s.real_terms != 0 || s.positive_infinities != 0 ||
        s.negative_infinities != 0 || s.nans != 0) {
      return false;
    }
  }
  return true;
}

Row GroupAccumulator::Encode(const Row& key, int64_t count, const AggregateState* states) const {
  Row row;
  row.reserve(stored_arity_);
  row.insert(row.end(), key.begin(), key.end());
  row.push_back(Value::Integer(count));
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const AggregateState& s = states[i];
    switch (aggregates_[i].kind) {
      case AggregateKind::kCountStar:
        break;
      case AggregateKind::kCount:
        row.push_back(Value::Integer(s.non_null));
        break;
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        row.push_back(Value::Integer(s.non_null));
        row.push_back(Value::Integer(HighHalf(s.integer_sum)));
        row.push_back(Value::Integer(LowHalf(s.integer_sum)));
        row.push_back(Value::Integer(s.real_terms));
        row.push_back(Value::Real(s.real_sum.sum));
        row.push_back(Value::Real(s.real_sum.compensation));
        row.push_back(Value::Integer(s.positive_infinities));
        row.push_back(Value::Integer(s.negative_infinities));
        row.push_back(Value::Integer(s.nans));
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
        row.push_back(Value::Integer(s.non_null));
        row.push_back(s.extreme);
        break;
    }
  }
  return row;
}

void GroupAccumulator::Decode(const Row& stored, const std::string& table, int64_t* count,
                              AggregateState* states) const {
  if (stored.size() != stored_arity_) {
    throw Error(ErrorCode::kInternal,
                "accumulator row of width " + std::to_string(stored.size()) + ", expected " +
                    std::to_string(stored_arity_),
                {.table = table});
  }
  *count = IntegerField(stored[group_width_], table);
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const Value* f = stored.data() + offsets_[i];
    AggregateState& s = states[i];
    switch (aggregates_[i].kind) {
      case AggregateKind::kCountStar:
        break;
      case AggregateKind::kCount:
        s.non_null = IntegerField(f[0], table);
        break;
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        s.non_null = IntegerField(f[0], table);
        s.integer_sum = FromHalves(IntegerField(f[1], table), IntegerField(f[2], table));
        s.real_terms = IntegerField(f[3], table);
        s.real_sum.sum = RealField(f[4], table);
        s.real_sum.compensation = RealField(f[5], table);
        s.positive_infinities = IntegerField(f[6], table);
        s.negative_infinities = IntegerField(f[7], table);
        s.nans = IntegerField(f[8], table);
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
        s.non_null = IntegerField(f[0], table);
        s.extreme = f[1];
        break;
    }
  }
}

Row GroupAccumulator::Output(const Row& key, int64_t count, const AggregateState* states) const {
  Row row;
  row.reserve(group_width_ + aggregates_.size());
  row.insert(row.end(), key.begin(), key.end());
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    const AggregateState& s = states[i];
    switch (aggregates_[i].kind) {
      case AggregateKind::kCountStar:
        row.push_back(Value::Integer(count));
        break;
      case AggregateKind::kCount:
        row.push_back(Value::Integer(s.non_null));
        break;
      case AggregateKind::kSum:
      case AggregateKind::kAvg:
        row.push_back(SumResult(aggregates_[i].kind, s, key, aggregates_[i].column));
        break;
      case AggregateKind::kMin:
      case AggregateKind::kMax:
        row.push_back(s.non_null > 0 ? s.extreme : Value::Null());
        break;
    }
  }
  return row;
}

}  // namespace zload::aggregate_internal
