#include "bench/throughput_parallel.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "bench/throughput_baselines.h"
#include "bench/throughput_child.h"
#include "bench/throughput_pg.h"
#include "bench/throughput_zload.h"
#include "engine/error.h"

namespace zload::bench {
namespace {

namespace fs = std::filesystem;

// The column names of a "name TYPE, name TYPE ..." schema, in order.
std::vector<std::string> ColumnNames(const std::string& schema) {
  std::vector<std::string> names;
  std::istringstream in(schema);
  std::string column;
  while (std::getline(in, column, ',')) {
    column.erase(0, column.find_first_not_of(' '));
    names.push_back(column.substr(0, column.find(' ')));
  }
  return names;
}

// A single-quoted SQL (and pgloader) string literal.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Runs `zload run JOB --store URL --workers N --flush-every-set F -q --json` as a child process
// and reads its summary. Throws Error(kInternal) with the log's tail when zload fails.
ZloadRun RunZloadWorkers(const std::string& zload, const std::string& job, const std::string& url,
                         int workers, const std::string& flush, const std::string& scratch) {
  std::string json_path = scratch + ".json", log_path = scratch + ".log";
  ZloadRun run;
  run.child = RunChild({zload, "run", job, "--store", url, "--workers", std::to_string(workers),
                        "--flush-every-set", flush, "-q", "--json", json_path},
                       log_path);
  if (run.child.exit_code != 0) {
    throw Error(ErrorCode::kInternal,
                fmt::format("zload run {} --store {} exited with {}:\n{}", job, url,
                            run.child.exit_code, FileTail(log_path)));
  }
  std::ifstream in(json_path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json summary = nlohmann::json::parse(ss.str(), nullptr, false);
  if (summary.is_discarded() || !summary.contains("seconds")) {
    throw Error(ErrorCode::kInternal, "zload wrote no readable --json summary",
                {.file = json_path});
  }
  run.tool_seconds = summary["seconds"].get<double>();
  for (const auto& source : summary["sources"]) run.rows += source["rows"].get<int64_t>();
  return run;
}

// Runs every argv at once, each as a child process with its output appended to its log, and
// returns the wall seconds from the first fork to the end of the last wait. Throws
// Error(kInternal) with a log's tail when any child fails.
double RunConcurrently(const std::vector<std::vector<std::string>>& argvs,
                       const std::vector<std::string>& logs) {
  std::vector<std::vector<char*>> args(argvs.size());
  std::vector<int> outs;
  for (size_t i = 0; i < argvs.size(); ++i) {
    for (const std::string& a : argvs[i]) args[i].push_back(const_cast<char*>(a.c_str()));
    args[i].push_back(nullptr);
    int out = open(logs[i].c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0) throw Error(ErrorCode::kIo, "cannot open log", {.file = logs[i]});
    outs.push_back(out);
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> pids;
  for (size_t i = 0; i < argvs.size(); ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      int in = open("/dev/null", O_RDONLY);
      if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(outs[i], STDOUT_FILENO) < 0 ||
          dup2(outs[i], STDERR_FILENO) < 0) {
        _exit(127);
      }
      execv(args[i][0], args[i].data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  for (int out : outs) close(out);
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    codes.push_back(pid < 0 ? 127 : WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] != 0) {
      throw Error(ErrorCode::kInternal,
                  fmt::format("{} exited with {}:\n{}", argvs[i][0], codes[i], FileTail(logs[i])));
    }
  }
  return seconds;
}

// Writes the header and the first half of the data lines of `path` to `first`, the header and
// the rest to `second`: the split is at a line boundary (the generated data has no newline inside
// a field). Throws Error(kIo).
void SplitCsv(const std::string& path, const std::string& first, const std::string& second) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot open file", {.file = path});
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(std::move(line));
  size_t half = lines.size() / 2;
  for (const auto& [file, begin, end] :
       {std::tuple{first, size_t{0}, half}, std::tuple{second, half, lines.size()}}) {
    std::ofstream out(file, std::ios::binary);
    out << header << '\n';
    for (size_t i = begin; i < end; ++i) out << lines[i] << '\n';
    if (!out.flush()) throw Error(ErrorCode::kIo, "cannot write file", {.file = file});
  }
}

// psql's argv loading `sources` with one \copy each, in order, in one session.
std::vector<std::string> PsqlCopy(const std::string& psql, const std::string& url,
                                  const std::vector<JobSource>& sources) {
  std::vector<std::string> argv = {psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url};
  for (const JobSource& s : sources) {
    argv.push_back("-c");
    argv.push_back(fmt::format("\\copy {} FROM {} CSV HEADER", s.name, Quoted(s.file)));
  }
  return argv;
}

// A pgloader command file loading each CSV of `sources` (header skipped, RFC 4180 quoting) into
// the existing table of the same name in the database at `url`.
std::string PgloaderCommands(const std::string& url, const std::vector<JobSource>& sources) {
  std::string text;
  for (const JobSource& s : sources) {
    std::string columns = fmt::format("{}", fmt::join(ColumnNames(s.schema), ", "));
    text += fmt::format(
        "LOAD CSV\n  FROM {} ({})\n  INTO {}\n  TARGET TABLE {} ({})\n"
        "  WITH skip header = 1, fields optionally enclosed by '\"', "
        "fields escaped by double-quote, fields terminated by ',';\n\n",
        Quoted(s.file), columns, url, s.name, columns);
  }
  return text;
}

std::string LoadAverage() {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) return "unknown";
  return fmt::format("{:.2f} {:.2f} {:.2f}", load[0], load[1], load[2]);
}

std::string Verdict(bool met) { return met ? "met" : "NOT met"; }

// A fresh store of one kind for one run: a new SQLite file or a new PostgreSQL database.
class FreshStore {
 public:
  FreshStore(const std::string& kind, PgServer* server, const std::string& sqlite_path)
      : server_(kind == "postgres" ? server : nullptr), path_(sqlite_path) {
    if (server_) {
      url_ = server_->CreateDatabase();
      server_->Checkpoint();
    } else {
      Remove();
      url_ = "sqlite:" + path_;
    }
  }
  ~FreshStore() {
    if (server_) {
      server_->DropDatabase(url_);
    } else {
      Remove();
    }
  }
  FreshStore(const FreshStore&) = delete;
  FreshStore& operator=(const FreshStore&) = delete;

  const std::string& url() const { return url_; }
  int64_t Count(const std::string& table) const {
    return server_ ? CountPgRows(url_, table) : CountRows(path_, table);
  }
  std::vector<std::string> CheckViewsAgainstSelect(const std::vector<JobView>& views) const {
    return server_ ? CheckPgViews(url_, views) : CheckViews(path_, views);
  }

 private:
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ignored;
      fs::remove(path_ + suffix, ignored);
    }
  }

  PgServer* server_;
  std::string path_;
  std::string url_;
};

// Throws unless every base table of `sources` in `store` holds its expected rows.
void RequireRows(const FreshStore& store, const std::vector<JobSource>& sources,
                 const std::map<std::string, int64_t>& expected, const std::string& what) {
  for (const JobSource& s : sources) {
    int64_t n = store.Count(s.name);
    if (n != expected.at(s.name)) {
      throw Error(ErrorCode::kInternal, fmt::format("{} left {} rows in {}, expected {}", what, n,
                                                    s.name, expected.at(s.name)));
    }
  }
}

// One zload configuration of the matrix.
struct ZloadCase {
  std::string store;
  bool views = false;
  int workers = 1;
  std::string flush;
  size_t index = 0;  // into report.parallel
};

}  // namespace

void MeasureParallel(const ParallelOptions& o, const DataSet& data, const std::string& dir,
                     Report& report) {
  std::vector<JobSource> sources = TpchSources(data, false);
  std::vector<JobView> views = TpchViews();
  std::string base_job = dir + "/parallel_base.toml", views_job = dir + "/parallel_views.toml";
  const int64_t base_batch_rows = o.base_batch_rows > 0 ? o.base_batch_rows : o.batch_rows;
  WriteJobConfig(base_job, sources, {}, base_batch_rows);
  WriteJobConfig(views_job, sources, views, o.batch_rows);
  std::map<std::string, int64_t> expected = {{"customer", data.customer_rows},
                                             {"orders", data.orders_rows},
                                             {"lineitem", data.lineitem_rows}};
  int64_t rows = data.BaseRows();
  bool postgres = false;
  for (const std::string& s : o.stores) postgres = postgres || s == "postgres";
  std::unique_ptr<PgServer> server;
  if (postgres) {
    std::fprintf(stderr, "%s\n",
                 o.pg_url.empty() ? "starting a throwaway PostgreSQL cluster ..."
                                  : "connecting to --pg-url ...");
    server = std::make_unique<PgServer>(o.pg_url, o.pg_bindir);
    report.parallel_notes.push_back("PostgreSQL: " + server->description());
  }
  if (base_batch_rows != o.batch_rows) {
    report.parallel_notes.push_back(
        fmt::format("zload base loads with batch_rows {}, zload 3 views with batch_rows {}",
                    base_batch_rows, o.batch_rows));
  }
  report.parallel_notes.push_back("load average (1, 5, 15 min) at the start: " + LoadAverage());

  std::vector<ZloadCase> cases;
  for (const std::string& store : o.stores) {
    for (const std::string& flush : o.flushes) {
      for (bool with_views : {false, true}) {
        const std::string load = with_views ? "views" : "base";
        if (std::find(o.loads.begin(), o.loads.end(), load) == o.loads.end()) continue;
        for (int workers : o.workers) {
          cases.push_back({store, with_views, workers, flush, report.parallel.size()});
          report.parallel.push_back({store, with_views ? "zload 3 views" : "zload base", workers,
                                     flush, Measurement{"p", "", rows}});
        }
      }
    }
  }
  // The baselines' halves are cut once, before any timing.
  std::vector<JobSource> first_half = sources, second_half = sources;
  size_t copy1 = 0, copy2 = 0, pgloader = 0;
  if (postgres) {
    fs::create_directories(dir + "/halves");
    for (size_t i = 0; i < sources.size(); ++i) {
      first_half[i].file = fmt::format("{}/halves/{}_1.csv", dir, sources[i].name);
      second_half[i].file = fmt::format("{}/halves/{}_2.csv", dir, sources[i].name);
      SplitCsv(sources[i].file, first_half[i].file, second_half[i].file);
    }
    copy1 = report.parallel.size();
    report.parallel.push_back({"postgres", "psql \\copy, 1 stream", 0, "", {"p", "", rows}});
    copy2 = report.parallel.size();
    report.parallel.push_back({"postgres", "psql \\copy, 2 streams", 0, "", {"p", "", rows}});
    pgloader = report.parallel.size();
    report.parallel.push_back({"postgres", "pgloader", 0, "", {"p", "", rows}});
  }

  // Runs go round the whole matrix, so that a passing disturbance spreads over every case.
  for (int run = 1; run <= o.runs; ++run) {
    for (ZloadCase& c : cases) {
      std::string scratch = fmt::format("{}/par_{}_{}_w{}_{}_r{}", dir, c.store,
                                        c.views ? "views" : "base", c.workers, c.flush, run);
      FreshStore store(c.store, server.get(), scratch + ".db");
      ZloadRun z = RunZloadWorkers(o.zload, c.views ? views_job : base_job, store.url(), c.workers,
                                   c.flush, scratch);
      ParallelMeasurement& p = report.parallel[c.index];
      p.m.seconds.push_back(z.child.seconds);
      p.m.peak_rss_kb.push_back(z.child.peak_rss_kb);
      p.m.tool_seconds.push_back(z.tool_seconds);
      std::string what = fmt::format("{} on {} (--workers {}, flush_every_set {})", p.load, c.store,
                                     c.workers, c.flush);
      if (z.rows != rows) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("{} reported {} rows, expected {}", what, z.rows, rows));
      }
      RequireRows(store, sources, expected, what);
      if (run == 1 && c.views) {
        std::vector<std::string> problems = store.CheckViewsAgainstSelect(views);
        std::string oracle = c.store == "postgres" ? "PostgreSQL's" : "SQLite's";
        std::string note =
            problems.empty() ? fmt::format("views after {}: equal to {} SELECT", what, oracle)
                             : fmt::format("views after {}: DIFFER from {} SELECT:", what, oracle);
        for (const std::string& problem : problems) note += "\n  " + problem;
        report.parallel_notes.push_back(note);
      }
      std::fprintf(stderr, "run %d/%d: %-8s %-13s workers %d flush %-5s %8.2f s (zload %.2f s)\n",
                   run, o.runs, c.store.c_str(), p.load.c_str(), c.workers, c.flush.c_str(),
                   z.child.seconds, z.tool_seconds);
    }
    if (!postgres) continue;

    std::string scratch = fmt::format("{}/par_baseline_r{}", dir, run);
    {
      FreshStore store("postgres", server.get(), "");
      CreatePgTables(store.url(), sources);
      ChildRun copy = RunChild(PsqlCopy(o.psql, store.url(), sources), scratch + "_copy1.log");
      if (copy.exit_code != 0) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("psql \\copy exited with {}:\n{}", copy.exit_code,
                                FileTail(scratch + "_copy1.log")));
      }
      report.parallel[copy1].m.seconds.push_back(copy.seconds);
      RequireRows(store, sources, expected, "psql \\copy, 1 stream");
    }
    {
      FreshStore store("postgres", server.get(), "");
      CreatePgTables(store.url(), sources);
      double seconds = RunConcurrently(
          {PsqlCopy(o.psql, store.url(), first_half), PsqlCopy(o.psql, store.url(), second_half)},
          {scratch + "_copy2a.log", scratch + "_copy2b.log"});
      report.parallel[copy2].m.seconds.push_back(seconds);
      RequireRows(store, sources, expected, "psql \\copy, 2 streams");
    }
    {
      FreshStore store("postgres", server.get(), "");
      CreatePgTables(store.url(), sources);
      std::string commands = scratch + "_pgloader.load", root = scratch + "_pgloader";
      fs::create_directories(root);
      std::ofstream(commands) << PgloaderCommands(store.url(), sources);
      ChildRun load =
          RunChild({o.pgloader, "--root-dir", root, "--logfile", root + "/pgloader.log", commands},
                   scratch + "_pgloader.log");
      if (load.exit_code != 0) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("pgloader exited with {}:\n{}", load.exit_code,
                                FileTail(scratch + "_pgloader.log")));
      }
      report.parallel[pgloader].m.seconds.push_back(load.seconds);
      report.parallel[pgloader].m.peak_rss_kb.push_back(load.peak_rss_kb);
      RequireRows(store, sources, expected, "pgloader");
    }
    std::fprintf(
        stderr, "run %d/%d: postgres \\copy x1 %.2f s, \\copy x2 %.2f s, pgloader %.2f s\n", run,
        o.runs, report.parallel[copy1].m.seconds.back(), report.parallel[copy2].m.seconds.back(),
        report.parallel[pgloader].m.seconds.back());
  }
  report.parallel_notes.push_back("load average (1, 5, 15 min) at the end: " + LoadAverage());
  report.parallel_notes.push_back(fmt::format(
      "every run's base tables held {} rows (customer {}, orders {}, lineitem {}), zload's and "
      "the baselines' alike",
      rows, data.customer_rows, data.orders_rows, data.lineitem_rows));

  // Speed-ups, then the goals, from medians of wall time.
  auto find = [&](const std::string& store, bool with_views, int workers,
                  const std::string& flush) -> const ParallelMeasurement* {
    for (const ZloadCase& c : cases) {
      if (c.store == store && c.views == with_views && c.workers == workers && c.flush == flush) {
        return &report.parallel[c.index];
      }
    }
    return nullptr;
  };
  for (const ZloadCase& c : cases) {
    const ParallelMeasurement* one = find(c.store, c.views, 1, c.flush);
    ParallelMeasurement& p = report.parallel[c.index];
    if (one && p.m.Median() > 0) p.speedup = one->m.Median() / p.m.Median();
  }
  for (const std::string& flush : o.flushes) {
    if (postgres) {
      const Measurement& c1 = report.parallel[copy1].m;
      const Measurement& c2 = report.parallel[copy2].m;
      const Measurement& pl = report.parallel[pgloader].m;
      if (const ParallelMeasurement* b1 = find("postgres", false, 1, flush)) {
        double v = c1.Median() / b1->m.Median();
        report.parallel_ratios.push_back(
            {fmt::format("postgres flush={}: base, 1 worker rows/s / \\copy 1 stream", flush), v,
             ">= 0.9", Verdict(v >= 0.9)});
      }
      if (const ParallelMeasurement* b2 = find("postgres", false, 2, flush)) {
        double v = c2.Median() / b2->m.Median();
        report.parallel_ratios.push_back(
            {fmt::format("postgres flush={}: base, 2 workers rows/s / \\copy 2 streams", flush), v,
             ">= 1.0", Verdict(v >= 1.0)});
        v = pl.Median() / b2->m.Median();
        report.parallel_ratios.push_back(
            {fmt::format("postgres flush={}: base, 2 workers rows/s / pgloader", flush), v, ">= 10",
             Verdict(v >= 10)});
      }
    }
    for (const std::string& store : o.stores) {
      const ParallelMeasurement* v1 = find(store, true, 1, flush);
      const ParallelMeasurement* v2 = find(store, true, 2, flush);
      if (v1 && v2) {
        double v = v1->m.Median() / v2->m.Median();
        report.parallel_ratios.push_back(
            {fmt::format("{} flush={}: 3 views, 2 workers speed-up over 1", store, flush), v,
             ">= 1.6", Verdict(v >= 1.6)});
      }
    }
  }
}

}  // namespace zload::bench
