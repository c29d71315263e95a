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
        copy_ = std::make_unique<postgres::BinaryCopyWriter>(
            dynamic_cast<pqxx::dbtransaction&>(tx), quoted, columns, ErrorContext{.table = table_});
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
  std::string& out = copy_->buffer();
  const auto fields = static_cast<uint16_t>(row.size());
  out += static_cast<char>(fields >> 8);
  out += static_cast<char>(fields & 0xff);
  const size_t start = out.size() - 2;
  try {
    for (size_t c = 0; c < row.size(); ++c) {
      postgres::AppendCopyBinaryValue(out, row[c], schema_[c].type);
    }
  } catch (const Error& e) {
    out.resize(start);  // the rows before it stay whole
    throw Error(e.code(), e.message(), {.table = table_});
  }
  copy_->RowDone();
}

void PostgresBaseRowStream::Finish() {
  copy_->Finish();
  copy_.reset();
}

}  // namespace zload
