#include "loader/view_printer.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "loader/job.h"
#include "loader/text_table.h"

namespace zload {

std::string RenderRows(const Schema& schema, const ZSet& rows) {
  bool counts = false;
  for (const auto& entry : rows) counts |= entry.second != 1;
  std::vector<std::string> header;
  for (const Column& c : schema.columns()) header.push_back(c.name);
  if (counts) header.push_back("_count_");
  TextTable table(header);
  for (const auto& [row, w] : rows.Sorted()) {
    std::vector<std::string> cells;
    for (const Value& v : row) cells.push_back(v.ToString());
    if (counts) cells.push_back(std::to_string(w));
    table.AddRow(std::move(cells));
  }
  return table.Render() + fmt::format("({} row{})\n", rows.size(), rows.size() == 1 ? "" : "s");
}

std::string RenderStoredTable(const std::string& url, const std::string& name) {
  std::unique_ptr<JobStore> store = OpenJobStore(url);
  bool is_view = store->FindView(name).has_value();
  if (!is_view && !store->FindSource(name)) {
    throw Error(ErrorCode::kSchema, "the store has no view or base table named '" + name + "'",
                {.file = url});
  }
  return RenderRows(*store->TableSchema(name), store->ReadTable(name, is_view));
}

}  // namespace zload
