#pragma once

// Checks of a store's state served by base tables (JobStore::OpenBaseRelationState) against the
// in-memory store and a model on random data, for every store kind.
#include <functional>
#include <string>
#include <vector>

#include "stores/job_store.h"

namespace zload::test {

// A base table's state answers look-ups, weights, sizes and scans like a memory table holding
// the same rows, copies included (each distinct row once, weighted by its copies); Apply()
// leaves the table alone. REQUIRES: an empty store.
void CheckBaseTableStateAnswersLikeMemory(JobStore& store);

// A join of two base tables, projected, with NULLs left out, answers like the same join computed
// over the tables' rows in memory (a NULL key matches nothing). REQUIRES: an empty store.
void CheckJoinedRelationAnswersLikeTheJoinInMemory(JobStore& store);

// The names of the indexes on a table that serve relations (`<table>__by__<columns>`), sorted.
using IndexNames = std::function<std::vector<std::string>(const std::string& table)>;

// Tables loaded while one of a relation's tables is empty (item_tags.h) are loaded without the
// relation's indexes: the first read that can find rows builds them, in its transaction, and
// answers like the join; rows added after are found. REQUIRES: an empty store.
void CheckIndexesAreBuiltByTheFirstReadThatCanFindRows(JobStore& store,
                                                       const IndexNames& indexes_on);

// Indexes built in a transaction that rolls back are gone with it; the next read builds them
// again and answers the same. REQUIRES: an empty store.
void CheckIndexesBuiltInARolledBackTransactionAreBuiltAgain(JobStore& store,
                                                            const IndexNames& indexes_on);

}  // namespace zload::test
