#include "engine/ops/join.h"

#include <unordered_map>

#include "engine/error.h"
#include "engine/ops/join_index.h"

namespace zload {

JoinOp::JoinOp(size_t left_arity, std::vector<size_t> left_keys, size_t right_arity,
               std::vector<size_t> right_keys)
    : left_arity_(left_arity),
      right_arity_(right_arity),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)) {
  CheckJoinKeys("join", left_arity_, left_keys_, right_arity_, right_keys_);
}

void JoinOp::Bind(StateStore& store, const std::string& prefix) {
  left_ = &store.Open({.name = prefix + "__left",
                       .arity = left_arity_,
                       .indexes = {left_keys_},
                       .integral_of_input = 0});
  right_ = &store.Open({.name = prefix + "__right",
                        .arity = right_arity_,
                        .indexes = {right_keys_},
                        .integral_of_input = 1});
}

ZSet JoinOp::Step(std::span<const ZSet* const> deltas) {
  if (left_ == nullptr) throw Error(ErrorCode::kInternal, "join: Step() before Bind()");
  if (deltas.size() != 2) {
    throw Error(ErrorCode::kInternal,
                "join: Step() takes 2 deltas, got " + std::to_string(deltas.size()));
  }
  const ZSet& d_left = *deltas[0];
  const ZSet& d_right = *deltas[1];
  ZSet out;
  if (d_left.empty() && d_right.empty()) return out;
  out.Reserve(d_left.size() + d_right.size());
  const DeltaKeyGroups left_groups(d_left, left_keys_);
  const DeltaKeyGroups right_groups(d_right, right_keys_);

  // dA ⋈ B_old: one look-up of the right state for every key of the left delta.
  if (!left_groups.keys().empty()) {
    right_->Lookup(0, left_groups.keys(), [&](size_t pos, const Row& r, int64_t wr) {
      for (const ZSetEntry* l : left_groups.group(static_cast<uint32_t>(pos))) {
        out.Add(Concat(l->first, r), l->second * wr);
      }
    });
  }
  // A_old ⋈ dB: one look-up of the left state for every key of the right delta.
  if (!right_groups.keys().empty()) {
    left_->Lookup(0, right_groups.keys(), [&](size_t pos, const Row& l, int64_t wl) {
      for (const ZSetEntry* r : right_groups.group(static_cast<uint32_t>(pos))) {
        out.Add(Concat(l, r->first), wl * r->second);
      }
    });
  }
  // dA ⋈ dB.
  for (uint32_t rpos = 0; rpos < right_groups.keys().size(); ++rpos) {
    const uint32_t lpos = left_groups.FindKey(right_groups.keys()[rpos]);
    if (lpos == DeltaKeyGroups::kNone) continue;
    for (const ZSetEntry* l : left_groups.group(lpos)) {
      for (const ZSetEntry* r : right_groups.group(rpos)) {
        out.Add(Concat(l->first, r->first), l->second * r->second);
      }
    }
  }
  left_->Apply(d_left);
  right_->Apply(d_right);
  return out;
}

ZSet JoinOp::Evaluate(std::span<const ZSet* const> inputs) const {
  if (inputs.size() != 2) {
    throw Error(ErrorCode::kInternal,
                "join: Evaluate() takes 2 inputs, got " + std::to_string(inputs.size()));
  }
  // Hash join: build on the right input, probe with the left.
  std::unordered_map<Row, std::vector<const ZSetEntry*>, RowHash> by_key;
  for (const ZSetEntry& r : *inputs[1]) {
    if (!HasNullAt(r.first, right_keys_)) by_key[Pick(r.first, right_keys_)].push_back(&r);
  }
  ZSet out;
  for (const auto& [l, wl] : *inputs[0]) {
    if (HasNullAt(l, left_keys_)) continue;
    auto it = by_key.find(Pick(l, left_keys_));
    if (it == by_key.end()) continue;
    for (const ZSetEntry* r : it->second) out.Add(Concat(l, r->first), wl * r->second);
  }
  return out;
}

}  // namespace zload
