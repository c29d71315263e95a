#include "loader/file_hash.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "engine/error.h"

namespace zload {

FileFingerprint FingerprintFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) throw Error(ErrorCode::kIo, "cannot open input file", {.file = path});
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                        &XXH3_freeState);
  XXH3_128bits_reset(state.get());
  std::vector<char> buffer(1 << 20);
  FileFingerprint out;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    XXH3_128bits_update(state.get(), buffer.data(), n);
    out.size += n;
  }
  if (std::ferror(file.get()))
    throw Error(ErrorCode::kIo, "cannot read input file", {.file = path});
  XXH128_hash_t h = XXH3_128bits_digest(state.get());
  out.hash = fmt::format("{:016x}{:016x}", h.high64, h.low64);
  return out;
}

}  // namespace zload
