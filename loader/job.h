#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/sql/compiler.h"
#include "loader/base_backed_state.h"
#include "loader/job_config.h"
#include "stores/job_store.h"

namespace zload {

// Opens the store a URL names: "sqlite:<path>" (parent directories are created) or
// "postgresql://user@host:port/database". Throws Error(kConfig) for a URL zload cannot use.
std::unique_ptr<JobStore> OpenJobStore(const std::string& url);

// A job ready to load: schemas parsed, every view compiled into one graph bound to the store,
// and the store's catalog checked against the config.
class Job {
 public:
  // One [[source]] and its place in the graph.
  struct Source {
    const SourceConfig* config;
    Schema schema;
    VertexId vertex;
    std::vector<size_t> key_columns;  // primary-key column positions, empty without a key
    bool read_by_views = false;       // some view reads this source
  };
  // One [[view]] and the vertex that emits its delta.
  struct View {
    const ViewConfig* config;
    CompiledView compiled;
    bool is_new = false;  // not in the store's catalog yet: it must be built from the base tables
  };

  // Compiles `config`. With a store, creates missing tables, checks the catalog and binds the
  // graph to the store's state (a join side read straight from a source is served by the base
  // table, so each source delta must reach its base table after the iteration that reads it);
  // without one (a dry run) binds to memory. Throws Error(kConfig)
  // when a source's schema or a view's definition differs from what the store holds, and the
  // errors of schema parsing and view compilation (with their positions in the config file).
  Job(const JobConfig& config, JobStore* store);
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  const JobConfig& config() const { return config_; }
  Graph& graph() { return graph_; }
  std::vector<Source>& sources() { return sources_; }
  std::vector<View>& views() { return views_; }
  // The state tables the graph opened in the store, in binding order (empty without a store).
  const std::vector<BaseBackedStateStore::Opened>& StateTables() const;
  // Sets the hook each state table served by base tables calls before a read (without a store:
  // nothing to call it).
  void SetBeforeServedRead(BaseBackedStateStore::BeforeRead hook) {
    if (state_) state_->SetBeforeRead(std::move(hook));
  }
  // The view named `name`, or nullptr.
  View* FindView(const std::string& name);
  // The vertex emitting each view's delta, in view order.
  std::vector<VertexId> ViewOutputs() const;

  // `name` and every view that reads it, directly or through other views, in config order.
  std::vector<std::string> WithDependents(const std::string& name) const;

  // Marks every view of the store's catalog that this config leaves out as stale: a run that
  // loads rows does not maintain it, so when a config names it again it is rebuilt from the base
  // tables. REQUIRES: a store; inside a transaction.
  void MarkOmittedViewsStale();

  // Recomputes the named views from the base tables in the store and writes their tables and
  // state, leaving every other view's state untouched. REQUIRES: a store; inside a transaction.
  void BuildViews(const std::vector<std::string>& names);

 private:
  std::string ViewShape(const std::string& view_name) const;

  JobConfig config_;
  JobStore* store_;
  Graph graph_;
  std::vector<Source> sources_;
  std::vector<View> views_;
  std::unique_ptr<StateStore> dry_run_state_;
  // With a store: its state, base tables serving sources' integrals.
  std::unique_ptr<BaseBackedStateStore> state_;
};

}  // namespace zload
