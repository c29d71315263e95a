#include "bench/throughput_pg.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <pqxx/pqxx>

#include "bench/throughput_child.h"
#include "engine/error.h"
#include "stores/postgres_db.h"

extern char** environ;

namespace zload::bench {
namespace {

namespace fs = std::filesystem;

bool Executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

std::string Runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (Executable(p)) return p;
  }
  throw Error(ErrorCode::kConfig, "running as root, but runuser (util-linux) is not installed");
}

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(ErrorCode::kIo, "socket() failed while looking for a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port <= 0) throw Error(ErrorCode::kIo, "cannot find a free TCP port on 127.0.0.1");
  return port;
}

// Spawns `argv` with stdin from `stdin_fd` (or /dev/null when -1) and stdout and stderr to
// `log` (or /dev/null when empty); returns the child's pid.
pid_t Spawn(std::vector<std::string> argv, int stdin_fd, const std::string& log) {
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, log.empty() ? "/dev/null" : log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error(ErrorCode::kIo, "cannot start " + argv[0]);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The argv prefix that runs a server program as `postgres` when this process is root.
std::vector<std::string> AsServerUser() {
  if (geteuid() != 0) return {};
  return {Runuser(), "-u", "postgres", "--"};
}

std::string RedactedUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

// Runs `fn` on a fresh connection to `url`, turning a libpqxx exception into Error(kIo).
template <class F>
auto WithConnection(const std::string& url, F&& fn) {
  try {
    pqxx::connection conn(url);
    return fn(conn);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kIo, fmt::format("PostgreSQL at {}: {}", RedactedUrl(url), e.what()));
  }
}

// True when the two text values are equal, or are numbers within a relative 1e-9.
bool SameText(const pqxx::field& a, const pqxx::field& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  std::string x = a.c_str(), y = b.c_str();
  if (x == y) return true;
  char* end_x = nullptr;
  char* end_y = nullptr;
  double dx = std::strtod(x.c_str(), &end_x), dy = std::strtod(y.c_str(), &end_y);
  if (*end_x != '\0' || *end_y != '\0' || x.empty() || y.empty()) return false;
  return std::fabs(dx - dy) <= 1e-9 * std::max({1.0, std::fabs(dx), std::fabs(dy)});
}

}  // namespace

ThrowawayCluster::ThrowawayCluster(const std::string& bin_dir) : bin_dir_(bin_dir) {
  for (const char* program : {"initdb", "pg_ctl"}) {
    if (!Executable(bin_dir_ + "/" + program)) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("no {} in {} (apt-get install postgresql-15, or pass --pg-bindir, "
                              "or --pg-url for an existing server)",
                              program, bin_dir_));
    }
  }
  std::string pattern = (fs::temp_directory_path() / "zload-bench-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    throw Error(ErrorCode::kIo, "cannot create a temporary directory", {.file = pattern});
  }
  dir_ = pattern;
  try {
    StartWatchdog();
    if (geteuid() == 0) {
      // initdb refuses to run as root: the cluster belongs to the postgres user.
      passwd* pw = getpwnam("postgres");
      if (!pw) throw Error(ErrorCode::kConfig, "running as root, but there is no postgres user");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw Error(ErrorCode::kIo, "cannot chown to postgres", {.file = dir_});
      }
    }
    std::string data = dir_ + "/data";
    if (RunServerProgram(
            "initdb",
            {"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
            dir_ + "/initdb.log") != 0) {
      throw Error(ErrorCode::kIo, "initdb failed:\n" + FileTail(dir_ + "/initdb.log"));
    }
    bool running = false;
    for (int attempt = 0; attempt < 3 && !running; ++attempt) {
      port_ = FreePort();  // another process may take it first: then try another
      std::string options = fmt::format(
          "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories='{}'", port_, dir_);
      running = RunServerProgram("pg_ctl",
                                 {"start", "-D", data, "-w", "-t", "60", "-s", "-l",
                                  dir_ + "/server.log", "-o", options},
                                 dir_ + "/pg_ctl.log") == 0;
    }
    if (!running) {
      throw Error(ErrorCode::kIo, "pg_ctl start failed:\n" + FileTail(dir_ + "/pg_ctl.log") + "\n" +
                                      FileTail(dir_ + "/server.log"));
    }
  } catch (...) {
    Stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    throw;
  }
}

ThrowawayCluster::~ThrowawayCluster() {
  Stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string ThrowawayCluster::url() const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port_);
}

int ThrowawayCluster::RunServerProgram(const std::string& program,
                                       const std::vector<std::string>& args,
                                       const std::string& log) {
  std::vector<std::string> argv = AsServerUser();
  argv.push_back(bin_dir_ + "/" + program);
  argv.insert(argv.end(), args.begin(), args.end());
  return Wait(Spawn(argv, -1, log));
}

void ThrowawayCluster::StartWatchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw Error(ErrorCode::kIo, "pipe2 failed");
  // The shell blocks reading the pipe and reads end-of-file once every copy of the write end is
  // closed: by Stop(), or by the kernel when the driver dies, however it dies. It ignores the
  // terminal's signals so that Ctrl-C reaches the driver, not the teardown.
  std::vector<std::string> argv = {
      "/bin/sh", "-c", "trap '' INT HUP TERM QUIT; read _; \"$@\"; rm -rf \"$0\"", dir_};
  for (const std::string& a : AsServerUser()) argv.push_back(a);
  argv.push_back(bin_dir_ + "/pg_ctl");
  for (const char* a : {"stop", "-m", "immediate", "-w", "-s", "-D"}) argv.push_back(a);
  argv.push_back(dir_ + "/data");
  pid_t pid = 0;
  try {
    pid = Spawn(argv, fds[0], "");
  } catch (...) {
    close(fds[0]);
    close(fds[1]);
    throw;
  }
  close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

void ThrowawayCluster::Stop() {
  if (watchdog_fd_ < 0) return;
  // The watchdog stops the server and removes the directory: wait until it has.
  close(watchdog_fd_);
  watchdog_fd_ = -1;
  Wait(watchdog_pid_);
}

PgServer::PgServer(const std::string& url, const std::string& bin_dir) {
  if (url.empty()) {
    cluster_ = std::make_unique<ThrowawayCluster>(bin_dir);
    admin_url_ = cluster_->url();
  } else {
    admin_url_ = url;
  }
  description_ = WithConnection(admin_url_, [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    pqxx::row r = tx.exec1(
        "SELECT current_setting('server_version'), current_setting('fsync'), "
        "current_setting('synchronous_commit'), current_setting('shared_buffers'), "
        "current_setting('max_wal_size')");
    return fmt::format(
        "PostgreSQL {} at {}:{} ({}), fsync={} synchronous_commit={} shared_buffers={} "
        "max_wal_size={}",
        r[0].c_str(), conn.hostname() ? conn.hostname() : "?", conn.port() ? conn.port() : "?",
        cluster_ ? "a throwaway cluster" : "--pg-url", r[1].c_str(), r[2].c_str(), r[3].c_str(),
        r[4].c_str());
  });
}

PgServer::~PgServer() = default;

std::string PgServer::CreateDatabase() {
  std::string name = fmt::format("zload_bench_{}_{}", getpid(), ++databases_);
  WithConnection(admin_url_, [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    tx.exec0("DROP DATABASE IF EXISTS " + postgres::QuoteIdentifier(name) + " WITH (FORCE)");
    tx.exec0("CREATE DATABASE " + postgres::QuoteIdentifier(name));
  });
  return WithDatabase(admin_url_, name);
}

void PgServer::DropDatabase(const std::string& url) {
  std::string name = url.substr(url.rfind('/') + 1);
  name = name.substr(0, name.find('?'));
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec0("DROP DATABASE IF EXISTS " + postgres::QuoteIdentifier(name) + " WITH (FORCE)");
  } catch (const std::exception&) {
    // A database left behind costs disk space, not correctness: every run uses a new name.
  }
}

void PgServer::Checkpoint() {
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec0("CHECKPOINT");
  } catch (const std::exception&) {
    // Only a role with pg_checkpoint may: the measurement stands without it, a little noisier.
  }
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  size_t scheme = url.find("://");
  size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  size_t query = url.find('?', authority);
  std::string params = query == std::string::npos ? "" : url.substr(query);
  std::string head = url.substr(0, query);
  size_t slash = head.find('/', authority);
  if (slash != std::string::npos) head.resize(slash);
  return head + "/" + database + params;
}

std::string PgColumns(const std::string& schema) {
  std::vector<std::string> columns;
  size_t start = 0;
  while (start < schema.size()) {
    size_t end = std::min(schema.find(',', start), schema.size());
    std::string column = schema.substr(start, end - start);
    column.erase(0, column.find_first_not_of(' '));
    std::string name = column.substr(0, column.find(' '));
    std::string type = "TEXT";
    if (column.find("INTEGER") != std::string::npos) type = "BIGINT";
    if (column.find("REAL") != std::string::npos) type = "DOUBLE PRECISION";
    columns.push_back(postgres::QuoteIdentifier(name) + " " + type);
    start = end + 1;
  }
  return fmt::format("{}", fmt::join(columns, ", "));
}

void CreatePgTables(const std::string& url, const std::vector<JobSource>& sources) {
  WithConnection(url, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    for (const JobSource& s : sources) {
      tx.exec0(fmt::format("CREATE TABLE {} ({})", postgres::QuoteIdentifier(s.name),
                           PgColumns(s.schema)));
    }
    tx.commit();
  });
}

int64_t CountPgRows(const std::string& url, const std::string& table) {
  return WithConnection(url, [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    return tx.exec1("SELECT COUNT(*) FROM " + postgres::QuoteIdentifier(table))[0].as<int64_t>();
  });
}

std::vector<std::string> CheckPgViews(const std::string& url, const std::vector<JobView>& views) {
  return WithConnection(url, [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    std::vector<std::string> problems;
    for (const JobView& v : views) {
      // Every view here has a unique key in its first column (or is a set of 2 columns), so
      // ordering by the first two columns lines the two results up.
      pqxx::result fresh = tx.exec(fmt::format("SELECT * FROM ({}) q ORDER BY 1, 2", v.sql));
      std::vector<std::string> columns;
      for (pqxx::row::size_type c = 0; c < fresh.columns(); ++c) {
        columns.push_back(postgres::QuoteIdentifier(fresh.column_name(c)));
      }
      pqxx::result stored =
          tx.exec(fmt::format("SELECT {}, _count_ FROM {} ORDER BY 1, 2", fmt::join(columns, ", "),
                              postgres::QuoteIdentifier(v.name)));
      if (stored.size() != fresh.size()) {
        problems.push_back(fmt::format("view {}: {} rows where PostgreSQL's SELECT has {}", v.name,
                                       stored.size(), fresh.size()));
        continue;
      }
      for (pqxx::result::size_type i = 0; i < fresh.size(); ++i) {
        bool same = stored[i][fresh.columns()].as<int64_t>() == 1;
        for (pqxx::row::size_type c = 0; same && c < fresh.columns(); ++c) {
          same = SameText(stored[i][c], fresh[i][c]);
        }
        if (!same) {
          problems.push_back(
              fmt::format("view {}: row {} differs from PostgreSQL's SELECT", v.name, i + 1));
          break;
        }
      }
    }
    return problems;
  });
}

}  // namespace zload::bench
