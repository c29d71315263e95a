#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/state_store.h"
#include "stores/base_relation.h"
#include "stores/job_store.h"

namespace zload {

// The relation vertex `id` emits when it is computed from sources by inner joins (on key columns
// of equal types) and projections onto plain columns only; nullopt otherwise.
std::optional<BaseRelation> RelationOf(const Graph& graph, VertexId id);

// The base-table relation whose integral the state table `spec` is (see
// StateTableSpec::integral_of_input), when its vertex's input is such a relation.
std::optional<BaseRelation> ServedRelation(const Graph& graph, const StateTableSpec& spec);

// The state tables of a job's graph: a table that is the integral of sources (a join's side, a
// MIN/MAX's values) is served by the base tables when the store can, and every other table is
// the store's own state table. With served tables, the loader must apply each source delta to
// its base table after the iteration that reads it.
class BaseBackedStateStore : public StateStore {
 public:
  // Both must outlive this object.
  BaseBackedStateStore(const Graph& graph, JobStore& store);
  StateTable& Open(const StateTableSpec& spec) override;

  // A state table the bound graph opened, by spec name; `base_tables` names the base tables
  // that serve it (empty for the store's own state table).
  struct Opened {
    std::string name;
    std::vector<std::string> base_tables;
  };
  // Every table opened so far, in the order of the first Open.
  const std::vector<Opened>& opened() const { return opened_; }

  // Called with a served table's base tables before each read of that table.
  using BeforeRead = std::function<void(const std::vector<std::string>& base_tables)>;
  // Sets the hook every served table calls before a read (an empty one: none).
  void SetBeforeRead(BeforeRead hook) { before_read_ = std::move(hook); }

 private:
  void Record(const std::string& name, std::vector<std::string> base_tables);

  const Graph& graph_;
  JobStore& store_;
  std::map<std::string, std::unique_ptr<StateTable>> served_;
  std::vector<Opened> opened_;
  BeforeRead before_read_;
};

}  // namespace zload
