#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "coordinator/time_source.h"

namespace zload {

namespace postgres {
class Database;
}  // namespace postgres

// A TimeSource shared by every process, on any host, that reaches one PostgreSQL database: each
// Next() is nextval of the sequence zload_time, found through the search path like any
// unqualified name (created in the current schema if missing: bigint, from 1, no cache, no
// cycle). Times are unique across all users of the sequence, and each object's own times are
// strictly increasing. One object per thread: it holds one connection and is not thread-safe.
class PostgresSequenceTimeSource : public TimeSource {
 public:
  // The name of the sequence (unquoted).
  static constexpr const char* kSequenceName = "zload_time";

  // Connects to `url` (a postgresql:// URI or a libpq key=value string), creates the sequence if
  // it is missing, and raises it so that every later Next() of any user returns a time greater
  // than `start_after`; it never lowers the sequence. Raising takes a lock that blocks nextval
  // until the raise commits, so no time handed out meanwhile can be handed out again: it waits
  // for open transactions that have called nextval on the sequence, and needs ownership of the
  // sequence. Without a raise, only USAGE and SELECT on the sequence are needed. Throws Error(kIo)
  // when the database cannot be reached, Error(kConfig) when a relation named zload_time exists and
  // is not a sequence, and the translated driver error (kTransient, kIo, ...) when a statement
  // fails; each names the URL with any password hidden.
  explicit PostgresSequenceTimeSource(const std::string& url, int64_t start_after = 0);
  ~PostgresSequenceTimeSource() override;
  PostgresSequenceTimeSource(const PostgresSequenceTimeSource&) = delete;
  PostgresSequenceTimeSource& operator=(const PostgresSequenceTimeSource&) = delete;

  // nextval, in a statement that commits by itself: a time is never handed out twice, whatever
  // happens to the transactions that use it. Throws the translated driver error (kTransient
  // for a lost connection; kConstraint when the sequence is exhausted).
  int64_t Next() override;
  // The last time this object handed out, or `start_after` when it has handed out none.
  int64_t Last() const override { return last_; }

 private:
  std::unique_ptr<postgres::Database> db_;
  std::string next_statement_;  // the prepared nextval statement
  int64_t last_;
};

}  // namespace zload
