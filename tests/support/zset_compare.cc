#include "tests/support/zset_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

namespace zload::test {
namespace {

bool RealsMatch(double a, double b, const CompareOptions& options) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;  // also equal infinities
  if (std::isinf(a) || std::isinf(b)) return false;
  double diff = std::fabs(a - b);
  return diff <= options.absolute_tolerance ||
         diff <= options.relative_tolerance * std::max(std::fabs(a), std::fabs(b));
}

using Entries = std::vector<std::pair<Row, int64_t>>;

// One line per unmatched row: its excess and its exact weight on each side.
std::string Render(const Entries& entries, const ZSet& left, const std::string& left_name,
                   const ZSet& right, const std::string& right_name) {
  std::string out;
  for (const auto& [row, excess] : entries) {
    out += fmt::format("  {} x {} (weight {} in {}, {} in {})\n", RowToString(row), excess,
                       left.Weight(row), left_name, right.Weight(row), right_name);
  }
  return out;
}

}  // namespace

bool ValuesMatch(const Value& a, const Value& b, const CompareOptions& options) {
  if (a == b) return true;
  const bool a_real = a.type() == Type::kReal, b_real = b.type() == Type::kReal;
  if (a_real && b_real) return RealsMatch(a.as_real(), b.as_real(), options);
  if (!options.integer_matches_real) return false;
  if (a_real && b.type() == Type::kInteger) {
    return RealsMatch(a.as_real(), static_cast<double>(b.as_integer()), options);
  }
  if (b_real && a.type() == Type::kInteger) {
    return RealsMatch(static_cast<double>(a.as_integer()), b.as_real(), options);
  }
  return false;
}

bool RowsMatch(const Row& a, const Row& b, const CompareOptions& options) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!ValuesMatch(a[i], b[i], options)) return false;
  }
  return true;
}

std::string DiffZSets(const ZSet& left, const ZSet& right, const CompareOptions& options,
                      const std::string& left_name, const std::string& right_name) {
  // Exactly equal rows cancel first; what remains is matched approximately, pairing each
  // left excess with right excesses of nearly equal rows (a small residue in practice).
  ZSet residue = left;
  residue.AddAll(right, -1);
  if (residue.empty()) return "";
  Entries only_left, only_right;
  for (const auto& [row, w] : residue.Sorted()) {
    if (w > 0) {
      only_left.emplace_back(row, w);
    } else {
      only_right.emplace_back(row, -w);
    }
  }
  for (auto& [lrow, lw] : only_left) {
    for (auto& [rrow, rw] : only_right) {
      if (lw == 0) break;
      if (rw == 0 || !RowsMatch(lrow, rrow, options)) continue;
      int64_t common = std::min(lw, rw);
      lw -= common;
      rw -= common;
    }
  }
  auto zero = [](const auto& entry) { return entry.second == 0; };
  std::erase_if(only_left, zero);
  std::erase_if(only_right, zero);
  if (only_left.empty() && only_right.empty()) return "";
  std::string out;
  if (!only_left.empty())
    out += "only in " + left_name + ":\n" + Render(only_left, left, left_name, right, right_name);
  if (!only_right.empty())
    out += "only in " + right_name + ":\n" + Render(only_right, left, left_name, right, right_name);
  return out;
}

::testing::AssertionResult ZSetsMatch(const ZSet& left, const ZSet& right,
                                      const CompareOptions& options, const std::string& left_name,
                                      const std::string& right_name) {
  std::string diff = DiffZSets(left, right, options, left_name, right_name);
  if (diff.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

}  // namespace zload::test
