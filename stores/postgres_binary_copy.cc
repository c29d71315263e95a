#include "stores/postgres_binary_copy.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <pqxx/largeobject>
#include <pqxx/transaction_base>

#include "stores/postgres_db.h"

namespace zload::postgres {
namespace {

// The libpq connection under a libpqxx transaction (libpqxx 6 offers it to large objects only).
struct RawConnection : pqxx::largeobject {
  static PGconn* Of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

// The 11-byte signature, the flags and the header extension length of a binary COPY.
constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
constexpr size_t kHeaderBytes = 19;

}  // namespace

BinaryCopyWriter::BinaryCopyWriter(pqxx::dbtransaction& tx, const std::string& table,
                                   const std::vector<std::string>& columns, ErrorContext where)
    : conn_(RawConnection::Of(tx)), where_(std::move(where)) {
  std::string sql = "COPY " + table + " (";
  for (size_t i = 0; i < columns.size(); ++i) sql += (i ? "," : "") + columns[i];
  sql += ") FROM STDIN (FORMAT binary)";
  PGresult* res = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_COPY_IN) {
    std::string message = Trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string state_text = state ? state : "";
    PQclear(res);
    Fail(message, state_text);
  }
  PQclear(res);
  copying_ = true;
  pending_.reserve(kSendBytes + 4096);
  pending_.append(kHeader, kHeaderBytes);
}

BinaryCopyWriter::~BinaryCopyWriter() {
  if (!copying_) return;
  // The server ends the COPY with an error, which leaves the transaction to be rolled back.
  if (PQputCopyEnd(conn_, "the load of this batch stopped") == 1) {
    while (PGresult* res = PQgetResult(conn_)) PQclear(res);
  }
}

void BinaryCopyWriter::Send() {
  if (pending_.empty()) return;
  if (PQputCopyData(conn_, pending_.data(), static_cast<int>(pending_.size())) != 1) {
    Fail(Trimmed(PQerrorMessage(conn_)), "");
  }
  pending_.clear();
}

void BinaryCopyWriter::Finish() {
  pending_ += "\xff\xff";  // the trailer: a field count of -1
  Send();
  copying_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) Fail(Trimmed(PQerrorMessage(conn_)), "");
  std::string message, state;
  while (PGresult* res = PQgetResult(conn_)) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK && message.empty()) {
      message = Trimmed(PQresultErrorMessage(res));
      const char* s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      state = s ? s : "";
    }
    PQclear(res);
  }
  if (!message.empty()) Fail(message, state);
}

void BinaryCopyWriter::Fail(const std::string& what, const std::string& state) {
  ErrorCode code = state.empty() ? ErrorCode::kInternal : CodeForSqlState(state);
  if (PQstatus(conn_) == CONNECTION_BAD) code = ErrorCode::kTransient;
  throw Error(code,
              fmt::format("PostgreSQL: {}{}", what.empty() ? "COPY failed" : what,
                          state.empty() ? "" : fmt::format(" [SQLSTATE {}]", state)),
              where_);
}

}  // namespace zload::postgres
