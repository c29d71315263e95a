#pragma once

#include <gtest/gtest.h>

#include <string>

#include "engine/zset.h"

namespace zload::test {

// How two Z-sets are compared. REAL values match within a tolerance; everything else matches
// structurally (Value::operator==).
struct CompareOptions {
  double relative_tolerance = 1e-9;   // |a - b| <= relative_tolerance * max(|a|, |b|), or
  double absolute_tolerance = 1e-12;  // |a - b| <= absolute_tolerance
  // When true, an INTEGER matches a REAL of (nearly) the same value; off unless a test asks.
  bool integer_matches_real = false;
};

// True when `a` and `b` match under `options`: structurally equal, or both REAL (or INTEGER and
// REAL when options.integer_matches_real) and within the tolerance. NaN matches only NaN.
bool ValuesMatch(const Value& a, const Value& b, const CompareOptions& options = {});

// True when rows have the same width and their values match pairwise.
bool RowsMatch(const Row& a, const Row& b, const CompareOptions& options = {});

// Compares two Z-sets: every row must have the same weight on both sides, where rows that
// match under `options` count as the same row. Returns "" when they match, otherwise a readable
// diff: the unmatched rows sorted, each with its excess weight, under "only in <left_name>:" and
// "only in <right_name>:".
std::string DiffZSets(const ZSet& left, const ZSet& right, const CompareOptions& options = {},
                      const std::string& left_name = "left",
                      const std::string& right_name = "right");

// DiffZSets() as a gtest assertion: EXPECT_TRUE(ZSetsMatch(a, b)) prints the diff on failure.
::testing::AssertionResult ZSetsMatch(const ZSet& left, const ZSet& right,
                                      const CompareOptions& options = {},
                                      const std::string& left_name = "left",
                                      const std::string& right_name = "right");

}  // namespace zload::test
