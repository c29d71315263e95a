#include "loader/job.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "engine/error.h"
#include "engine/iteration.h"
#include "engine/memory_store.h"
#include "engine/unique_key.h"
#include "loader/base_backed_state.h"
#include "loader/postgres_link.h"
#include "loader/schema_parse.h"
#include "stores/sqlite_job_store.h"

namespace zload {
namespace {

// Sends the state tables of the views being built to the store and every other table to a
// scratch memory store, so that other views' state is not touched by a rebuild. A table the
// store serves from base tables starts empty in scratch memory too: the job reads the base
// tables afterwards.
class RoutingStore : public StateStore {
 public:
  RoutingStore(const Graph& graph, JobStore& store, std::vector<std::string> prefixes)
      : graph_(graph), store_(store), prefixes_(std::move(prefixes)) {}
  StateTable& Open(const StateTableSpec& spec) override {
    // A table the store serves from base tables is read from there afterwards; one the store
    // keeps as a state table of its own is built like any other.
    if (std::optional<BaseRelation> relation = ServedRelation(graph_, spec)) {
      if (store_.OpenBaseRelationState(*relation, spec)) return scratch_.Open(spec);
    }
    for (const std::string& p : prefixes_) {
      if (spec.name.rfind(p, 0) == 0) return store_.state().Open(spec);
    }
    return scratch_.Open(spec);
  }

 private:
  const Graph& graph_;
  JobStore& store_;
  std::vector<std::string> prefixes_;
  MemoryStore scratch_;
};

std::string RenderSchema(const Schema& schema) {
  std::vector<std::string> cols;
  for (const Column& c : schema.columns()) {
    cols.push_back(fmt::format("{} {}{}", c.name, TypeName(c.type), c.nullable ? "" : " NOT NULL"));
  }
  return fmt::format("{}", fmt::join(cols, ", "));
}

// Collapses runs of white space so that re-indenting a view's SQL is not a change.
std::string NormalizeSql(const std::string& sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Adds the config file's position to an error raised inside a config string (schema or SQL),
// whose own line/column count from the start of that string.
[[noreturn]] void Rethrow(const Error& e, const std::string& config_path, const ConfigPosition& at,
                          const std::string& what) {
  ErrorContext c = e.context();
  c.file = config_path;
  int64_t line = c.line.value_or(1);
  c.column = line == 1 ? at.column + c.column.value_or(1) : c.column.value_or(1);
  c.line = at.line + line - 1;
  ErrorCode code = e.code() == ErrorCode::kParse ? ErrorCode::kConfig : e.code();
  throw Error(code, what + ": " + e.message(), std::move(c));
}

// Begins the catalog shape of a view that a run left out: it is rebuilt when it returns.
constexpr std::string_view kStaleMark = "stale\n";

// The state layout without a store (JobStore::StateLayoutVersion says what the versions mean).
constexpr int kStateLayoutVersion = 2;

}  // namespace

std::unique_ptr<JobStore> OpenJobStore(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) {
    std::filesystem::path path(url.substr(7));
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    return std::make_unique<SqliteJobStore>(path.string());
  }
  if (IsPostgresUrl(url)) return OpenPostgresJobStore(url);
  throw Error(ErrorCode::kConfig, "store '" + url +
                                      "' is not supported: use sqlite:<path> or "
                                      "postgresql://user@host:port/database");
}

Job::Job(const JobConfig& config, JobStore* store) : config_(config), store_(store) {
  RelationCatalog catalog;
  for (const SourceConfig& sc : config_.sources) {
    Schema schema;
    try {
      schema = ParseSchema(sc.schema);
    } catch (const Error& e) {
      Rethrow(e, config_.path, sc.schema_position, "schema of source '" + sc.name + "'");
    }
    Source source{&sc, schema, graph_.AddSource(sc.name, schema), {}};
    for (const std::string& key : sc.primary_key) {
      auto pos = schema.IndexOf(key);
      if (!pos) {
        throw Error(ErrorCode::kConfig,
                    fmt::format("primary_key column '{}' is not in the schema of source '{}'", key,
                                sc.name),
                    {.file = config_.path});
      }
      source.key_columns.push_back(*pos);
    }
    if (sc.op_column && schema.IndexOf(*sc.op_column)) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("op_column '{}' of source '{}' is also a schema column",
                              *sc.op_column, sc.name),
                  {.file = config_.path});
    }
    catalog.Add({sc.name, source.vertex, schema});
    sources_.push_back(std::move(source));
  }
  for (const ViewConfig& vc : config_.views) {
    CompiledView compiled;
    try {
      compiled = CompileView(graph_, catalog, vc.name, vc.sql);
    } catch (const Error& e) {
      Rethrow(e, config_.path, vc.sql_position, "view '" + vc.name + "'");
    }
    catalog.Add({vc.name, compiled.output, compiled.schema});
    views_.push_back({&vc, std::move(compiled), false});
  }

  for (Source& s : sources_) {
    for (VertexId id = 0; id < graph_.size(); ++id) {
      const std::vector<VertexId>& in = graph_.vertex(id).inputs;
      s.read_by_views |= std::find(in.begin(), in.end(), s.vertex) != in.end();
    }
  }
  if (!store_) {
    dry_run_state_ = std::make_unique<MemoryStore>();
    graph_.Bind(*dry_run_state_);
    return;
  }
  for (Source& s : sources_) {
    SourceDefinition want{s.config->name, RenderSchema(s.schema), s.config->primary_key};
    std::optional<SourceDefinition> have = store_->FindSource(want.name);
    if (!have) {
      store_->CreateBaseTable(want, s.schema, s.config->op_column.has_value());
      store_->PutSource(want);
    } else if (have->schema != want.schema || have->primary_key != want.primary_key) {
      throw Error(
          ErrorCode::kConfig,
          fmt::format("source '{}' in the store has schema ({}){}; the config now says "
                      "({}){}: load into a new store, or keep the schema",
                      want.name, have->schema,
                      have->primary_key.empty()
                          ? ""
                          : fmt::format(" with primary key {}", fmt::join(have->primary_key, ",")),
                      want.schema,
                      want.primary_key.empty()
                          ? ""
                          : fmt::format(" with primary key {}", fmt::join(want.primary_key, ","))),
          {.file = config_.path});
    }
  }
  for (View& v : views_) {
    ViewDefinition want{v.compiled.name, NormalizeSql(v.config->sql), ViewShape(v.compiled.name)};
    std::optional<ViewDefinition> have = store_->FindView(want.name);
    if (have && have->shape.rfind(kStaleMark, 0) == 0) {
      // Left out of a run that loaded rows: its table and state missed them.
      store_->DropView(want.name);
      have.reset();
    }
    if (!have) {
      v.is_new = true;
      if (std::optional<std::vector<size_t>> key = UniqueKey(graph_, v.compiled.output)) {
        store_->CreateKeyedViewTable(want.name, v.compiled.schema, *key);
      } else {
        store_->CreateViewTable(want.name, v.compiled.schema);
      }
      store_->PutView(want);
    } else if (have->sql == want.sql && have->shape != want.shape) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("view '{}' was stored by a zload whose state layout or plan "
                              "differs from this one's: run `zload rebuild {} {}` to recompute it "
                              "from the base tables",
                              want.name, want.name, config_.path),
                  {.file = config_.path, .line = v.config->sql_position.line});
    } else if (have->sql != want.sql || have->shape != want.shape) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("view '{}' changed: the store keeps it as\n  {}\nbut the config now "
                              "says\n  {}\nrun `zload rebuild {} {}` to recompute it from the base "
                              "tables",
                              want.name, have->sql, want.sql, want.name, config_.path),
                  {.file = config_.path, .line = v.config->sql_position.line});
    }
  }
  state_ = std::make_unique<BaseBackedStateStore>(graph_, *store_);
  graph_.Bind(*state_);
}

void Job::MarkOmittedViewsStale() {
  for (const ViewDefinition& stored : store_->Views()) {
    bool kept = false;
    for (const View& v : views_) kept |= v.compiled.name == stored.name;
    if (kept || stored.shape.rfind(kStaleMark, 0) == 0) continue;
    store_->PutView({stored.name, stored.sql, std::string(kStaleMark) + stored.shape});
  }
}

const std::vector<BaseBackedStateStore::Opened>& Job::StateTables() const {
  static const std::vector<BaseBackedStateStore::Opened> kNone;
  return state_ ? state_->opened() : kNone;
}

std::vector<VertexId> Job::ViewOutputs() const {
  std::vector<VertexId> out;
  out.reserve(views_.size());
  for (const View& v : views_) out.push_back(v.compiled.output);
  return out;
}

Job::View* Job::FindView(const std::string& name) {
  for (View& v : views_) {
    if (v.compiled.name == name) return &v;
  }
  return nullptr;
}

std::vector<std::string> Job::WithDependents(const std::string& name) const {
  std::vector<std::string> out{name};
  auto owner = [&](VertexId id) {
    const std::string& vertex = graph_.vertex(id).name;
    size_t cut = vertex.find("__");
    return cut == std::string::npos ? vertex : vertex.substr(0, cut);
  };
  for (const View& v : views_) {
    const std::string& candidate = v.compiled.name;
    if (candidate == name) continue;
    bool reads = false;
    for (VertexId id = 0; id < graph_.size() && !reads; ++id) {
      if (owner(id) != candidate) continue;
      for (VertexId in : graph_.vertex(id).inputs) {
        reads |=
            std::find(out.begin(), out.end(), owner(in)) != out.end() && owner(in) != candidate;
      }
    }
    if (reads) out.push_back(candidate);
  }
  return out;
}

std::string Job::ViewShape(const std::string& view_name) const {
  const std::string prefix = view_name + "__";
  // The state layout's version: a store written under another one is rebuilt, not misread.
  std::string shape =
      fmt::format("state layout {}\n", store_ ? store_->StateLayoutVersion() : kStateLayoutVersion);
  for (VertexId id = 0; id < graph_.size(); ++id) {
    const Vertex& v = graph_.vertex(id);
    if (v.name.rfind(prefix, 0) != 0) continue;
    std::vector<std::string> inputs;
    for (VertexId in : v.inputs) inputs.push_back(graph_.vertex(in).name);
    shape += fmt::format("{} {} [{}] ({})\n", v.name, v.op->Kind(), fmt::join(inputs, ","),
                         RenderSchema(v.schema));
  }
  return shape;
}

void Job::BuildViews(const std::vector<std::string>& names) {
  if (names.empty()) return;
  // A second graph of the same config, whose other views compute in scratch memory.
  std::vector<std::string> prefixes;
  for (const std::string& n : names) prefixes.push_back(n + "__");
  Job scratch(config_, nullptr);
  RoutingStore routing(scratch.graph_, *store_, prefixes);
  scratch.graph_.Bind(routing);
  SourceInputs contents;
  for (const Source& s : scratch.sources_)
    contents[s.vertex] = store_->ReadTable(s.config->name, false);
  std::vector<ZSet> out = RunIteration(scratch.graph_, contents);
  for (const std::string& n : names) {
    View* v = scratch.FindView(n);
    if (!v) throw Error(ErrorCode::kConfig, "no view named '" + n + "' in " + config_.path);
    store_->ApplyToViewTable(n, out[v->compiled.output]);
  }
}

}  // namespace zload
