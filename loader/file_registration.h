#pragma once

#include <cstdint>

#include "loader/job_config.h"
#include "stores/job_store.h"

namespace zload {

// Records the start of a load of `source`'s file in `store` and returns its id. Refuses
// (Error(kConfig) naming the file) a file whose content this store has loaded completely, or
// whose earlier load was interrupted, unless `reload`. Stdin is never refused.
int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload);

}  // namespace zload
