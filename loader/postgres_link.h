#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "coordinator/time_source.h"
#include "stores/job_store.h"

namespace zload {

// PostgreSQL stores live in their own library (libpq and its dependencies take milliseconds to
// load at every process start): a program links either postgres_linked.cc, which serves them,
// or postgres_unlinked.cc, which hands a command naming one over to zload-postgres.

// Whether this program serves PostgreSQL stores itself.
bool ServesPostgres();

// Replaces this process with zload-postgres, the program beside this one's executable that
// serves PostgreSQL stores, run with `argv`. Returns only by throwing Error(kConfig) when it
// cannot be run.
[[noreturn]] void HandOverToPostgresProgram(char** argv);

// Connects to the PostgreSQL store at `url` (see PostgresJobStore). Throws Error(kConfig) in
// a program that does not serve PostgreSQL stores.
std::unique_ptr<JobStore> OpenPostgresJobStore(const std::string& url);

// The time source of the database at `url`, handing out times after `start_after` (see
// PostgresSequenceTimeSource). Throws Error(kConfig) in a program that does not serve PostgreSQL
// stores.
std::unique_ptr<TimeSource> OpenPostgresTimeSource(const std::string& url, int64_t start_after);

}  // namespace zload
