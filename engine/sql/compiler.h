#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/graph.h"
#include "engine/schema.h"

namespace zload {

// A relation a view may read: a source or an already compiled view, and the vertex whose delta
// carries its rows.
struct Relation {
  std::string name;
  VertexId vertex = 0;
  Schema schema;
};

// The relations visible to the view compiler, by name (ASCII case-insensitive).
class RelationCatalog {
 public:
  // Adds or replaces a relation.
  void Add(Relation relation);
  // The relation named `name`, or nullopt.
  std::optional<Relation> Find(const std::string& name) const;

 private:
  std::map<std::string, Relation> by_lower_name_;
};

// The result of compiling one view: the vertex that emits the view's delta, and its columns.
struct CompiledView {
  std::string name;
  VertexId output = 0;
  Schema schema;
};

// Compiles the SQL SELECT `sql` defining view `name` into vertices appended to `graph` (named
// "<name>__..."), reading relations of `catalog`. The view's rows are a Z-set: a SELECT without
// DISTINCT keeps duplicates as weights. Results follow SQLite's semantics for the same query.
// Throws Error(kParse) on a syntax error, Error(kSchema) on an unknown table or column or a type
// error, and Error(kUnsupported) for SQL zload does not implement; each names the construct and
// carries its line and column in `sql` (context().file is "view <name>").
CompiledView CompileView(Graph& graph, const RelationCatalog& catalog, const std::string& name,
                         const std::string& sql);

}  // namespace zload
