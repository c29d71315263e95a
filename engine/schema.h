#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/value.h"

namespace zload {

// A named, typed column. Type::kNull means "any type" (an expression whose type is dynamic).
struct Column {
  std::string name;
  Type type = Type::kNull;
  bool nullable = true;
  bool operator==(const Column&) const = default;
};

// The ordered columns of a table, source or vertex output.
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Column> columns) : columns_(std::move(columns)) {}

  const std::vector<Column>& columns() const { return columns_; }
  size_t size() const { return columns_.size(); }
  const Column& operator[](size_t i) const { return columns_[i]; }
  void Add(Column column) { columns_.push_back(std::move(column)); }
  // Position of the column named `name` (ASCII case-insensitive), or nullopt.
  std::optional<size_t> IndexOf(const std::string& name) const;

  bool operator==(const Schema&) const = default;

 private:
  std::vector<Column> columns_;
};

}  // namespace zload
