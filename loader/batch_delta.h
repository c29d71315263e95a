#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "engine/error.h"
#include "engine/zset.h"
#include "loader/input_row.h"
#include "loader/job.h"
#include "stores/job_store.h"

namespace zload {

// One batch of a source turned into the Z-set delta of its base table.
struct BatchDelta {
  ZSet delta;
  // Rows that cannot be applied, by position in the batch, with the reason.
  std::vector<std::pair<size_t, Error>> bad_rows;
};

// Computes the delta that applying `rows` in order makes to `source`'s base table in `store`.
// Without a primary key: an insert adds the row, a delete removes one stored copy. With a
// primary key: an insert whose key is stored (or inserted earlier in the batch) replaces that
// row, a delete removes the row holding its key. A delete of a row or key that is not there,
// and a NULL in a key column, make the row bad; bad rows change nothing. Reads the store, writes
// nothing.
BatchDelta BuildBatchDelta(JobStore& store, const Job::Source& source,
                           const std::vector<InputRow>& rows);

}  // namespace zload
