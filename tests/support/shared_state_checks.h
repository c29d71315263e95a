#pragma once

// Checks of a store's state served by base tables (JobStore::OpenBaseRelationState) against the
// in-memory store and a model on random data, for every store kind.
#include "stores/job_store.h"

namespace zload::test {

// A base table's state answers look-ups, weights, sizes and scans like a memory table holding
// the same rows, copies included (each distinct row once, weighted by its copies); Apply()
// leaves the table alone. REQUIRES: an empty store.
void CheckBaseTableStateAnswersLikeMemory(JobStore& store);

// A join of two base tables, projected, with NULLs left out, answers like the same join computed
// over the tables' rows in memory (a NULL key matches nothing). REQUIRES: an empty store.
void CheckJoinedRelationAnswersLikeTheJoinInMemory(JobStore& store);

}  // namespace zload::test
