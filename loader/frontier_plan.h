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
  std::vector<std::string> all;                        // every table, each once
  std::vector<std::vector<std::string>> vertex_state;  // by vertex: its own state tables
  std::vector<std::vector<std::string>> vertex_bases;  // by vertex: base tables it reads
  std::map<std::string, VertexId> last_reader;         // base table -> last vertex reading it
};

// The plan of `job`, bound to a store. Throws Error(kInternal) for a state table that belongs
// to no vertex.
FrontierPlan MakeFrontierPlan(Job& job);

}  // namespace zload
