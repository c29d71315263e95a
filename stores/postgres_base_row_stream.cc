#include "stores/postgres_base_row_stream.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "stores/postgres_values.h"

namespace zload {

PostgresBaseRowStream::PostgresBaseRowStream(postgres::Database& db, std::string table,
                                             const std::string& quoted,
                                             const std::vector<std::string>& columns,
                                             const Schema& schema)
    : db_(db), table_(std::move(table)), schema_(schema) {
  if (!db_.in_transaction()) {
    throw Error(ErrorCode::kInternal, "a stream of rows needs an open transaction",
                {.table = table_});
  }
  db_.Write(
      [&](pqxx::transaction_base& tx) {
        copy_ = std::make_unique<postgres::CopyWriter>(tx, quoted, columns);
      },
      {.table = table_});
}

void PostgresBaseRowStream::Add(const Row& row) {
  if (row.size() != schema_.size()) {
    throw Error(
        ErrorCode::kInternal,
        fmt::format("a row of {} values for a table of {} columns", row.size(), schema_.size()),
        {.table = table_});
  }
  line_.clear();
  for (size_t c = 0; c < row.size(); ++c) {
    postgres::AppendCopyValue(line_, row[c], schema_[c].type, c == 0);
  }
  db_.Write([&](pqxx::transaction_base&) { copy_->WriteLine(line_); }, {.table = table_});
}

void PostgresBaseRowStream::Finish() {
  db_.Write([&](pqxx::transaction_base&) { copy_->Finish(); }, {.table = table_});
  copy_.reset();
}

}  // namespace zload
