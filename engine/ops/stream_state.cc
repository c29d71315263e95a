#include "engine/ops/stream_state.h"

#include "engine/error.h"

namespace zload::stream_internal {

const ZSet& CheckedDelta(const char* kind, const StateTable* table,
                         std::span<const ZSet* const> deltas, size_t arity) {
  if (table == nullptr)
    throw Error(ErrorCode::kInternal, std::string(kind) + ": Step() before Bind()");
  if (deltas.size() != 1) {
    throw Error(ErrorCode::kInternal,
                std::string(kind) + ": Step() takes 1 delta, got " + std::to_string(deltas.size()));
  }
  for (const auto& entry : *deltas[0]) {
    if (entry.first.size() != arity) {
      throw Error(ErrorCode::kInternal,
                  std::string(kind) + ": input row of width " + std::to_string(entry.first.size()) +
                      ", expected " + std::to_string(arity),
                  {.table = table->spec().name});
    }
  }
  return *deltas[0];
}

ZSet ReadAll(StateTable& table) {
  ZSet contents;
  table.Scan([&](const Row& row, int64_t weight) { contents.Add(row, weight); });
  return contents;
}

}  // namespace zload::stream_internal
