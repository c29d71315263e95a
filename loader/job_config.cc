#include "loader/job_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <toml.hpp>

namespace zload {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const std::string& path, const toml::value& at, const std::string& what) {
  const toml::source_location loc = at.location();
  throw Error(ErrorCode::kConfig, what, {.file = path, .line = loc.line(), .column = loc.column()});
}

ConfigPosition PositionOf(const toml::value& v) {
  const toml::source_location loc = v.location();
  return {loc.line(), loc.column()};
}

// Rejects keys of `table` not in `allowed`.
void CheckKeys(const std::string& path, const toml::value& table, const std::string& where,
               const std::set<std::string>& allowed) {
  if (!table.is_table()) Fail(path, table, where + " must be a table");
  for (const auto& [key, value] : table.as_table()) {
    if (!allowed.count(key)) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      Fail(path, value, fmt::format("unknown key '{}' in {} (known keys: {})", key, where, names));
    }
  }
}

const toml::value* Find(const toml::value& table, const std::string& key) {
  const auto& t = table.as_table();
  auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

std::string RequireString(const std::string& path, const toml::value& table, const std::string& key,
                          const std::string& where) {
  const toml::value* v = Find(table, key);
  if (!v) Fail(path, table, fmt::format("{} needs '{}'", where, key));
  if (!v->is_string()) Fail(path, *v, fmt::format("'{}' in {} must be a string", key, where));
  return v->as_string().str;
}

std::optional<std::string> OptionalString(const std::string& path, const toml::value& table,
                                          const std::string& key, const std::string& where) {
  if (!Find(table, key)) return std::nullopt;
  return RequireString(path, table, key, where);
}

int64_t OptionalInt(const std::string& path, const toml::value& table, const std::string& key,
                    int64_t fallback, int64_t min) {
  const toml::value* v = Find(table, key);
  if (!v) return fallback;
  if (!v->is_integer()) Fail(path, *v, fmt::format("'{}' must be an integer", key));
  if (v->as_integer() < min) Fail(path, *v, fmt::format("'{}' must be at least {}", key, min));
  return v->as_integer();
}

// Names become SQL table names: keep them plain identifiers, and away from zload's own tables.
void CheckName(const std::string& path, const toml::value& at, const std::string& name) {
  bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) {
    Fail(path, at,
         fmt::format("name '{}' must be letters, digits and '_', not starting with a digit", name));
  }
  if (name.find("__") != std::string::npos || name.rfind("zload_", 0) == 0 ||
      name == "last_update") {
    Fail(path, at,
         fmt::format("name '{}' is reserved ('__', 'zload_' and 'last_update' are zload's)", name));
  }
}

std::string Resolve(const fs::path& base, const std::string& file) {
  if (file == "-") return file;
  fs::path p(file);
  return (p.is_absolute() ? p : base / p).lexically_normal().string();
}

SourceConfig ParseSource(const std::string& path, const fs::path& base, const toml::value& t) {
  const std::string where = "[[source]]";
  CheckKeys(path, t, where,
            {"name", "file", "format", "schema", "primary_key", "op_column", "delimiter"});
  SourceConfig s;
  s.name = RequireString(path, t, "name", where);
  CheckName(path, *Find(t, "name"), s.name);
  s.file = Resolve(base, RequireString(path, t, "file", where));
  s.schema = RequireString(path, t, "schema", where);
  s.schema_position = PositionOf(*Find(t, "schema"));
  std::string ext = fs::path(s.file).extension().string();
  s.format = OptionalString(path, t, "format", where).value_or(ext == ".jsonl" ? "jsonl" : "csv");
  if (s.format != "csv" && s.format != "jsonl") {
    Fail(path, *Find(t, "format"), "format must be \"csv\" or \"jsonl\", not \"" + s.format + "\"");
  }
  if (s.file == "-" && !Find(t, "format") && ext.empty()) s.format = "csv";
  if (const toml::value* pk = Find(t, "primary_key")) {
    if (!pk->is_array()) Fail(path, *pk, "primary_key must be an array of column names");
    for (const toml::value& col : pk->as_array()) {
      if (!col.is_string()) Fail(path, col, "primary_key must be an array of column names");
      s.primary_key.push_back(col.as_string().str);
    }
  }
  s.op_column = OptionalString(path, t, "op_column", where);
  if (auto d = OptionalString(path, t, "delimiter", where)) {
    if (d->size() != 1 || *d == "\"" || *d == "\n" || *d == "\r") {
      Fail(path, *Find(t, "delimiter"),
           "delimiter must be one character other than a quote or newline");
    }
    s.delimiter = (*d)[0];
  }
  return s;
}

JobConfig FromToml(const toml::value& root, const std::string& path) {
  fs::path base = fs::absolute(fs::path(path)).parent_path();
  CheckKeys(path, root, "the job config", {"store", "source", "view", "run"});
  JobConfig job;
  job.path = path;
  job.store_url = "sqlite:" + (base / "zload.db").string();
  if (const toml::value* store = Find(root, "store")) {
    CheckKeys(path, *store, "[store]", {"url"});
    if (auto url = OptionalString(path, *store, "url", "[store]")) {
      if (url->rfind("sqlite:", 0) == 0) {
        job.store_url = "sqlite:" + Resolve(base, url->substr(7));
      } else if (IsPostgresUrl(*url)) {
        job.store_url = *url;
      } else {
        Fail(path, *Find(*store, "url"),
             "store url must start with 'sqlite:' or 'postgresql://', not '" + *url + "'");
      }
    }
  }
  std::set<std::string> names;
  auto claim = [&](const toml::value& at, const std::string& name) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!names.insert(lower).second) Fail(path, at, "duplicate source or view name '" + name + "'");
  };
  if (const toml::value* sources = Find(root, "source")) {
    if (!sources->is_array()) Fail(path, *sources, "source must be written as [[source]] tables");
    for (const toml::value& t : sources->as_array()) {
      job.sources.push_back(ParseSource(path, base, t));
      claim(*Find(t, "name"), job.sources.back().name);
    }
  }
  if (job.sources.empty()) Fail(path, root, "the job has no [[source]]");
  if (const toml::value* views = Find(root, "view")) {
    if (!views->is_array()) Fail(path, *views, "view must be written as [[view]] tables");
    for (const toml::value& t : views->as_array()) {
      CheckKeys(path, t, "[[view]]", {"name", "sql"});
      ViewConfig v{RequireString(path, t, "name", "[[view]]"),
                   RequireString(path, t, "sql", "[[view]]"), PositionOf(*Find(t, "sql"))};
      CheckName(path, *Find(t, "name"), v.name);
      claim(*Find(t, "name"), v.name);
      job.views.push_back(std::move(v));
    }
  }
  job.run.reject_file = (base / "rejects.csv").string();
  if (const toml::value* run = Find(root, "run")) {
    CheckKeys(path, *run, "[run]",
              {"batch_rows", "on_bad_row", "reject_file", "max_errors", "workers",
               "flush_every_set", "max_sleep_ms", "frontier_timeout_s", "on_error", "max_retries",
               "worker_timeout_s", "commit_interval_ms"});
    job.run.worker_timeout_s =
        OptionalInt(path, *run, "worker_timeout_s", job.run.worker_timeout_s, 1);
    job.run.max_retries = OptionalInt(path, *run, "max_retries", job.run.max_retries, 0);
    if (auto policy = OptionalString(path, *run, "on_error", "[run]")) {
      if (*policy == "retry") {
        job.run.on_error = ErrorPolicy::kRetry;
      } else if (*policy == "skip") {
        job.run.on_error = ErrorPolicy::kSkip;
      } else if (*policy == "abort") {
        job.run.on_error = ErrorPolicy::kAbort;
      } else {
        Fail(path, *Find(*run, "on_error"),
             "on_error must be \"retry\", \"skip\" or \"abort\", not \"" + *policy + "\"");
      }
    }
    job.run.batch_rows = OptionalInt(path, *run, "batch_rows", job.run.batch_rows, 1);
    job.run.workers = OptionalInt(path, *run, "workers", job.run.workers, 0);
    job.run.max_sleep_ms = OptionalInt(path, *run, "max_sleep_ms", job.run.max_sleep_ms, 1);
    job.run.commit_interval_ms =
        OptionalInt(path, *run, "commit_interval_ms", job.run.commit_interval_ms, 0);
    job.run.frontier_timeout_s =
        OptionalInt(path, *run, "frontier_timeout_s", job.run.frontier_timeout_s, 1);
    if (const toml::value* flush = Find(*run, "flush_every_set")) {
      if (!flush->is_boolean()) Fail(path, *flush, "flush_every_set must be true or false");
      job.run.flush_every_set = flush->as_boolean();
    }
    job.run.max_errors = OptionalInt(path, *run, "max_errors", job.run.max_errors, 0);
    if (auto policy = OptionalString(path, *run, "on_bad_row", "[run]")) {
      if (*policy == "abort") {
        job.run.on_bad_row = BadRowPolicy::kAbort;
      } else if (*policy == "reject") {
        job.run.on_bad_row = BadRowPolicy::kReject;
      } else {
        Fail(path, *Find(*run, "on_bad_row"),
             "on_bad_row must be \"abort\" or \"reject\", not \"" + *policy + "\"");
      }
    }
    if (auto reject = OptionalString(path, *run, "reject_file", "[run]")) {
      job.run.reject_file = Resolve(base, *reject);
    }
  }
  return job;
}

}  // namespace

JobConfig ParseJobConfig(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  toml::value root;
  try {
    root = toml::parse(in, path);
  } catch (const toml::syntax_error& e) {
    const toml::source_location loc = e.location();
    // toml11's own message spans several lines with a caret; keep its first line as the reason.
    std::string what = e.what();
    std::string first = what.substr(0, what.find('\n'));
    if (first.rfind("[error] ", 0) == 0) first = first.substr(8);
    throw Error(ErrorCode::kConfig, "TOML syntax error: " + first,
                {.file = path, .line = loc.line(), .column = loc.column()});
  }
  return FromToml(root, path);
}

JobConfig LoadJobConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot read the job config", {.file = path});
  std::stringstream text;
  text << in.rdbuf();
  return ParseJobConfig(text.str(), path);
}

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

}  // namespace zload
