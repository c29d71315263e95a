#include "loader/spooled_stdin.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/error.h"

namespace zload {

SpooledStdin::SpooledStdin(const std::string& extension) {
  path_ =
      (std::filesystem::temp_directory_path() /
       fmt::format("zload-stdin-{}-{}{}", getpid(), reinterpret_cast<uintptr_t>(this), extension))
          .string();
  std::ofstream out(path_, std::ios::binary);
  out << std::cin.rdbuf();
  if (!out.flush()) throw Error(ErrorCode::kIo, "cannot copy stdin to a file", {.file = path_});
}

SpooledStdin::~SpooledStdin() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace zload
