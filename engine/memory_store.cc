#include "engine/memory_store.h"

#include <algorithm>
#include <unordered_map>

#include "engine/error.h"

namespace zload {
namespace {

// Rows live in `rows_`; each index maps a key to the (node-stable) entries holding it. Buckets
// are small vectors: removal scans its bucket, which stays short for the keys operators use.
class MemoryTable : public StateTable {
 public:
  explicit MemoryTable(StateTableSpec spec)
      : spec_(std::move(spec)), indexes_(spec_.indexes.size()) {}

  const StateTableSpec& spec() const override { return spec_; }

  void Lookup(size_t index, std::span<const Row> keys, const LookupVisitor& visit) override {
    const auto& by_key = indexes_[index];
    for (size_t i = 0; i < keys.size(); ++i) {
      auto it = by_key.find(keys[i]);
      if (it == by_key.end()) continue;
      for (const Entry* entry : it->second) visit(i, entry->first, entry->second);
    }
  }

  std::vector<int64_t> Weights(std::span<const Row> rows) override {
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const Row& row : rows) {
      auto it = rows_.find(row);
      out.push_back(it == rows_.end() ? 0 : it->second);
    }
    return out;
  }

  void Apply(const ZSet& delta) override {
    for (const auto& [row, w] : delta) {
      if (row.size() != spec_.arity) {
        throw Error(ErrorCode::kInternal,
                    "row of width " + std::to_string(row.size()) + " applied to state of width " +
                        std::to_string(spec_.arity),
                    {.table = spec_.name});
      }
      auto [it, inserted] = rows_.try_emplace(row, w);
      const Entry* entry = &*it;
      if (inserted) {
        for (size_t i = 0; i < indexes_.size(); ++i) {
          indexes_[i][Pick(it->first, spec_.indexes[i])].push_back(entry);
        }
      } else if ((it->second += w) == 0) {
        for (size_t i = 0; i < indexes_.size(); ++i) {
          auto bucket = indexes_[i].find(Pick(it->first, spec_.indexes[i]));
          std::vector<const Entry*>& entries = bucket->second;
          *std::find(entries.begin(), entries.end(), entry) = entries.back();
          entries.pop_back();
          if (entries.empty()) indexes_[i].erase(bucket);
        }
        rows_.erase(it);
      }
    }
  }

  void Scan(const ScanVisitor& visit) override {
    for (const auto& [row, w] : rows_) visit(row, w);
  }

  size_t Size() override { return rows_.size(); }

 private:
  using Entry = std::pair<const Row, int64_t>;
  StateTableSpec spec_;
  std::unordered_map<Row, int64_t, RowHash> rows_;
  std::vector<std::unordered_map<Row, std::vector<const Entry*>, RowHash>> indexes_;
};

}  // namespace

std::unique_ptr<StateTable> MakeMemoryTable(StateTableSpec spec) {
  return std::make_unique<MemoryTable>(std::move(spec));
}

StateTable& MemoryStore::Open(const StateTableSpec& spec) {
  auto it = tables_.find(spec.name);
  if (it != tables_.end()) {
    const StateTableSpec& have = it->second->spec();
    if (have.arity != spec.arity || have.indexes != spec.indexes) {
      throw Error(ErrorCode::kSchema, "state table reopened with another shape",
                  {.table = spec.name});
    }
    return *it->second;
  }
  auto& slot = tables_[spec.name];
  slot = MakeMemoryTable(spec);
  return *slot;
}

std::vector<std::string> MemoryStore::TableNames() const {
  std::vector<std::string> names;
  for (const auto& entry : tables_) names.push_back(entry.first);
  return names;
}

}  // namespace zload
