#pragma once

#include <vector>

#include "engine/operator.h"

namespace zload {

// Left outer equi-join: emits the inner join of left and right on l[left_keys] = r[right_keys]
// (as JoinOp), plus (l ++ NULLs, wl) for every left (l, wl) that matches no right row (no right
// row with that key has positive total weight, or a key column of l is NULL). The NULL-padded
// row appears and disappears as matches go and come. State: the integral of each input, in
// tables `<prefix>__left` and `<prefix>__right` indexed by the key columns.
class LeftJoinOp : public Operator {
 public:
  // REQUIRES: left_keys.size() == right_keys.size() > 0; key columns within the arities.
  LeftJoinOp(size_t left_arity, std::vector<size_t> left_keys, size_t right_arity,
             std::vector<size_t> right_keys);
  std::string Kind() const override { return "left_join"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;

 private:
  size_t left_arity_, right_arity_;
  std::vector<size_t> left_keys_, right_keys_;
  StateTable* left_ = nullptr;
  StateTable* right_ = nullptr;
};

}  // namespace zload
