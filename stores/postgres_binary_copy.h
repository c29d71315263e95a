#pragma once

#include <string>
#include <vector>

#include "engine/error.h"

namespace pqxx {
class dbtransaction;
}  // namespace pqxx

struct pg_conn;

namespace zload::postgres {

// Streams rows into a table with COPY ... FROM STDIN (FORMAT binary) in an open transaction:
// the server converts no text, so it inserts faster than from COPY's text format. Rows are
// appended to buffer() in PostgreSQL's binary tuple format (a field count, then each field with
// AppendCopyBinaryValue) and sent in pieces of about kSendBytes. Finish() ends the COPY and
// reports errors; destroying an unfinished writer abandons it (the transaction must then be
// rolled back). Nothing else may run on the transaction's connection in between. Not
// thread-safe.
class BinaryCopyWriter {
 public:
  // Starts the COPY into `table` filling `columns` (all quoted identifiers). Errors are thrown as
  // ThrowTranslated would throw them, with `where`.
  BinaryCopyWriter(pqxx::dbtransaction& tx, const std::string& table,
                   const std::vector<std::string>& columns, ErrorContext where);
  ~BinaryCopyWriter();
  BinaryCopyWriter(const BinaryCopyWriter&) = delete;
  BinaryCopyWriter& operator=(const BinaryCopyWriter&) = delete;

  // Where the next row goes: append one whole row, then call RowDone().
  std::string& buffer() { return pending_; }
  // Sends the rows appended so far once they fill a piece.
  void RowDone() {
    if (pending_.size() >= kSendBytes) Send();
  }
  // Sends what is left and ends the COPY: every row is then in the table, in the transaction.
  void Finish();

 private:
  static constexpr size_t kSendBytes = 64 * 1024;
  void Send();
  [[noreturn]] void Fail(const std::string& what, const std::string& state);

  pg_conn* conn_;
  ErrorContext where_;
  std::string pending_;
  bool copying_ = false;
};

}  // namespace zload::postgres
