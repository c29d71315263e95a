#pragma once

#include <string>

#include "engine/schema.h"
#include "engine/zset.h"

namespace zload {

// Renders rows as an aligned text table, sorted; a `_count_` column is added when any row's
// weight is not 1. NULL prints as NULL.
std::string RenderRows(const Schema& schema, const ZSet& rows);

// Reads view or base table `name` from the store at `url` and renders it. Throws
// Error(kSchema) when the store has no such view or base table.
std::string RenderStoredTable(const std::string& url, const std::string& name);

}  // namespace zload
