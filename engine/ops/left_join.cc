#include "engine/ops/left_join.h"

#include <unordered_map>

#include "engine/error.h"
#include "engine/ops/join_index.h"

namespace zload {

LeftJoinOp::LeftJoinOp(size_t left_arity, std::vector<size_t> left_keys, size_t right_arity,
                       std::vector<size_t> right_keys)
    : left_arity_(left_arity),
      right_arity_(right_arity),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)) {
  CheckJoinKeys("left_join", left_arity_, left_keys_, right_arity_, right_keys_);
}

void LeftJoinOp::Bind(StateStore& store, const std::string& prefix) {
  left_ = &store.Open({.name = prefix + "__left",
                       .arity = left_arity_,
                       .indexes = {left_keys_},
                       .integral_of_input = 0});
  right_ = &store.Open({.name = prefix + "__right",
                        .arity = right_arity_,
                        .indexes = {right_keys_},
                        .integral_of_input = 1});
}

// For a key k, let A|k be the left rows with key k and has(k) whether the right side holds a row
// with key k. The padded part at k is [!has(k)] * A|k, so its change is
//   [!has_new(k)] * (A_old|k + dA|k) - [!has_old(k)] * A_old|k,
// and A_old|k is needed only where has(k) can change: at the keys of dB.
ZSet LeftJoinOp::Step(std::span<const ZSet* const> deltas) {
  if (left_ == nullptr) throw Error(ErrorCode::kInternal, "left_join: Step() before Bind()");
  if (deltas.size() != 2) {
    throw Error(ErrorCode::kInternal,
                "left_join: Step() takes 2 deltas, got " + std::to_string(deltas.size()));
  }
  const ZSet& d_left = *deltas[0];
  const ZSet& d_right = *deltas[1];
  ZSet out;
  if (d_left.empty() && d_right.empty()) return out;
  out.Reserve(d_left.size() + d_right.size());
  const DeltaKeyGroups left_groups(d_left, left_keys_);
  const DeltaKeyGroups right_groups(d_right, right_keys_);
  constexpr uint32_t kNone = DeltaKeyGroups::kNone;

  // Every touched key: the left delta's keys first (same positions), then the right delta's
  // keys the left delta lacks.
  const size_t left_key_count = left_groups.keys().size();
  std::vector<Row> keys = left_groups.keys();
  std::vector<uint32_t> right_pos(left_key_count, kNone);
  std::vector<uint32_t> key_of_right(right_groups.keys().size());
  for (uint32_t j = 0; j < right_groups.keys().size(); ++j) {
    uint32_t u = left_groups.FindKey(right_groups.keys()[j]);
    if (u == kNone) {
      u = static_cast<uint32_t>(keys.size());
      keys.push_back(right_groups.keys()[j]);
      right_pos.push_back(j);
    } else {
      right_pos[u] = j;
    }
    key_of_right[j] = u;
  }

  // Right state at every touched key: dA ⋈ B_old, and the number of distinct right rows per
  // key before and after dB.
  std::vector<uint32_t> old_count(keys.size(), 0), new_count(keys.size(), 0);
  std::vector<uint32_t> in_delta(keys.size(), 0);
  if (!keys.empty()) {
    right_->Lookup(0, keys, [&](size_t u, const Row& r, int64_t wr) {
      ++old_count[u];
      if (u < left_key_count) {
        for (const ZSetEntry* l : left_groups.group(static_cast<uint32_t>(u))) {
          out.Add(Concat(l->first, r), l->second * wr);
        }
      }
      if (right_pos[u] == kNone) {
        ++new_count[u];
        return;
      }
      const int64_t d = d_right.Weight(r);
      if (d != 0) ++in_delta[u];
      if (wr + d != 0) ++new_count[u];
    });
  }
  for (size_t u = 0; u < keys.size(); ++u) {
    if (right_pos[u] != kNone) {
      new_count[u] += static_cast<uint32_t>(right_groups.group(right_pos[u]).size()) - in_delta[u];
    }
  }

  // Left state at the right delta's keys: A_old ⋈ dB, and the old left rows whose padding flips.
  if (!right_groups.keys().empty()) {
    left_->Lookup(0, right_groups.keys(), [&](size_t j, const Row& l, int64_t wl) {
      for (const ZSetEntry* r : right_groups.group(static_cast<uint32_t>(j))) {
        out.Add(Concat(l, r->first), wl * r->second);
      }
      const uint32_t u = key_of_right[j];
      const int sign = int{new_count[u] == 0} - int{old_count[u] == 0};
      if (sign != 0) out.Add(PadWithNulls(l, right_arity_), sign * wl);
    });
  }

  // dA ⋈ dB, and the padding of dA's rows.
  for (uint32_t u = 0; u < left_key_count; ++u) {
    const auto group = left_groups.group(u);
    if (right_pos[u] != kNone) {
      for (const ZSetEntry* l : group) {
        for (const ZSetEntry* r : right_groups.group(right_pos[u])) {
          out.Add(Concat(l->first, r->first), l->second * r->second);
        }
      }
    }
    if (new_count[u] == 0) {
      for (const ZSetEntry* l : group) out.Add(PadWithNulls(l->first, right_arity_), l->second);
    }
  }
  for (const ZSetEntry* l : left_groups.null_keyed()) {
    out.Add(PadWithNulls(l->first, right_arity_), l->second);
  }

  left_->Apply(d_left);
  right_->Apply(d_right);
  return out;
}

ZSet LeftJoinOp::Evaluate(std::span<const ZSet* const> inputs) const {
  if (inputs.size() != 2) {
    throw Error(ErrorCode::kInternal,
                "left_join: Evaluate() takes 2 inputs, got " + std::to_string(inputs.size()));
  }
  // Hash join built on the right input; a left row finding no bucket is padded.
  std::unordered_map<Row, std::vector<const ZSetEntry*>, RowHash> by_key;
  for (const ZSetEntry& r : *inputs[1]) {
    if (!HasNullAt(r.first, right_keys_)) by_key[Pick(r.first, right_keys_)].push_back(&r);
  }
  ZSet out;
  for (const auto& [l, wl] : *inputs[0]) {
    auto it = HasNullAt(l, left_keys_) ? by_key.end() : by_key.find(Pick(l, left_keys_));
    if (it == by_key.end()) {
      Row padded = l;
      padded.resize(left_arity_ + right_arity_);
      out.Add(std::move(padded), wl);
      continue;
    }
    for (const ZSetEntry* r : it->second) out.Add(Concat(l, r->first), wl * r->second);
  }
  return out;
}

}  // namespace zload
