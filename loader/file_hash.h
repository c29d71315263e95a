#pragma once

#include <cstdint>
#include <string>

namespace zload {

// The size and content hash (XXH3-128, 32 hex digits) of a file.
struct FileFingerprint {
  uint64_t size = 0;
  std::string hash;
};

// Reads the whole file at `path`. Throws Error(kIo) naming it when it cannot be read.
FileFingerprint FingerprintFile(const std::string& path);

}  // namespace zload
