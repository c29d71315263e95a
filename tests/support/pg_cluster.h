#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace zload::test {

// A throwaway PostgreSQL cluster: initdb into a fresh temporary directory (as the `postgres`
// user via runuser when running as root), started on 127.0.0.1 at a free TCP port with trust
// authentication and durability switched off, holding one database `zload_test`. The
// destructor stops the server and removes the directory; so does a watchdog process when the
// owning process dies without running it (a crash, an abort, SIGKILL). Server binaries are
// taken from $ZLOAD_PG_BINDIR or /usr/lib/postgresql/<version>/bin. Not thread-safe.
class PgCluster {
 public:
  // Starts the cluster. Throws std::runtime_error naming what is missing or what failed (with
  // the tail of the server or initdb log): it never skips silently.
  PgCluster();
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  int port() const { return port_; }
  // The URL of database `database`, e.g. postgresql://postgres@127.0.0.1:PORT/zload_test.
  std::string url(const std::string& database = "zload_test") const;
  // Creates database `name` and returns its URL. Throws when it exists.
  std::string CreateDatabase(const std::string& name);
  // Creates a database with a name not used before in this cluster and returns its URL.
  std::string FreshDatabase();

  // Restarts the server (pg_ctl restart -m fast): every open connection is cut, new ones
  // succeed once it returns. Throws std::runtime_error when it fails.
  void Restart();

  // One cluster for the whole test executable: started on the first call, stopped at exit.
  static PgCluster& Shared();

 private:
  // Runs a server program (as `postgres` when root); returns its exit status, output in `log`.
  int RunServerProgram(const std::string& program, const std::vector<std::string>& args,
                       const std::filesystem::path& log);
  void Stop();
  // Starts the process that stops the server and removes dir_ once watchdog_fd_ closes.
  void StartWatchdog();

  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;  // the temporary directory: data/, logs and the socket
  int port_ = 0;
  bool running_ = false;
  int databases_ = 0;
  int watchdog_fd_ = -1;  // the write end of the watchdog's stdin; closing it ends the cluster
  int watchdog_pid_ = -1;
};

}  // namespace zload::test
