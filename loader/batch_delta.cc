#include "loader/batch_delta.h"

#include <fmt/format.h>

#include <unordered_map>

namespace zload {
namespace {

Error BadRow(const Job::Source& source, const InputRow& row, const std::string& what) {
  return Error(ErrorCode::kConstraint, what,
               {.file = source.config->file, .line = row.line, .column = 1});
}

BatchDelta WithoutKey(JobStore& store, const Job::Source& source,
                      const std::vector<InputRow>& rows) {
  BatchDelta out;
  std::vector<Row> deleted;
  for (const InputRow& r : rows) {
    if (r.weight < 0) deleted.push_back(r.row);
  }
  std::unordered_map<Row, int64_t, RowHash> available;
  if (!deleted.empty()) {
    std::vector<int64_t> counts = store.CountBaseRows(source.config->name, deleted);
    for (size_t i = 0; i < deleted.size(); ++i) available[deleted[i]] = counts[i];
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const InputRow& r = rows[i];
    if (r.weight > 0) {
      if (!available.empty()) {
        auto it = available.find(r.row);
        if (it != available.end()) it->second += r.weight;
      }
    } else {
      int64_t& have = available[r.row];
      if (have < -r.weight) {
        out.bad_rows.emplace_back(
            i, BadRow(source, r, "delete of a row that is not loaded: " + RowToString(r.row)));
        continue;
      }
      have += r.weight;
    }
    out.delta.Add(r.row, r.weight);
  }
  return out;
}

BatchDelta WithKey(JobStore& store, const Job::Source& source, const std::vector<InputRow>& rows) {
  BatchDelta out;
  std::vector<Row> keys;
  for (const InputRow& r : rows) keys.push_back(Pick(r.row, source.key_columns));
  // The row currently holding each key: from the store, then as the batch changes it.
  std::unordered_map<Row, std::optional<Row>, RowHash> current;
  for (const auto& [row, w] : store.LookupBaseRows(source.config->name, keys)) {
    current[Pick(row, source.key_columns)] = row;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const InputRow& r = rows[i];
    bool null_key = false;
    for (const Value& v : keys[i]) null_key |= v.is_null();
    if (null_key) {
      out.bad_rows.emplace_back(
          i, BadRow(source, r, "NULL in a primary key column: " + RowToString(r.row)));
      continue;
    }
    std::optional<Row>& holder = current[keys[i]];
    if (r.weight > 0) {
      if (holder) out.delta.Add(*holder, -1);
      out.delta.Add(r.row, 1);
      holder = r.row;
    } else {
      if (!holder) {
        out.bad_rows.emplace_back(
            i, BadRow(source, r, "delete of a key that is not loaded: " + RowToString(keys[i])));
        continue;
      }
      out.delta.Add(*holder, -1);
      holder.reset();
    }
  }
  return out;
}

}  // namespace

BatchDelta BuildBatchDelta(JobStore& store, const Job::Source& source,
                           const std::vector<InputRow>& rows) {
  return source.key_columns.empty() ? WithoutKey(store, source, rows)
                                    : WithKey(store, source, rows);
}

}  // namespace zload
