#pragma once

#include <string>
#include <vector>

#include "engine/row.h"

namespace zload {

class JobStore;

// Rows inserted into one base table as they arrive: the same as one InsertBaseRows of every row
// added, without the caller holding them all.
class BaseRowStream {
 public:
  virtual ~BaseRowStream() = default;
  // Adds one copy of `row` to the table; it may be written now or by Finish().
  virtual void Add(const Row& row) = 0;
  // Writes what is left: every row added is then in the table, in the store's open transaction.
  // A stream destroyed before Finish() leaves that transaction to be rolled back.
  virtual void Finish() = 0;
};

// A BaseRowStream that holds the rows and inserts them with JobStore::InsertBaseRows at Finish().
class BufferedBaseRowStream : public BaseRowStream {
 public:
  BufferedBaseRowStream(JobStore& store, std::string source)
      : store_(store), source_(std::move(source)) {}
  void Add(const Row& row) override { rows_.push_back(row); }
  void Finish() override;

 private:
  JobStore& store_;
  std::string source_;
  std::vector<Row> rows_;
};

}  // namespace zload
