#pragma once

#include <cstddef>

#include "engine/value.h"

namespace zload {

// The aggregate functions of GROUP BY, with SQLite's results: COUNT(*) counts rows; COUNT(x)
// counts non-NULL x; SUM(x) is NULL over no non-NULL x, INTEGER when every x is an integer, else
// REAL; MIN/MAX order by SqlCompare and ignore NULLs; AVG(x) is REAL (NULL over no non-NULL x).
// SUM and AVG read text as SQLite does: text that is wholly an integer ('12', ' 7 ') counts as
// that INTEGER, other text as the REAL value of its numeric prefix ('1.5', '12abc' is 12.0,
// 'abc' is 0.0), which makes the SUM REAL.
enum class AggregateKind { kCountStar, kCount, kSum, kMin, kMax, kAvg };

// One aggregate of a group-reduce: its function and the input column it reads.
struct AggregateSpec {
  AggregateKind kind = AggregateKind::kCountStar;
  size_t column = 0;  // ignored for kCountStar
  bool operator==(const AggregateSpec&) const = default;
};

// The static result type of `kind` over an argument of static type `arg`
// (Type::kNull when it depends on the data).
Type AggregateResultType(AggregateKind kind, Type arg);

// The SQL name, e.g. "SUM".
const char* AggregateName(AggregateKind kind);

}  // namespace zload
