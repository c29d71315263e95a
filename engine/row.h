#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/value.h"

namespace zload {

// A tuple of values; operators address columns by position.
using Row = std::vector<Value>;

// Hashes a row (or a span of values) consistently with Value::operator==.
uint64_t HashValues(std::span<const Value> values);

// HashValues(Pick(row, columns)) without building the picked row.
uint64_t HashColumns(const Row& row, std::span<const size_t> columns);

// True when row[columns[i]] == key[i] for every i. REQUIRES: key.size() == columns.size().
bool ColumnsEqual(const Row& row, std::span<const size_t> columns, const Row& key);

// Hash functor for Row keys in hash containers.
struct RowHash {
  size_t operator()(const Row& row) const { return HashValues(row); }
};

// Lexicographic TotalOrder of two rows; a shorter prefix sorts first.
std::strong_ordering CompareRows(const Row& a, const Row& b);

// Returns the values of `row` at `columns`, in that order.
Row Pick(const Row& row, std::span<const size_t> columns);

// Returns a ++ b.
Row Concat(const Row& a, const Row& b);

// Renders "(v1, v2, ...)" with text values quoted.
std::string RowToString(const Row& row);

}  // namespace zload
