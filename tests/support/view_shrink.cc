#include "tests/support/view_shrink.h"

#include <algorithm>
#include <utility>

#include "tests/support/view_batches.h"
#include "tests/support/view_check.h"

namespace zload::test {
namespace {

class Shrinker {
 public:
  Shrinker(const ViewShape& shape, std::vector<Batch> batches)
      : shape_(shape), best_(std::move(batches)) {}

  std::vector<Batch> Run() {
    auto failure = CheckBatches(shape_, best_);
    if (!failure) return best_;
    if (failure->batch + 1 < best_.size()) best_.resize(failure->batch + 1);
    for (bool progress = true; progress;) {
      progress = DropBatches() | MergeBatches() | DropChanges();
    }
    return best_;
  }

 private:
  // Adopts `candidate` when it is valid and still fails. Gives up (returns false) once the
  // replay budget is spent, so that shrinking always ends in bounded time.
  bool Try(std::vector<Batch> candidate) {
    if (candidate.empty() || replays_ >= kMaxReplays) return false;
    if (!BatchesAreValid(shape_, candidate)) return false;
    ++replays_;
    auto failure = CheckBatches(shape_, candidate);
    if (!failure) return false;
    if (failure->batch + 1 < candidate.size()) candidate.resize(failure->batch + 1);
    best_ = std::move(candidate);
    return true;
  }

  bool DropBatches() {
    bool progress = false;
    for (size_t i = best_.size(); i-- > 0;) {
      if (i >= best_.size()) continue;
      std::vector<Batch> candidate = best_;
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i));
      progress |= Try(std::move(candidate));
    }
    return progress;
  }

  bool MergeBatches() {
    bool progress = false;
    for (size_t i = 0; i + 1 < best_.size(); ++i) {
      std::vector<Batch> candidate = best_;
      for (size_t s = 0; s < candidate[i].size(); ++s) candidate[i][s].AddAll(candidate[i + 1][s]);
      candidate.erase(candidate.begin() + static_cast<std::ptrdiff_t>(i + 1));
      progress |= Try(std::move(candidate));
    }
    return progress;
  }

  // Removes runs of row changes of one source in one batch, halving the run length down to one
  // change (as delta debugging does), then moves single weights one step toward zero.
  bool DropChanges() {
    bool progress = false;
    for (size_t b = 0; b < best_.size(); ++b) {
      for (size_t s = 0; b < best_.size() && s < best_[b].size(); ++s) {
        std::vector<std::pair<Row, int64_t>> entries = best_[b][s].Sorted();
        for (size_t chunk = entries.size() / 2; chunk >= 2; chunk /= 2) {
          for (size_t start = 0; start < entries.size() && b < best_.size(); start += chunk) {
            std::vector<Batch> candidate = best_;
            for (size_t i = start; i < std::min(entries.size(), start + chunk); ++i) {
              const auto& [row, w] = entries[i];
              if (candidate[b][s].Weight(row) == w) candidate[b][s].Add(row, -w);
            }
            progress |= Try(std::move(candidate));
          }
        }
      }
    }
    for (size_t b = 0; b < best_.size(); ++b) {
      for (size_t s = 0; b < best_.size() && s < best_[b].size(); ++s) {
        std::vector<std::pair<Row, int64_t>> entries = best_[b][s].Sorted();
        for (const auto& [row, w] : entries) {
          if (b >= best_.size()) break;
          if (best_[b][s].Weight(row) != w) continue;
          std::vector<Batch> without = best_;
          without[b][s].Add(row, -w);
          if (Try(std::move(without))) {
            progress = true;
            continue;
          }
          if (w > 1 || w < -1) {
            std::vector<Batch> smaller = best_;
            smaller[b][s].Add(row, w > 0 ? -1 : 1);
            progress |= Try(std::move(smaller));
          }
        }
      }
    }
    return progress;
  }

  static constexpr size_t kMaxReplays = 3000;
  const ViewShape& shape_;
  std::vector<Batch> best_;
  size_t replays_ = 0;
};

}  // namespace

std::vector<Batch> ShrinkFailure(const ViewShape& shape, std::vector<Batch> batches) {
  return Shrinker(shape, std::move(batches)).Run();
}

}  // namespace zload::test
