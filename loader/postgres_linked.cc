// The PostgreSQL entry points of a program linked with the PostgreSQL store (zload-postgres,
// the tests and the benchmarks).
#include "coordinator/sequence_time_source.h"
#include "loader/postgres_link.h"
#include "stores/postgres_job_store.h"

namespace zload {

bool ServesPostgres() { return true; }

std::unique_ptr<JobStore> OpenPostgresJobStore(const std::string& url) {
  return std::make_unique<PostgresJobStore>(url);
}

std::unique_ptr<TimeSource> OpenPostgresTimeSource(const std::string& url, int64_t start_after) {
  return std::make_unique<PostgresSequenceTimeSource>(url, start_after);
}

}  // namespace zload
