#include <fmt/format.h>

#include "stores/job_store.h"

namespace zload {

std::string PrimaryKeyText(const std::vector<std::string>& columns) {
  return fmt::format("{}", fmt::join(columns, ","));
}

std::vector<std::string> PrimaryKeyFromText(std::string_view text) {
  std::vector<std::string> columns;
  for (size_t start = 0; !text.empty() && start <= text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    columns.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return columns;
}

}  // namespace zload
