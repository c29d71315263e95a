// The zload command line: run or resume a job, show its status, show or rebuild a view.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#ifdef ZLOAD_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include "engine/error.h"
#include "loader/job.h"
#include "loader/job_config.h"
#include "loader/job_runner.h"
#include "loader/peak_memory.h"
#include "loader/postgres_link.h"
#include "loader/status_report.h"
#include "loader/view_printer.h"
#include "loader/worker.h"

namespace zload {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitRejected = 2;
constexpr int kExitUsage = 64;

// The allocator behind malloc() in this process, as --version names it ("with 2 MiB pages" when
// every heap segment asks for them).
std::string AllocatorName() {
#ifdef ZLOAD_WITH_MIMALLOC
  void* probe = std::malloc(64);
  const bool ours = mi_is_in_heap_region(probe);
  std::free(probe);
  if (ours) {
    const int v = mi_version();
    return "mimalloc " + std::to_string(v / 100) + "." + std::to_string(v / 10 % 10) + "." +
           std::to_string(v % 10) +
           (mi_option_is_enabled(mi_option_large_os_pages) &&
                    mi_option_get(mi_option_eager_commit_delay) == 0
                ? " with 2 MiB pages"
                : "");
  }
#endif
  return "the C library's malloc";
}

// Errors found before anything is loaded are about the job as written: exit 64.
bool IsSetupError(const Error& e) {
  switch (e.code()) {
    case ErrorCode::kConfig:
    case ErrorCode::kSchema:
    case ErrorCode::kUnsupported:
    case ErrorCode::kIo:
      return true;
    default:
      return false;
  }
}

int Fail(const Error& e, int code) {
  std::fprintf(stderr, "zload: error: %s\n", e.what());
  return code;
}

// The flags `run` and `resume` share.
struct RunFlags {
  RunOptions options;
  std::string config_path, store_url, json_path, flush;
  int64_t batch_rows = 0, limit = -1, workers = -1;
  bool quiet = false;
};

void AddRunFlags(CLI::App* app, RunFlags& f) {
  app->add_option("job", f.config_path, "The job config (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--store", f.store_url,
                  "Store URL, e.g. sqlite:out/shop.db (overrides [store] url)");
  app->add_option("--batch-rows", f.batch_rows, "Rows per batch (overrides [run] batch_rows)")
      ->check(CLI::PositiveNumber);
  app->add_flag("-q,--quiet", f.quiet, "No progress bar and no summary");
  app->add_option("--json", f.json_path, "Write a machine-readable summary to this file");
  app->add_option("--workers", f.workers,
                  "Apply batches in N worker processes (overrides [run] workers; 0: in this one)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--flush-every-set", f.flush,
                  "true: workers commit after each delay vertex (overrides [run] flush_every_set)")
      ->check(CLI::IsMember({"true", "false"}));
}

int Run(RunFlags& f) {
  RunOptions& options = f.options;
  if (!f.store_url.empty()) options.store_url = f.store_url;
  if (f.batch_rows > 0) options.batch_rows = f.batch_rows;
  if (f.limit >= 0) options.limit = f.limit;
  if (f.workers >= 0) options.workers = f.workers;
  if (!f.flush.empty()) options.flush_every_set = f.flush == "true";
  const std::string& config_path = f.config_path;
  const std::string& json_path = f.json_path;
  const bool quiet = f.quiet;
  RunSummary summary;
  ProgressBar progress(stderr, !quiet && isatty(STDERR_FILENO));
  int code = kExitOk;
  std::optional<Error> failure;
  try {
    RunJob(LoadJobConfig(config_path), options, progress, summary);
    if (summary.rejected > 0) code = kExitRejected;
  } catch (const Error& e) {
    failure = e;
    code = summary.batches == 0 && IsSetupError(e) ? kExitUsage : kExitError;
  }
  summary.peak_rss_kb = PeakResidentKb();
  if (!summary.sources.empty() && !quiet) std::fputs(RenderSummary(summary).c_str(), stdout);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << SummaryJson(summary);
  }
  if (failure) Fail(*failure, code);
  return code;
}

// Test hooks that break the frontier protocol on purpose (see WorkerOptions):
// ZLOAD_TEST_SKIP_FRONTIER_WAIT=1 and ZLOAD_TEST_DELAY_BATCH=<batch>:<milliseconds>.
void ReadWorkerTestHooks(WorkerOptions& options) {
  if (const char* skip = std::getenv("ZLOAD_TEST_SKIP_FRONTIER_WAIT")) {
    options.skip_frontier_wait = std::string(skip) == "1";
  }
  if (const char* delay = std::getenv("ZLOAD_TEST_DELAY_BATCH")) {
    std::string text = delay;
    size_t colon = text.find(':');
    if (colon != std::string::npos) {
      options.delay_batch = std::stoll(text.substr(0, colon));
      options.delay_ms = std::stoll(text.substr(colon + 1));
    }
  }
}

// Fault injection for tests: ZLOAD_TEST_KILL="<point>@<batch>[,...]" kills this process with
// SIGKILL when it reaches <point> of batch <batch>. A worker's points: "mid-parse",
// "after-parse", "before-vertex-commit-<k>" and "after-vertex-commit-<k>" around the k-th
// delay vertex's commit (from 1), "before-last-update", "after-last-update" and
// "after-journal-write" (both once the batch's last_update and journal entry are written, in
// one statement on PostgreSQL), "before-commit" and "after-commit"; the coordinator's:
// "coordinator-after-handout" and "coordinator-after-done" (without workers, once a batch is
// applied). ZLOAD_TEST_HANG=... makes it hang there instead, for ever or, with
// ZLOAD_TEST_HANG_MS, that many milliseconds. With ZLOAD_TEST_KILL_ONCE_DIR, each fault happens
// once: a marker file records it.
std::function<void(const std::string&, int64_t)> FaultHook(const std::string& role_prefix) {
  const char* kill_spec = std::getenv("ZLOAD_TEST_KILL");
  const char* hang_spec = std::getenv("ZLOAD_TEST_HANG");
  if ((!kill_spec || !*kill_spec) && (!hang_spec || !*hang_spec)) return {};
  const std::string kills = kill_spec ? kill_spec : "";
  const std::string hangs = hang_spec ? hang_spec : "";
  const char* once = std::getenv("ZLOAD_TEST_KILL_ONCE_DIR");
  const std::string once_dir = once ? once : "";
  const char* hang_ms_text = std::getenv("ZLOAD_TEST_HANG_MS");
  const int64_t hang_ms = hang_ms_text ? std::stoll(hang_ms_text) : -1;
  return [kills, hangs, once_dir, role_prefix, hang_ms](const std::string& point, int64_t batch) {
    const std::string here = role_prefix + point + "@" + std::to_string(batch);
    auto listed = [&](const std::string& list) {
      return ("," + list + ",").find("," + here + ",") != std::string::npos;
    };
    const bool kill = listed(kills), hang = listed(hangs);
    if (!kill && !hang) return;
    if (!once_dir.empty()) {
      int fd = ::open((once_dir + "/" + here).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
      if (fd < 0) return;  // this fault already happened
      ::close(fd);
    }
    if (kill) ::raise(SIGKILL);
    if (hang_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(hang_ms));
      return;
    }
    for (;;) ::pause();
  };
}

// The store a parsed command names: its --store URL, else its job config's [store] url; empty
// when it names neither or the config cannot be read (the command itself then says why).
std::string NamedStoreUrl(const std::string& store_flag, const std::string& config_path) {
  if (!store_flag.empty() || config_path.empty()) return store_flag;
  try {
    return LoadJobConfig(config_path).store_url;
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace
}  // namespace zload

int main(int argc, char** argv) {
  using namespace zload;
  CLI::App app{"zload: a parallel batch loader that keeps SQL views exact while it loads"};
  app.set_version_flag("--version",
                       std::string("zload ") + ZLOAD_VERSION + " (allocator: " + AllocatorName() +
                           "; PostgreSQL stores: " +
                           (ServesPostgres() ? "served" : "handed to zload-postgres") + ")");
  app.require_subcommand(1);

  std::string config_path, view, store_url;
  RunFlags run_flags, resume_flags;
  CLI::App* run = app.add_subcommand("run", "Load a job's input files and keep its views exact");
  AddRunFlags(run, run_flags);
  run->add_option("--limit", run_flags.limit, "Load at most N rows in all")
      ->check(CLI::NonNegativeNumber);
  run->add_flag("--dry-run", run_flags.options.dry_run,
                "Check config, SQL and input headers; load nothing");
  run->add_flag("--reload", run_flags.options.reload,
                "Load files this store has already loaded, again");
  CLI::App* resume = app.add_subcommand(
      "resume", "Finish a job's interrupted loads exactly, then load the files not loaded yet");
  AddRunFlags(resume, resume_flags);
  resume_flags.options.resume = true;

  CLI::App* status = app.add_subcommand("status", "Show a job's loads and batches in its store");
  status->add_option("job", config_path, "The job config whose store to read")
      ->check(CLI::ExistingFile);
  status->add_option("--store", store_url, "Store URL to read instead of a job's store");

  // The entry point of the worker processes that `run --workers N` starts (not for people).
  CLI::App* worker = app.add_subcommand("worker", "");
  worker->group("");
  WorkerOptions worker_options;
  int64_t max_sleep_ms = RunConfig{}.max_sleep_ms;
  int64_t frontier_timeout_s = RunConfig{}.frontier_timeout_s;
  worker->add_option("job", config_path)->required();
  worker->add_option("--store", store_url);
  worker->add_flag("--flush-every-set", worker_options.flush_every_set);
  worker->add_option("--max-sleep-ms", max_sleep_ms);
  worker->add_option("--frontier-timeout-s", frontier_timeout_s);
  int64_t coordinator_pid = 0;
  worker->add_option("--coordinator-pid", coordinator_pid);

  CLI::App* show = app.add_subcommand("show", "Print a view (or base table) as an aligned table");
  show->add_option("name", view, "The view or base table")->required();
  show->add_option("job", config_path, "The job config whose store to read")
      ->check(CLI::ExistingFile);
  show->add_option("--store", store_url, "Store URL to read instead of a job's store");

  CLI::App* rebuild = app.add_subcommand("rebuild", "Recompute a view from the base tables");
  rebuild->add_option("name", view, "The view")->required();
  rebuild->add_option("job", config_path, "The job config")->required()->check(CLI::ExistingFile);
  rebuild->add_option("--store", store_url, "Store URL (overrides [store] url)");

  // A file grown past RLIMIT_FSIZE (a full disk's twin) fails the write with EFBIG, reported as
  // an error, rather than ending the process.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  try {
    if (!ServesPostgres()) {
      const RunFlags& job_run = *resume ? resume_flags : run_flags;
      const std::string url = *run || *resume
                                  ? NamedStoreUrl(job_run.store_url, job_run.config_path)
                                  : NamedStoreUrl(store_url, config_path);
      if (IsPostgresUrl(url)) HandOverToPostgresProgram(argv);
    }
    run_flags.options.fault = FaultHook("coordinator-");
    resume_flags.options.fault = FaultHook("coordinator-");
    if (*run) return Run(run_flags);
    if (*resume) return Run(resume_flags);
    if (*status) {
      if (store_url.empty() && config_path.empty()) {
        std::fprintf(stderr, "zload status: give a job config or --store URL\n");
        return kExitUsage;
      }
      std::string url = store_url.empty() ? LoadJobConfig(config_path).store_url : store_url;
      std::fputs(RenderStatus(*OpenJobStore(url)).c_str(), stdout);
      return kExitOk;
    }
    if (*worker) {
      // A worker never outlives its coordinator: nothing writes after the job is gone.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (coordinator_pid != 0 && getppid() != coordinator_pid) return kExitError;
      JobConfig config = LoadJobConfig(config_path);
      if (!store_url.empty()) config.store_url = store_url;
      worker_options.wait.max_sleep = std::chrono::milliseconds(max_sleep_ms);
      worker_options.wait.timeout = std::chrono::seconds(frontier_timeout_s);
      ReadWorkerTestHooks(worker_options);
      worker_options.fault = FaultHook("");
      ServeBatches(config, worker_options, std::cin, std::cout);
      return kExitOk;
    }
    if (*show) {
      if (store_url.empty() && config_path.empty()) {
        std::fprintf(stderr, "zload show: give a job config or --store URL\n");
        return kExitUsage;
      }
      std::string url = store_url.empty() ? LoadJobConfig(config_path).store_url : store_url;
      std::fputs(RenderStoredTable(url, view).c_str(), stdout);
      return kExitOk;
    }
    if (*rebuild) {
      RebuildView(LoadJobConfig(config_path),
                  store_url.empty() ? std::nullopt : std::optional<std::string>(store_url), view);
      std::printf("rebuilt view %s\n", view.c_str());
      return kExitOk;
    }
  } catch (const Error& e) {
    return Fail(e, IsSetupError(e) ? kExitUsage : kExitError);
  }
  return kExitOk;
}
