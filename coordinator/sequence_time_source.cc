#include "coordinator/sequence_time_source.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "stores/postgres_db.h"

namespace zload {
namespace {

// The advisory lock that serializes the set-up of the sequence ("zltime" in ASCII).
constexpr int64_t kSetupLockKey = 0x7a6c74696d65;

// The last value handed out by any user of the sequence: last_value counts only once nextval
// (or setval with is_called) has used it.
int64_t LastHandedOut(pqxx::transaction_base& tx, const std::string& sequence) {
  return tx
      .exec1("SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " +
             sequence)[0]
      .as<int64_t>();
}

}  // namespace

PostgresSequenceTimeSource::PostgresSequenceTimeSource(const std::string& url, int64_t start_after)
    : db_(std::make_unique<postgres::Database>(url)), last_(start_after) {
  const std::string sequence = postgres::QuoteIdentifier(kSequenceName);
  const ErrorContext where{.file = db_->url(), .table = kSequenceName};
  std::string literal;  // the sequence's name as a string literal, for regclass arguments
  db_->Write(
      [&](pqxx::transaction_base& tx) {
        literal = tx.quote(sequence);
        tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kSetupLockKey));
        // Looked up before creating: CREATE ... IF NOT EXISTS would need the right to create
        // in the schema even when the sequence exists.
        pqxx::result kind = tx.exec(fmt::format(
            "SELECT relkind FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass({})",
            literal));
        if (kind.empty()) {
          tx.exec("CREATE SEQUENCE " + sequence +
                  " AS bigint MINVALUE 0 START WITH 1 CACHE 1 NO CYCLE");
        } else if (kind[0][0].as<std::string>() != "S") {
          throw Error(ErrorCode::kConfig,
                      fmt::format("the relation {} in the database at {} is not a sequence; "
                                  "the PostgreSQL time source needs that name for its sequence",
                                  kSequenceName, db_->url()),
                      where);
        }
        if (start_after <= LastHandedOut(tx, sequence)) return;
        // ALTER SEQUENCE holds a lock that blocks nextval until this transaction ends, so the
        // value read next cannot be overtaken before setval replaces it.
        tx.exec("ALTER SEQUENCE " + sequence + " NO CYCLE");
        if (start_after > LastHandedOut(tx, sequence)) {
          tx.exec(fmt::format("SELECT pg_catalog.setval({}, {}, true)", literal, start_after));
        }
      },
      where);
  next_statement_ = db_->Prepared(fmt::format("SELECT pg_catalog.nextval({})", literal));
}

PostgresSequenceTimeSource::~PostgresSequenceTimeSource() = default;

int64_t PostgresSequenceTimeSource::Next() {
  // Read runs the statement outside any transaction: nextval commits by itself.
  last_ = db_->Read(
      [&](pqxx::transaction_base& tx) {
        return tx.exec_prepared1(next_statement_)[0].as<int64_t>();
      },
      {.file = db_->url(), .table = kSequenceName});
  return last_;
}

}  // namespace zload
