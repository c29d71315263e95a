#include "tests/support/view_check.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "engine/graph.h"
#include "engine/iteration.h"
#include "engine/memory_store.h"
#include "engine/sql/compiler.h"
#include "tests/support/sqlite_oracle.h"

namespace zload::test {
namespace {

// Contents larger than this are left out of failure reports (shrinking makes them small).
constexpr size_t kMaxReportedRows = 80;

std::string DescribeInputs(const ViewShape& shape, const Batch& delta,
                           const std::vector<ZSet>& contents) {
  std::string out;
  for (size_t s = 0; s < shape.sources.size(); ++s) {
    const std::string& name = shape.sources[s].name;
    if (!delta[s].empty()) out += fmt::format("delta of {}:\n{}", name, delta[s].ToString());
    if (contents[s].size() <= kMaxReportedRows) {
      out += fmt::format("contents of {} after the batch:\n{}", name, contents[s].ToString());
    } else {
      out += fmt::format("contents of {}: {} rows\n", name, contents[s].size());
    }
  }
  return out;
}

// The graph, state and oracle of one run of a shape.
class ShapeRun {
 public:
  explicit ShapeRun(const ViewShape& shape) : shape_(shape), contents_(shape.sources.size()) {
    RelationCatalog catalog;
    for (const SourceSpec& source : shape.sources) {
      VertexId id = graph_.AddSource(source.name, source.schema);
      sources_.push_back(id);
      catalog.Add({source.name, id, source.schema});
      oracle_.CreateTable(source.name, source.schema);
    }
    for (const ViewSpec& view : shape.views) {
      CompiledView compiled = CompileView(graph_, catalog, view.name, view.sql);
      catalog.Add({compiled.name, compiled.output, compiled.schema});
      outputs_.push_back(compiled.output);
      oracle_.Execute("CREATE VIEW " + QuoteIdentifier(view.name) + " AS " +
                      (view.oracle_sql.empty() ? view.sql : view.oracle_sql));
    }
    integrals_.resize(shape.views.size());
    graph_.Bind(store_);
  }

  // Applies one batch and checks every view; returns a report of the first mismatch.
  std::optional<std::string> Step(const Batch& batch, CheckStats& stats) {
    SourceInputs deltas;
    for (size_t s = 0; s < sources_.size(); ++s) {
      contents_[s].AddAll(batch[s]);
      deltas[sources_[s]] = batch[s];
    }
    std::vector<ZSet> out = RunIteration(graph_, deltas);
    SourceInputs whole;
    for (size_t s = 0; s < sources_.size(); ++s) {
      whole[sources_[s]] = contents_[s];
      if (!batch[s].empty()) oracle_.Replace(shape_.sources[s].name, contents_[s]);
    }
    std::vector<ZSet> scratch = EvaluateFromScratch(graph_, whole);
    for (size_t v = 0; v < outputs_.size(); ++v) {
      const ViewSpec& view = shape_.views[v];
      integrals_[v].AddAll(out[outputs_[v]]);
      ++stats.view_checks;
      stats.nonempty_views += !integrals_[v].empty();
      stats.delta_rows += out[outputs_[v]].size();
      std::string diff = DiffZSets(integrals_[v], scratch[outputs_[v]], shape_.compare,
                                   "incremental", "from-scratch");
      if (diff.empty()) {
        ZSet expected = oracle_.Query("SELECT * FROM " + QuoteIdentifier(view.name));
        diff = DiffZSets(ToSqliteStorageClasses(integrals_[v]), expected, shape_.compare,
                         "incremental", "sqlite");
      }
      if (!diff.empty()) {
        return fmt::format("view {} ({}):\n{}delta of the view in this batch:\n{}{}", view.name,
                           view.sql, diff, out[outputs_[v]].ToString(),
                           DescribeInputs(shape_, batch, contents_));
      }
    }
    return std::nullopt;
  }

 private:
  const ViewShape& shape_;
  Graph graph_;
  MemoryStore store_;
  SqliteOracle oracle_;
  std::vector<VertexId> sources_;
  std::vector<VertexId> outputs_;
  std::vector<ZSet> contents_;   // integral of each source
  std::vector<ZSet> integrals_;  // integral of each view's output deltas
};

}  // namespace

std::optional<CheckFailure> CheckBatches(const ViewShape& shape, const std::vector<Batch>& batches,
                                         CheckStats* stats) {
  CheckStats ignored;
  CheckStats& seen = stats ? *stats : ignored;
  size_t b = 0;
  try {
    ShapeRun run(shape);
    for (; b < batches.size(); ++b) {
      if (auto report = run.Step(batches[b], seen)) return CheckFailure{b, *report};
    }
  } catch (const std::exception& e) {
    return CheckFailure{b, std::string("exception: ") + e.what()};
  }
  return std::nullopt;
}

}  // namespace zload::test
