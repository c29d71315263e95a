#include "engine/ops/aggregate.h"

namespace zload {

Type AggregateResultType(AggregateKind kind, Type arg) {
  switch (kind) {
    case AggregateKind::kCountStar:
    case AggregateKind::kCount:
      return Type::kInteger;
    case AggregateKind::kAvg:
      return Type::kReal;
    case AggregateKind::kMin:
    case AggregateKind::kMax:
      return arg;
    case AggregateKind::kSum:
      switch (arg) {
        case Type::kInteger:
        case Type::kBoolean:
        case Type::kTimestamp:
          return Type::kInteger;
        case Type::kReal:
          return Type::kReal;
        case Type::kNull:
        case Type::kText:
          // Text sums to INTEGER or REAL depending on what the strings read as.
          return Type::kNull;
      }
  }
  return Type::kNull;
}

const char* AggregateName(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::kCountStar:
      return "COUNT";
    case AggregateKind::kCount:
      return "COUNT";
    case AggregateKind::kSum:
      return "SUM";
    case AggregateKind::kMin:
      return "MIN";
    case AggregateKind::kMax:
      return "MAX";
    case AggregateKind::kAvg:
      return "AVG";
  }
  return "?";
}

}  // namespace zload
