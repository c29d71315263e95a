#include "engine/row.h"

namespace zload {

uint64_t HashValues(std::span<const Value> values) {
  uint64_t h = values.size();
  for (const Value& v : values) h = v.Hash(h);
  return h;
}

uint64_t HashColumns(const Row& row, std::span<const size_t> columns) {
  uint64_t h = columns.size();
  for (size_t c : columns) h = row[c].Hash(h);
  return h;
}

bool ColumnsEqual(const Row& row, std::span<const size_t> columns, const Row& key) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!(row[columns[i]] == key[i])) return false;
  }
  return true;
}

std::strong_ordering CompareRows(const Row& a, const Row& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto c = TotalOrder(a[i], b[i]);
    if (c != 0) return c;
  }
  return a.size() <=> b.size();
}

Row Pick(const Row& row, std::span<const size_t> columns) {
  Row out;
  out.reserve(columns.size());
  for (size_t c : columns) out.push_back(row[c]);
  return out;
}

Row Concat(const Row& a, const Row& b) {
  Row out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::string RowToString(const Row& row) {
  std::string s = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) s += ", ";
    if (row[i].type() == Type::kText) {
      s += '\'' + row[i].as_text() + '\'';
    } else {
      s += row[i].ToString();
    }
  }
  return s + ")";
}

}  // namespace zload
