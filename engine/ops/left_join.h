#pragma once

#include <vector>

#include "engine/operator.h"

namespace zload {

// Left outer equi-join: emits the inner join of left and right on l[left_keys] = r[right_keys]
// (as JoinOp), plus (l ++ right_arity NULLs, wl) for every left (l, wl) that matches no right
// row: a key column of l is NULL, or the right input holds no row (of any non-zero weight) with
// l's key. The NULL-padded row appears and disappears as matches go and come.
// Incremental: the inner part as JoinOp; for each key touched by either delta, the padded part
// before and after is decided from the number of distinct right rows with that key before and
// after the step, and the difference is emitted. Evaluate() is a hash join over whole inputs.
// State: the integral of each input, in tables `<prefix>__left` and `<prefix>__right` indexed
// by the key columns. Errors as JoinOp.
class LeftJoinOp : public Operator {
 public:
  // REQUIRES: left_keys.size() == right_keys.size() > 0; key columns within the arities.
  // Throws Error(kInternal) when violated.
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
