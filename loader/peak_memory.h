#pragma once

#include <cstdint>

namespace zload {

// The largest resident set this process has had since its program started (Linux VmHWM), in
// KiB; 0 when the system does not say. Unlike getrusage's ru_maxrss it does not count the
// memory of the process that forked this one.
int64_t PeakResidentKb();

}  // namespace zload
