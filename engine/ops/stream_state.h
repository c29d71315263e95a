#pragma once

#include <span>
#include <string>

#include "engine/state_store.h"
#include "engine/zset.h"

// Shared checks and reads of the stream operators (integrate, differentiate, delay).
namespace zload::stream_internal {

// Returns the one delta of a stream operator's Step(). Throws Error(kInternal) when the
// operator is unbound (`table` is null), when there is not exactly one delta, or when a row is
// not `arity` wide; `kind` names the operator in the message.
const ZSet& CheckedDelta(const char* kind, const StateTable* table,
                         std::span<const ZSet* const> deltas, size_t arity);

// Returns everything stored in `table` as a Z-set.
ZSet ReadAll(StateTable& table);

}  // namespace zload::stream_internal
