#include "engine/ops/group_reduce.h"

#include <map>

#include "engine/error.h"
#include "engine/ops/group_accumulator.h"
#include "engine/ops/group_extrema.h"
#include "engine/zset.h"

namespace zload {

using aggregate_internal::AggregateState;
using aggregate_internal::ExtremaChanges;
using aggregate_internal::GroupAccumulator;

namespace {

bool IsExtreme(AggregateKind kind) {
  return kind == AggregateKind::kMin || kind == AggregateKind::kMax;
}

// One group touched by a step.
struct TouchedGroup {
  int64_t delta_count = 0;
  int64_t old_count = 0;
  bool found = false;  // it had an accumulator row before the step
};

}  // namespace

struct GroupReduceOp::State {
  State(size_t group_width, std::vector<AggregateSpec> aggregates)
      : accumulator(group_width, std::move(aggregates)) {}
  GroupAccumulator accumulator;
  StateTable* groups = nullptr;
  std::string groups_name;
  std::vector<size_t> extreme_aggregates;  // the aggregate index of each MIN/MAX slot
  std::vector<StateTable*> extrema;        // the state table of each MIN/MAX slot
};

GroupReduceOp::GroupReduceOp(size_t input_arity, std::vector<size_t> group_by,
                             std::vector<AggregateSpec> aggregates)
    : input_arity_(input_arity),
      group_by_(std::move(group_by)),
      aggregates_(std::move(aggregates)) {
  for (size_t c : group_by_) {
    if (c >= input_arity_) {
      throw Error(ErrorCode::kInternal, "group_reduce: group column " + std::to_string(c) +
                                            " out of range for input of width " +
                                            std::to_string(input_arity_));
    }
  }
  for (const AggregateSpec& spec : aggregates_) {
    if (spec.kind != AggregateKind::kCountStar && spec.column >= input_arity_) {
      throw Error(ErrorCode::kInternal, std::string("group_reduce: ") + AggregateName(spec.kind) +
                                            " of column " + std::to_string(spec.column) +
                                            " out of range for input of width " +
                                            std::to_string(input_arity_));
    }
  }
}

GroupReduceOp::~GroupReduceOp() = default;

void GroupReduceOp::Bind(StateStore& store, const std::string& prefix) {
  auto state = std::make_unique<State>(group_by_.size(), aggregates_);
  const size_t width = group_by_.size();
  std::vector<size_t> key_columns;
  for (size_t i = 0; i < width; ++i) key_columns.push_back(i);
  // With no group columns there is one group: its tables are read whole, without an index.
  std::vector<std::vector<size_t>> indexes;
  if (width > 0) indexes.push_back(key_columns);
  state->groups_name = prefix + "__groups";
  state->groups = &store.Open({.name = state->groups_name,
                               .arity = state->accumulator.StoredArity(),
                               .indexes = indexes,
                               .one_row_per_key = width > 0});
  // MIN and MAX of one column keep one multiset of its values.
  std::map<size_t, StateTable*> by_column;
  for (size_t i = 0; i < aggregates_.size(); ++i) {
    if (!IsExtreme(aggregates_[i].kind)) continue;
    state->extreme_aggregates.push_back(i);
    StateTable*& table = by_column[aggregates_[i].column];
    if (table == nullptr) {
      std::vector<size_t> kept = group_by_;
      kept.push_back(aggregates_[i].column);
      table = &store.Open({.name = prefix + "__extrema" + std::to_string(i),
                           .arity = width + 1,
                           .indexes = indexes,
                           .integral_of_input = 0,
                           .input_columns = kept,
                           .skips_null_last = true});
    }
    state->extrema.push_back(table);
  }
  state_ = std::move(state);
}

ZSet GroupReduceOp::Step(std::span<const ZSet* const> deltas) {
  if (state_ == nullptr) throw Error(ErrorCode::kInternal, "group_reduce: Step() before Bind()");
  if (deltas.size() != 1) {
    throw Error(ErrorCode::kInternal,
                "group_reduce: Step() takes 1 delta, got " + std::to_string(deltas.size()));
  }
  const ZSet& delta = *deltas[0];
  const GroupAccumulator& acc = state_->accumulator;
  const size_t n_aggs = aggregates_.size();
  const bool single_group = group_by_.empty();
  ZSet out;
  if (delta.empty() && !single_group) return out;

  // Consolidate the delta per group: total weights, sums and counts, MIN/MAX value changes.
  std::vector<TouchedGroup> groups;
  std::vector<Row> keys;
  std::vector<AggregateState> delta_states;
  ExtremaChanges extrema_changes;
  // Groups by their columns hashed in place, so that finding a row's group allocates nothing.
  PositionIndex index;
  if (!single_group) {
    index.Reserve(delta.size());
    keys.reserve(delta.size());
    groups.reserve(delta.size());
    delta_states.reserve(delta.size() * n_aggs);
  }
  if (single_group) {
    groups.emplace_back();
    keys.emplace_back();
    delta_states.resize(n_aggs);
  }
  for (const ZSet::Entry& entry : delta) {
    const Row& row = entry.first;
    const int64_t weight = entry.second;
    if (row.size() != input_arity_) {
      throw Error(ErrorCode::kInternal, "group_reduce: input row of width " +
                                            std::to_string(row.size()) + ", expected " +
                                            std::to_string(input_arity_));
    }
    uint32_t group = 0;
    if (!single_group) {
      const uint64_t hash = HashColumns(row, group_by_);
      const PositionIndex::Probe probe =
          index.Find(hash, [&](uint32_t g) { return ColumnsEqual(row, group_by_, keys[g]); });
      if (probe.found) {
        group = index.at(probe.slot);
      } else {
        group = static_cast<uint32_t>(groups.size());
        index.Fill(probe.slot, hash, group);
        groups.emplace_back();
        keys.push_back(Pick(row, group_by_));
        delta_states.resize(delta_states.size() + n_aggs);
      }
    }
    groups[group].delta_count += weight;
    acc.Fold(row, weight, delta_states.data() + group * n_aggs);
    for (uint32_t slot = 0; slot < state_->extreme_aggregates.size(); ++slot) {
      const Value& v = row[aggregates_[state_->extreme_aggregates[slot]].column];
      if (!v.is_null()) extrema_changes.Add(slot, group, &v, weight);
    }
  }

  // One read of the accumulators of every touched group.
  std::vector<AggregateState> old_states(groups.size() * n_aggs);
  auto read_old = [&](size_t pos, const Row& stored, int64_t weight) {
    TouchedGroup& g = groups[pos];
    if (g.found || weight != 1) {
      throw Error(ErrorCode::kInternal,
                  "group " + RowToString(keys[pos]) + " has more than one accumulator row",
                  {.table = state_->groups_name});
    }
    g.found = true;
    acc.Decode(stored, state_->groups_name, &g.old_count, old_states.data() + pos * n_aggs);
  };
  if (single_group) {
    state_->groups->Scan([&](const Row& stored, int64_t weight) { read_old(0, stored, weight); });
  } else {
    state_->groups->Lookup(0, keys, read_old);
  }

  std::vector<AggregateState> new_states = old_states;
  for (size_t g = 0; g < groups.size(); ++g) {
    acc.Merge(delta_states.data() + g * n_aggs, new_states.data() + g * n_aggs);
  }
  std::vector<ZSet> extrema_deltas;
  if (!state_->extrema.empty()) {
    extrema_changes.Consolidate();
    for (uint32_t slot = 0; slot < state_->extrema.size(); ++slot) {
      const size_t agg = state_->extreme_aggregates[slot];
      aggregate_internal::ExtremaStep step{.kind = aggregates_[agg].kind,
                                           .aggregate = agg,
                                           .aggregate_count = n_aggs,
                                           .keys = keys,
                                           .old_states = old_states.data(),
                                           .new_states = new_states.data(),
                                           .changes = extrema_changes.Slot(slot)};
      extrema_deltas.push_back(UpdateExtrema(step, *state_->extrema[slot], single_group));
    }
  }

  // Outputs first: an integer overflow throws before any state changes. A table of one row per
  // group (any group columns) takes the changed groups' rows and the emptied groups' keys; the
  // one group of no group columns takes a delta.
  const bool keyed = !single_group;
  ZSet groups_delta;
  std::vector<Row> written, removed;
  if (keyed) {
    written.reserve(groups.size());
  } else {
    groups_delta.Reserve(2);
  }
  out.Reserve(2 * groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const TouchedGroup& group = groups[g];
    const int64_t new_count = group.old_count + group.delta_count;
    AggregateState* before = old_states.data() + g * n_aggs;
    AggregateState* after = new_states.data() + g * n_aggs;
    acc.Normalize(after);
    const bool had_row = group.found && (single_group || group.old_count > 0);
    const bool has_row = single_group || new_count > 0;
    Row old_out, new_out;
    if (had_row) old_out = acc.Output(keys[g], group.old_count, before);
    if (has_row) new_out = acc.Output(keys[g], new_count, after);
    if (had_row != has_row || (had_row && old_out != new_out)) {
      if (had_row) out.Add(std::move(old_out), -1);
      if (has_row) out.Add(std::move(new_out), 1);
    }
    Row old_stored, new_stored;
    if (group.found) old_stored = acc.Encode(keys[g], group.old_count, before);
    const bool keep = single_group || !acc.IsEmpty(new_count, after);
    if (keep) new_stored = acc.Encode(keys[g], new_count, after);
    if (group.found != keep || (keep && old_stored != new_stored)) {
      if (keyed) {
        if (keep) {
          written.push_back(std::move(new_stored));
        } else {
          removed.push_back(keys[g]);
        }
      } else {
        if (group.found) groups_delta.Add(std::move(old_stored), -1);
        if (keep) groups_delta.Add(std::move(new_stored), 1);
      }
    }
  }

  if (!written.empty() || !removed.empty()) state_->groups->Replace(std::move(written), removed);
  if (!groups_delta.empty()) state_->groups->Apply(groups_delta);
  for (size_t slot = 0; slot < extrema_deltas.size(); ++slot) {
    // Slots sharing a table (MIN and MAX of one column) have equal deltas: applied once.
    bool applied = false;
    for (size_t earlier = 0; earlier < slot; ++earlier) {
      applied |= state_->extrema[earlier] == state_->extrema[slot];
    }
    if (!applied && !extrema_deltas[slot].empty()) {
      state_->extrema[slot]->Apply(extrema_deltas[slot]);
    }
  }
  return out;
}

}  // namespace zload
