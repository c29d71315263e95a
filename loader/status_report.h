#pragma once

#include <string>

#include "stores/job_store.h"

namespace zload {

// What `zload status` prints: every file load the store records (source, file, status, rows)
// with its batches by journal status (done, in flight, failed, skipped) and the records done,
// then the journal's totals. Reads the store only.
std::string RenderStatus(JobStore& store);

}  // namespace zload
