#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/schema.h"
#include "stores/base_row_stream.h"
#include "stores/postgres_binary_copy.h"
#include "stores/postgres_db.h"

namespace zload {

// Rows streamed into one base table with a binary COPY in the Database's open transaction, a
// tuple per row added (PostgresJobStore::StreamBaseRows).
class PostgresBaseRowStream : public BaseRowStream {
 public:
  // Starts the COPY into `quoted` (the table `table`, quoted) filling `columns` (quoted) typed
  // as `schema`, which must outlive the stream. Throws Error(kInternal) without an open
  // transaction.
  PostgresBaseRowStream(postgres::Database& db, std::string table, const std::string& quoted,
                        const std::vector<std::string>& columns, const Schema& schema);
  // Throws Error(kInternal) for a row of another width than the table's.
  void Add(const Row& row) override;
  void Finish() override;

 private:
  postgres::Database& db_;
  std::string table_;
  const Schema& schema_;
  std::unique_ptr<postgres::BinaryCopyWriter> copy_;
};

}  // namespace zload
