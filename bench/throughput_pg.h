#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/throughput_zload.h"

namespace zload::bench {

// A throwaway PostgreSQL cluster for the benchmark: initdb into a fresh temporary directory (as
// the `postgres` user through runuser when running as root), started with pg_ctl on 127.0.0.1 at
// a free TCP port with trust authentication and the stock durability settings (fsync and
// synchronous_commit on). The destructor stops the server and removes the directory; so does a
// watchdog process when the driver dies without running it (an error, Ctrl-C, SIGKILL). Not
// thread-safe.
class ThrowawayCluster {
 public:
  // Starts the cluster with the server programs in `bin_dir` (initdb, pg_ctl). Throws
  // Error(kConfig) when a program or the postgres user is missing, Error(kIo) with the tail of
  // the log when initdb or the server fails.
  explicit ThrowawayCluster(const std::string& bin_dir);
  ~ThrowawayCluster();
  ThrowawayCluster(const ThrowawayCluster&) = delete;
  ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;

  // postgresql://postgres@127.0.0.1:PORT/postgres: the maintenance database.
  std::string url() const;

 private:
  // Runs a server program (as `postgres` when root) and returns its exit status; its output
  // goes to `log`.
  int RunServerProgram(const std::string& program, const std::vector<std::string>& args,
                       const std::string& log);
  void StartWatchdog();
  void Stop();

  std::string bin_dir_;
  std::string dir_;  // data/, logs and the socket
  int port_ = 0;
  int watchdog_fd_ = -1;  // closing it (or dying) makes the watchdog stop the server
  int watchdog_pid_ = -1;
};

// The server the benchmark loads into: its own ThrowawayCluster, or an existing server reached
// through a URL whose role may CREATE and DROP databases. Not thread-safe.
class PgServer {
 public:
  // With an empty `url`, starts a ThrowawayCluster from `bin_dir`; otherwise uses the server at
  // `url` (its database is only used to create and drop others). Throws Error(kIo) when the
  // server cannot be reached.
  PgServer(const std::string& url, const std::string& bin_dir);
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Creates an empty database with a name not used before by this driver and returns its URL.
  std::string CreateDatabase();
  // Drops the database at `url` (one from CreateDatabase); never throws.
  void DropDatabase(const std::string& url);
  // Writes dirty buffers out (CHECKPOINT) so that a timed run does not pay for the last one's;
  // a role that may not checkpoint skips it silently.
  void Checkpoint();
  // One line naming the server: version, address, and the settings that weigh on load speed.
  const std::string& description() const { return description_; }

 private:
  std::unique_ptr<ThrowawayCluster> cluster_;
  std::string admin_url_;
  std::string description_;
  int databases_ = 0;
};

// `url` (postgresql://...) with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

// The PostgreSQL column list of a job schema such as "a INTEGER, b REAL, c TEXT", typed as
// zload's PostgreSQL store types its base tables: BIGINT, DOUBLE PRECISION, TEXT.
std::string PgColumns(const std::string& schema);

// Creates the typed base tables of `sources` in the database at `url`. Throws Error(kIo).
void CreatePgTables(const std::string& url, const std::vector<JobSource>& sources);

// The number of rows in `table` of the database at `url`. Throws Error(kIo).
int64_t CountPgRows(const std::string& url, const std::string& table);

// Compares every view's table in zload's PostgreSQL store at `url` (its columns, every _count_ =
// 1) with the view's SELECT run by PostgreSQL over the store's base tables; double precision
// values may differ by a relative 1e-9 (summation order). Returns one line per difference found;
// empty when all agree. Throws Error(kIo) when a query fails.
std::vector<std::string> CheckPgViews(const std::string& url, const std::vector<JobView>& views);

}  // namespace zload::bench
