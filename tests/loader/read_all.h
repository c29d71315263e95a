#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "loader/input_row.h"
#include "loader/row_reader.h"

namespace zload::test {

// What one call of RowReader::Next produced.
struct ReadOutcome {
  ReadStatus status;
  InputRow row;
  std::optional<Error> error;
};

// Calls reader.Next until kEnd and returns every kRow and kBadRow outcome in order.
inline std::vector<ReadOutcome> ReadAll(RowReader& reader) {
  std::vector<ReadOutcome> out;
  for (;;) {
    InputRow row;
    std::optional<Error> error;
    const ReadStatus status = reader.Next(row, error);
    if (status == ReadStatus::kEnd) return out;
    out.push_back({status, std::move(row), std::move(error)});
  }
}

// The good rows of `outcomes` rendered as text, one per line, with their weights.
inline std::string RowsText(const std::vector<ReadOutcome>& outcomes) {
  std::string text;
  for (const ReadOutcome& o : outcomes) {
    if (o.status != ReadStatus::kRow) continue;
    text += RowToString(o.row.row);
    if (o.row.weight != 1) text += " x" + std::to_string(o.row.weight);
    text += "\n";
  }
  return text;
}

}  // namespace zload::test
