#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/graph.h"
#include "engine/state_store.h"
#include "stores/job_store.h"

namespace zload {

// The state tables of a job's graph: a table that is the integral of a source (a join's side
// read straight from a source) is served by that source's base table when the store can, and
// every other table is the store's own state table. With shared tables, the loader must apply
// each source delta to its base table after the iteration that reads it.
class BaseBackedStateStore : public StateStore {
 public:
  // Both must outlive this object.
  BaseBackedStateStore(const Graph& graph, JobStore& store);
  StateTable& Open(const StateTableSpec& spec) override;

  // The source whose integral `spec` is, when `graph` reads it straight from a source vertex.
  static std::optional<std::string> SourceIntegral(const Graph& graph, const StateTableSpec& spec);

 private:
  const Graph& graph_;
  JobStore& store_;
  std::map<std::string, std::unique_ptr<StateTable>> shared_;
};

}  // namespace zload
