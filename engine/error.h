#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace zload {

// A stable classification of failures; recovery policies branch on it.
enum class ErrorCode {
  kParse,        // malformed input text (CSV, JSONL, SQL)
  kSchema,       // unknown table or column, type mismatch
  kConstraint,   // NULL in NOT NULL, duplicate key
  kUnsupported,  // valid SQL that zload does not implement
  kConfig,       // a job configuration or command line that cannot be used
  kTransient,    // may succeed if retried (busy, connection lost)
  kIo,           // file or device failure
  kWorkerDied,   // a worker process ended abnormally
  kInternal,     // a broken invariant inside zload
};

// Where an error happened; every field is optional.
struct ErrorContext {
  std::string file;               // input file or SQL text name
  std::optional<int64_t> line;    // 1-based
  std::optional<int64_t> column;  // 1-based
  std::string table;              // store table involved
  std::optional<int64_t> time;    // logical time of the batch
};

// The one exception family of zload: a code, a message and its context.
// what() renders "file:line:column: message" with whatever context is known.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, ErrorContext context = {});

  ErrorCode code() const { return code_; }
  const ErrorContext& context() const { return context_; }
  // The message without the rendered context.
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
  ErrorContext context_;
};

// Returns a short stable name for a code, e.g. "parse".
const char* ErrorCodeName(ErrorCode code);

}  // namespace zload
