// The PostgreSQL entry points of a program built without the PostgreSQL store (zload): its
// main hands commands naming a PostgreSQL store over to zload-postgres before they get here.
#include "engine/error.h"
#include "loader/postgres_link.h"

namespace zload {
namespace {

[[noreturn]] void Unserved(const std::string& url) {
  throw Error(
      ErrorCode::kConfig,
      "this program is built without the PostgreSQL store; run zload-postgres for '" + url + "'");
}

}  // namespace

bool ServesPostgres() { return false; }

std::unique_ptr<JobStore> OpenPostgresJobStore(const std::string& url) { Unserved(url); }

std::unique_ptr<TimeSource> OpenPostgresTimeSource(const std::string& url, int64_t) {
  Unserved(url);
}

}  // namespace zload
