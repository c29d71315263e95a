#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "engine/error.h"

namespace pqxx {
class tablewriter;
}  // namespace pqxx

namespace zload::postgres {

// The longest identifier PostgreSQL keeps whole (NAMEDATALEN - 1); longer ones are truncated.
inline constexpr size_t kMaxIdentifier = 63;

// Throws the zload::Error for an exception raised by libpqxx: kTransient for a lost connection,
// a serialization failure, a deadlock or a server shutting down; kIo for a commit whose outcome
// is unknown and for a server out of disk or memory; kConstraint for constraint violations and
// bad data or a row over a size limit (SQLSTATE classes 23, 22 and 54); kSchema for a missing or
// duplicate table or column and a type mismatch; kInternal otherwise. A zload::Error is rethrown as
// it is.
[[noreturn]] void ThrowTranslated(const std::exception& e, const ErrorContext& where);

// A server or library message without its trailing newline and spaces ("" for null).
std::string Trimmed(const char* what);

// The ErrorCode ThrowTranslated gives an error of SQLSTATE `state`.
ErrorCode CodeForSqlState(const std::string& state);

// Quotes an SQL identifier, always: "name" with embedded quotes doubled. Throws Error(kSchema)
// for a name PostgreSQL cannot hold whole: empty, holding a NUL byte, or over kMaxIdentifier
// bytes.
std::string QuoteIdentifier(std::string_view name);

// `name` when it fits kMaxIdentifier bytes; otherwise a prefix of it (cut at a UTF-8 character
// boundary) followed by "__" and 16 hex digits of a hash of the whole name, so that distinct long
// names stay distinct and keep their leading part.
std::string FitIdentifier(std::string_view name);

// The text form of a BYTEA value ("\x" and lower-case hex), for parameters and COPY.
std::string ByteaText(std::string_view bytes);
// Decodes the hex text form of a BYTEA value. Throws Error(kInternal) on anything else.
std::string FromByteaText(std::string_view text);

// Builds the text form of a one-dimensional array ({"a","b",NULL}) to bind as one parameter:
// every element is quoted and escaped, so any text is safe.
class ArrayLiteral {
 public:
  ArrayLiteral() : text_(1, '{') {}
  // Appends an element; nullopt appends NULL.
  void Add(std::optional<std::string_view> element);
  // Appends a BYTEA element holding `bytes`.
  void AddBytea(std::string_view bytes) { Add(ByteaText(bytes)); }
  size_t size() const { return size_; }
  // The literal, closed.
  std::string str() const { return text_ + "}"; }

 private:
  std::string text_;
  size_t size_ = 0;
};

// Appends one field of a COPY text-format line (a tab first unless `first`): \N for nullopt,
// otherwise the text with backslash, newline, carriage return and tab escaped.
void AppendCopyField(std::string& line, std::optional<std::string_view> field, bool first);

// Streams rows into a table with COPY ... FROM STDIN. `table` and `columns` must already be
// quoted identifiers. Finish() ends the COPY and reports errors; destroying an unfinished
// writer abandons it (the transaction must then be rolled back). Not thread-safe.
class CopyWriter {
 public:
  CopyWriter(pqxx::transaction_base& tx, const std::string& table,
             const std::vector<std::string>& columns);
  ~CopyWriter();
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;
  // Queues one line built with AppendCopyField (without its newline); lines go to the server
  // in pieces of about kSendBytes.
  void WriteLine(std::string_view line);
  // Sends what is queued and ends the COPY.
  void Finish();

 private:
  static constexpr size_t kSendBytes = 64 * 1024;
  void Send();

  std::unique_ptr<pqxx::tablewriter> writer_;
  std::string pending_;
};

// One connection to a PostgreSQL database with at most one open transaction. Every statement
// runs either in the transaction opened by Begin() or, without one, in a transaction of its own
// (Write) or in autocommit mode (Read). Session settings fix the text forms the stores rely on:
// ISO dates, shortest exact floats, hex BYTEA, UTF-8, and no notices. Not thread-safe.
class Database {
 public:
  // Connects to `url` (a postgresql:// URI or a libpq key=value string). Throws Error(kIo) when
  // it cannot connect, naming the URL with any password hidden.
  explicit Database(const std::string& url);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens a transaction. Throws Error(kInternal) when one is open already.
  void Begin();
  // Commits the open transaction. Throws Error(kInternal) when none is open, and the translated
  // error when the commit fails (the transaction is over either way).
  void Commit();
  // Undoes the open transaction, if any. Never throws: a broken connection loses it anyway.
  void Rollback();
  bool in_transaction() const { return work_ != nullptr; }

  // Runs fn(tx) in the open transaction, or else in a transaction of its own that commits when
  // fn returns. Errors from libpqxx are translated (ThrowTranslated) with `where`; after an
  // error inside a Begin() transaction, the caller must Rollback().
  template <class F>
  auto Write(F&& fn, const ErrorContext& where = {})
      -> std::invoke_result_t<F, pqxx::transaction_base&>;
  // As Write, but without an open transaction each statement commits by itself: for reads, and
  // for writes of one statement.
  template <class F>
  auto Read(F&& fn, const ErrorContext& where = {})
      -> std::invoke_result_t<F, pqxx::transaction_base&>;

  // Runs statements without parameters or results (DDL) through Write.
  void Exec(const std::string& sql, const ErrorContext& where = {});
  // True when a table named `table` (unquoted) exists in the current schema.
  bool TableExists(const std::string& table);
  // Runs `ddl` (the statements creating table `table` and its indexes) through Write unless that
  // table exists. Creators on other connections are serialized by an advisory lock held to the
  // end of the transaction, so concurrent first opens do not collide.
  void EnsureTable(const std::string& table, const std::vector<std::string>& ddl);
  // EnsureTable for each (table, ddl) of `tables`: one look-up of which exist, and one
  // transaction creating the missing ones.
  void EnsureTables(const std::vector<std::pair<std::string, std::vector<std::string>>>& tables);
  // Runs `ddl` (creating index `index`, unquoted, of `table`) through Write unless that index
  // exists, under an advisory lock of that index's name alone: sessions creating it at once do
  // not collide, and one creating it inside a longer transaction holds up no other DDL. An index
  // that exists takes no lock on its table, so sessions writing the table do not hold this up.
  void EnsureIndex(const std::string& index, const std::string& table, const std::string& ddl);
  // The name of the prepared statement for `sql`, preparing it on first use. The same text
  // always gets the same name.
  const std::string& Prepared(const std::string& sql);

  // The URL connected to, with any password hidden.
  const std::string& url() const { return url_; }

 private:
  template <class Tx, class F>
  auto Run(F&& fn, const ErrorContext& where) -> std::invoke_result_t<F, pqxx::transaction_base&>;

  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> work_;          // the Begin() transaction
  pqxx::transaction_base* active_ = nullptr;  // the transaction a Write or Read runs in
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

template <class Tx, class F>
auto Database::Run(F&& fn, const ErrorContext& where)
    -> std::invoke_result_t<F, pqxx::transaction_base&> {
  using R = std::invoke_result_t<F, pqxx::transaction_base&>;
  try {
    if (work_) return fn(static_cast<pqxx::transaction_base&>(*work_));
    if (active_) return fn(*active_);  // nested inside a Write or Read: share its transaction
    Tx tx(*conn_);
    struct Reset {
      pqxx::transaction_base*& slot;
      ~Reset() { slot = nullptr; }
    } reset{active_};
    active_ = &tx;
    if constexpr (std::is_void_v<R>) {
      fn(static_cast<pqxx::transaction_base&>(tx));
      tx.commit();
    } else {
      R result = fn(static_cast<pqxx::transaction_base&>(tx));
      tx.commit();
      return result;
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    ThrowTranslated(e, where);
  }
}

template <class F>
auto Database::Write(F&& fn, const ErrorContext& where)
    -> std::invoke_result_t<F, pqxx::transaction_base&> {
  return Run<pqxx::work>(std::forward<F>(fn), where);
}

template <class F>
auto Database::Read(F&& fn, const ErrorContext& where)
    -> std::invoke_result_t<F, pqxx::transaction_base&> {
  return Run<pqxx::nontransaction>(std::forward<F>(fn), where);
}

// Rows per INSERT, UPDATE or DELETE statement that binds one array a column.
inline constexpr size_t kWriteChunk = 2000;
// From this many new rows on, InsertRows sends them with COPY.
inline constexpr size_t kCopyRows = 500;

// Runs prepared statement `name` with `params`, as many as it takes.
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name,
                          const std::vector<std::string>& params);

// The fields of one row as text, in column order; nullopt is NULL.
using RowFields = std::vector<std::optional<std::string>>;

// Inserts `count` rows, row i's fields given by fields(i), into `table` (a quoted name, with its
// quoted `columns`) in `tx`, a transaction of `db`: from kCopyRows rows on with one COPY, else
// kWriteChunk rows a statement through `insert_sql`, which binds one text array a column.
void InsertRows(Database& db, pqxx::transaction_base& tx, const std::string& table,
                const std::vector<std::string>& columns, const std::string& insert_sql,
                size_t count, const std::function<RowFields(size_t)>& fields);

}  // namespace zload::postgres
