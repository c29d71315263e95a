#pragma once

#include <vector>

#include "engine/operator.h"

namespace zload {

// Inner equi-join: for each left (l, wl) and right (r, wr) with l[left_keys] = r[right_keys]
// under SQL equality (a NULL in any key column never matches), emits (l ++ r, wl * wr). Non-NULL
// key values match when equal as Values (same type and value), so both sides' key columns are
// expected to have the same type. Incremental: d(A ⋈ B) = dA ⋈ B_old + A_old ⋈ dB + dA ⋈ dB,
// with one batched look-up per side of the distinct non-NULL keys present in the deltas.
// Evaluate() is a hash join over whole inputs. State: the integral of each input (rows with NULL
// keys included), in tables `<prefix>__left` and `<prefix>__right` indexed by the key columns.
// Step() and Evaluate() throw Error(kInternal) unless given exactly 2 Z-sets (left, right);
// Step() throws it before Bind().
class JoinOp : public Operator {
 public:
  // REQUIRES: left_keys.size() == right_keys.size() > 0; key columns within the arities.
  // Throws Error(kInternal) when violated.
  JoinOp(size_t left_arity, std::vector<size_t> left_keys, size_t right_arity,
         std::vector<size_t> right_keys);
  std::string Kind() const override { return "join"; }
  void Bind(StateStore& store, const std::string& prefix) override;
  ZSet Step(std::span<const ZSet* const> deltas) override;
  ZSet Evaluate(std::span<const ZSet* const> inputs) const override;
  // The key columns of each side, pairwise equal in a match.
  const std::vector<size_t>& left_keys() const { return left_keys_; }
  const std::vector<size_t>& right_keys() const { return right_keys_; }

 private:
  size_t left_arity_, right_arity_;
  std::vector<size_t> left_keys_, right_keys_;
  StateTable* left_ = nullptr;
  StateTable* right_ = nullptr;
};

}  // namespace zload
