#pragma once

#include <string>
#include <vector>

namespace zload {

// A table of text cells rendered with aligned columns: a header, a rule, then the rows.
// Cells that look like numbers are right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // REQUIRES: cells.size() == the header's size.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace zload
