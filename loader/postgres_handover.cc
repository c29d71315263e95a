// How a program without the PostgreSQL store hands a command over to zload-postgres.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "engine/error.h"
#include "loader/postgres_link.h"

namespace zload {

void HandOverToPostgresProgram(char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    throw Error(
        ErrorCode::kConfig,
        "cannot find this program's own file to run zload-postgres beside it: " + ec.message());
  }
  const std::string program = (self.parent_path() / "zload-postgres").string();
  ::execv(program.c_str(), argv);
  const int error = errno;
  throw Error(ErrorCode::kConfig,
              "PostgreSQL stores are served by zload-postgres, which cannot "
              "be run: " +
                  std::string(std::strerror(error)),
              {.file = program});
}

}  // namespace zload
