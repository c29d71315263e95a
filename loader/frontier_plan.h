#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "loader/job.h"

namespace zload {

// The tables one batch of a job waits for and advances under the time/frontier protocol, named
// as in last_update: every state table the graph keeps, every view table and every base table.
// A vertex whose state the store serves from base tables uses those base tables instead.
struct FrontierPlan {
  std::vector<std::string> all;                        // every table, each once, and every marker
  std::vector<std::vector<std::string>> vertex_state;  // by vertex: its own state tables
  std::vector<std::vector<std::string>> vertex_bases;  // by vertex: base tables it reads
  std::map<std::string, VertexId> last_reader;         // base table -> last vertex reading it
  // By vertex: the name in last_update that says a batch's step of this vertex is committed
  // (the vertex's own name), for vertices with state or base tables; empty for the others.
  std::vector<std::string> vertex_marker;
};

// The name in last_update that every batch advances in its last transaction only: batches
// finish (and are journalled as done) in time order.
inline constexpr const char* kBatchMarker = "zload_batch";

// The plan of `job`, bound to a store. Throws Error(kInternal) for a state table that belongs
// to no vertex.
FrontierPlan MakeFrontierPlan(Job& job);

}  // namespace zload
