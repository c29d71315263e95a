#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"

namespace zload {

// Where a setting was written in a config file (for errors that point at it).
struct ConfigPosition {
  int64_t line = 0;
  int64_t column = 0;
};

// One [[source]]: a base table loaded from one input file.
struct SourceConfig {
  std::string name;                      // the base table's name in the store
  std::string file;                      // absolute or relative-to-cwd path, or "-" for stdin
  std::string format;                    // "csv" or "jsonl"
  std::string schema;                    // e.g. "name TEXT NOT NULL, price REAL"
  ConfigPosition schema_position;        // where `schema` is written
  std::vector<std::string> primary_key;  // empty: no key, every row is a new row
  std::optional<std::string> op_column;  // per-row '+'/'-' column, if any
  char delimiter = ',';                  // CSV field delimiter
};

// One [[view]]: a SQL SELECT kept up to date in the store.
struct ViewConfig {
  std::string name;
  std::string sql;
  ConfigPosition sql_position;  // where the SQL text starts in the config file
};

// What to do with a malformed input row.
enum class BadRowPolicy { kAbort, kReject };
// What the coordinator does with a batch whose worker failed or died ([run] on_error).
enum class ErrorPolicy { kRetry, kSkip, kAbort };

// The [run] table.
struct RunConfig {
  int64_t batch_rows = 10000;  // rows per batch (one iteration)
  BadRowPolicy on_bad_row = BadRowPolicy::kAbort;
  std::string reject_file;   // where rejected rows go (resolved path)
  int64_t max_errors = 100;  // with kReject: stop once more rows than this are rejected
  ErrorPolicy on_error = ErrorPolicy::kRetry;  // with workers: retry a failed batch, then abort
  int64_t max_retries = 3;  // with workers: runs of a failed batch again before on_error gives up
  int64_t worker_timeout_s = 600;  // a worker holding one batch longer than this is killed
  int64_t workers = 0;  // worker processes applying batches; 0: the coordinator applies them
  bool flush_every_set = false;      // workers commit after each delay vertex, not per batch
  int64_t max_sleep_ms = 2;          // longest sleep between two frontier polls
  int64_t frontier_timeout_s = 300;  // give up waiting for a table's frontier after this long
  // Without workers: consecutive batches share one transaction until it is this old (0: a
  // transaction per batch).
  int64_t commit_interval_ms = 1000;
};

// A parsed, validated job configuration. Paths in it are resolved against the config file's
// directory, so the job runs the same from any working directory.
struct JobConfig {
  std::string path;       // the config file
  std::string store_url;  // "sqlite:<absolute path>" or "postgresql://..."
  std::vector<SourceConfig> sources;
  std::vector<ViewConfig> views;
  RunConfig run;
};

// Reads and validates the TOML job config at `path`. Throws Error(kConfig) naming the file,
// line and column for a syntax error, an unknown key, a missing or mistyped setting, a bad
// name, or a duplicate source/view name; Error(kIo) when the file cannot be read.
JobConfig LoadJobConfig(const std::string& path);

// Whether store URL `url` names a PostgreSQL store (postgresql:// or postgres://).
bool IsPostgresUrl(const std::string& url);

// Parses TOML `text` as if read from `path` (used by tests and for stdin configs).
JobConfig ParseJobConfig(const std::string& text, const std::string& path);

}  // namespace zload
