#include "tests/support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "stores/postgres_db.h"

extern char** environ;

namespace zload::test {
namespace {

namespace fs = std::filesystem;

bool Executable(const fs::path& p) { return access(p.c_str(), X_OK) == 0; }

fs::path FindBinDir() {
  std::vector<fs::path> candidates;
  if (const char* env = getenv("ZLOAD_PG_BINDIR"); env && *env) candidates.emplace_back(env);
  std::error_code ec;
  std::vector<fs::path> versions;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    versions.push_back(entry.path() / "bin");
  }
  // Newest first: version directories are numbers.
  std::sort(versions.begin(), versions.end(), [](const fs::path& a, const fs::path& b) {
    return std::atoi(a.parent_path().filename().c_str()) >
           std::atoi(b.parent_path().filename().c_str());
  });
  candidates.insert(candidates.end(), versions.begin(), versions.end());
  for (const fs::path& dir : candidates) {
    if (Executable(dir / "initdb") && Executable(dir / "pg_ctl")) return dir;
  }
  throw std::runtime_error(
      "PostgreSQL server binaries (initdb, pg_ctl) not found in $ZLOAD_PG_BINDIR or "
      "/usr/lib/postgresql/*/bin: install postgresql-15 (scripts/install-deps.sh does) or set "
      "ZLOAD_PG_BINDIR");
}

fs::path FindRunuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (Executable(p)) return p;
  }
  throw std::runtime_error("running as root, but runuser (util-linux) is not installed");
}

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed while looking for a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port <= 0) throw std::runtime_error("cannot find a free TCP port on 127.0.0.1");
  return port;
}

std::string Tail(const fs::path& file, size_t max_bytes = 2000) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace

PgCluster::PgCluster() {
  bin_dir_ = FindBinDir();
  std::string pattern = (fs::temp_directory_path() / "zload_pg_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  dir_ = pattern;
  try {
    StartWatchdog();
    if (geteuid() == 0) {
      // initdb refuses to run as root: the cluster belongs to the postgres user.
      passwd* pw = getpwnam("postgres");
      if (!pw) throw std::runtime_error("running as root, but there is no 'postgres' user");
      if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("cannot chown " + dir_.string() + " to postgres");
      }
    }
    const fs::path data = dir_ / "data";
    if (RunServerProgram("initdb",
                         {"-D", data.string(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--locale=C", "--no-sync"},
                         dir_ / "initdb.log") != 0) {
      throw std::runtime_error("initdb failed:\n" + Tail(dir_ / "initdb.log"));
    }
    for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
      port_ = FreePort();  // another process may take it first: then try another
      std::string options = "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                            " -c unix_socket_directories='" + dir_.string() +
                            "' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                            " -c max_connections=40";
      running_ = RunServerProgram("pg_ctl",
                                  {"start", "-D", data.string(), "-w", "-t", "60", "-s", "-l",
                                   (dir_ / "server.log").string(), "-o", options},
                                  dir_ / "pg_ctl.log") == 0;
    }
    if (!running_) {
      throw std::runtime_error("pg_ctl start failed:\n" + Tail(dir_ / "pg_ctl.log") + "\n" +
                               Tail(dir_ / "server.log"));
    }
    CreateDatabase("zload_test");
  } catch (...) {
    Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

PgCluster::~PgCluster() {
  Stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PgCluster::Restart() {
  if (RunServerProgram("pg_ctl",
                       {"restart", "-D", (dir_ / "data").string(), "-m", "fast", "-w", "-t", "60",
                        "-s", "-l", (dir_ / "server.log").string()},
                       dir_ / "pg_ctl_restart.log") != 0) {
    throw std::runtime_error("pg_ctl restart failed:\n" + Tail(dir_ / "pg_ctl_restart.log") + "\n" +
                             Tail(dir_ / "server.log"));
  }
}

void PgCluster::Stop() {
  if (watchdog_fd_ >= 0) {
    // The watchdog stops the server and removes the directory: wait until it has.
    close(watchdog_fd_);
    watchdog_fd_ = -1;
    int status = 0;
    while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
    running_ = false;
    return;
  }
  if (!running_) return;
  running_ = false;
  RunServerProgram("pg_ctl",
                   {"stop", "-D", (dir_ / "data").string(), "-m", "immediate", "-w", "-s"},
                   dir_ / "pg_ctl_stop.log");
}

void PgCluster::StartWatchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  // The shell blocks reading the pipe and reads end-of-file once every copy of the write end is
  // closed: by Stop(), or by the kernel when this process dies, however it dies.
  std::vector<std::string> argv = {"/bin/sh", "-c", "read _; \"$@\" >/dev/null 2>&1; rm -rf \"$0\"",
                                   dir_.string()};
  if (geteuid() == 0) {
    for (std::string a :
         {FindRunuser().string(), std::string("-u"), std::string("postgres"), std::string("--")}) {
      argv.push_back(a);
    }
  }
  argv.push_back((bin_dir_ / "pg_ctl").string());
  for (const char* a : {"stop", "-m", "immediate", "-w", "-s", "-D"}) argv.push_back(a);
  argv.push_back((dir_ / "data").string());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    throw std::runtime_error("cannot start the cluster's watchdog");
  }
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

int PgCluster::RunServerProgram(const std::string& program, const std::vector<std::string>& args,
                                const fs::path& log) {
  std::vector<std::string> argv;
  if (geteuid() == 0) argv = {FindRunuser().string(), "-u", "postgres", "--"};
  argv.push_back((bin_dir_ / program).string());
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (std::string& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string PgCluster::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PgCluster::CreateDatabase(const std::string& name) {
  pqxx::connection conn(url("postgres"));
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + postgres::QuoteIdentifier(name));
  return url(name);
}

std::string PgCluster::FreshDatabase() {
  return CreateDatabase("zload_db_" + std::to_string(++databases_));
}

PgCluster& PgCluster::Shared() {
  static PgCluster cluster;
  return cluster;
}

}  // namespace zload::test
