#include "loader/base_backed_state.h"

#include "engine/error.h"
#include "engine/ops/join.h"
#include "engine/ops/map.h"

namespace zload {
namespace {

// `r` with its table positions moved up by `offset`.
BaseRelation Shifted(BaseRelation r, size_t offset) {
  auto shift = [&](BaseRelation::Column& c) { c.table += offset; };
  for (auto& [a, b] : r.join_on) {
    shift(a);
    shift(b);
  }
  for (auto& c : r.columns) shift(c);
  for (auto& c : r.non_null) shift(c);
  return r;
}

// A state table served by base tables that calls a hook with their names before each read.
class ServedTable final : public StateTable {
 public:
  ServedTable(std::unique_ptr<StateTable> table, std::vector<std::string> base_tables,
              const BaseBackedStateStore::BeforeRead& before_read)
      : table_(std::move(table)), base_tables_(std::move(base_tables)), before_read_(before_read) {}
  const StateTableSpec& spec() const override { return table_->spec(); }
  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
    BeforeRead();
    table_->Lookup(index, keys, visit);
  }
  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    BeforeRead();
    return table_->Weights(rows);
  }
  void Apply(const ZSet& delta) override { table_->Apply(delta); }
  void Replace(std::vector<Row> rows, std::span<const Row> removed_keys) override {
    table_->Replace(std::move(rows), removed_keys);
  }
  void Scan(const ScanVisitor& visit) override {
    BeforeRead();
    table_->Scan(visit);
  }
  size_t Size() override {
    BeforeRead();
    return table_->Size();
  }

 private:
  void BeforeRead() {
    if (before_read_) before_read_(base_tables_);
  }

  std::unique_ptr<StateTable> table_;
  const std::vector<std::string> base_tables_;
  const BaseBackedStateStore::BeforeRead& before_read_;
};

}  // namespace

std::optional<BaseRelation> RelationOf(const Graph& graph, VertexId id) {
  const Vertex& v = graph.vertex(id);
  if (v.op == nullptr) {
    BaseRelation r;
    r.tables.push_back(v.name);
    for (const Column& c : v.schema.columns()) r.columns.push_back({0, c.name});
    return r;
  }
  if (const auto* map = dynamic_cast<const MapOp*>(v.op.get())) {
    std::optional<BaseRelation> in = RelationOf(graph, v.inputs.at(0));
    if (!in) return std::nullopt;
    std::vector<BaseRelation::Column> columns;
    for (const ExprPtr& e : map->exprs()) {
      std::optional<size_t> passed = e->PassedColumn();
      if (!passed) return std::nullopt;
      columns.push_back(in->columns.at(*passed));
    }
    in->columns = std::move(columns);
    return in;
  }
  if (const auto* join = dynamic_cast<const JoinOp*>(v.op.get())) {
    const VertexId left_id = v.inputs.at(0), right_id = v.inputs.at(1);
    std::optional<BaseRelation> left = RelationOf(graph, left_id);
    std::optional<BaseRelation> right = RelationOf(graph, right_id);
    if (!left || !right) return std::nullopt;
    const size_t offset = left->tables.size();
    BaseRelation r = std::move(*left);
    BaseRelation shifted = Shifted(std::move(*right), offset);
    for (size_t k = 0; k < join->left_keys().size(); ++k) {
      const size_t lk = join->left_keys()[k], rk = join->right_keys()[k];
      // SQL's = converts between types; the engine's join matches equal types only.
      if (graph.vertex(left_id).schema[lk].type != graph.vertex(right_id).schema[rk].type) {
        return std::nullopt;
      }
      r.join_on.emplace_back(r.columns.at(lk), shifted.columns.at(rk));
    }
    r.tables.insert(r.tables.end(), shifted.tables.begin(), shifted.tables.end());
    r.join_on.insert(r.join_on.end(), shifted.join_on.begin(), shifted.join_on.end());
    r.columns.insert(r.columns.end(), shifted.columns.begin(), shifted.columns.end());
    r.non_null.insert(r.non_null.end(), shifted.non_null.begin(), shifted.non_null.end());
    return r;
  }
  return std::nullopt;
}

std::optional<BaseRelation> ServedRelation(const Graph& graph, const StateTableSpec& spec) {
  if (!spec.integral_of_input) return std::nullopt;
  // The owning vertex is the one whose name, followed by "__", begins the table's name.
  std::optional<VertexId> owner;
  for (VertexId id = 0; id < graph.size(); ++id) {
    const std::string& name = graph.vertex(id).name;
    if (spec.name.size() > name.size() + 2 && spec.name.compare(0, name.size(), name) == 0 &&
        spec.name.compare(name.size(), 2, "__") == 0 &&
        (!owner || graph.vertex(*owner).name.size() < name.size())) {
      owner = id;
    }
  }
  if (!owner) return std::nullopt;
  const Vertex& v = graph.vertex(*owner);
  if (*spec.integral_of_input >= v.inputs.size()) return std::nullopt;
  std::optional<BaseRelation> r = RelationOf(graph, v.inputs[*spec.integral_of_input]);
  if (!r) return std::nullopt;
  if (!spec.input_columns.empty()) {
    std::vector<BaseRelation::Column> kept;
    for (size_t c : spec.input_columns) kept.push_back(r->columns.at(c));
    r->columns = std::move(kept);
  }
  if (spec.skips_null_last && !r->columns.empty()) r->non_null.push_back(r->columns.back());
  if (r->columns.size() != spec.arity) return std::nullopt;
  return r;
}

BaseBackedStateStore::BaseBackedStateStore(const Graph& graph, JobStore& store)
    : graph_(graph), store_(store) {}

StateTable& BaseBackedStateStore::Open(const StateTableSpec& spec) {
  std::optional<BaseRelation> relation = ServedRelation(graph_, spec);
  if (!relation) {
    Record(spec.name, {});
    return store_.state().Open(spec);
  }
  auto it = served_.find(spec.name);
  if (it != served_.end()) return *it->second;
  std::unique_ptr<StateTable> table = store_.OpenBaseRelationState(*relation, spec);
  if (!table) {
    Record(spec.name, {});
    return store_.state().Open(spec);
  }
  Record(spec.name, relation->tables);
  auto served = std::make_unique<ServedTable>(std::move(table), relation->tables, before_read_);
  return *served_.emplace(spec.name, std::move(served)).first->second;
}

void BaseBackedStateStore::Record(const std::string& name, std::vector<std::string> base_tables) {
  for (const Opened& o : opened_) {
    if (o.name == name) return;
  }
  opened_.push_back({name, std::move(base_tables)});
}

}  // namespace zload
