#include "engine/error.h"

#include <fmt/format.h>

namespace zload {
namespace {

std::string Render(const std::string& message, const ErrorContext& c) {
  std::string prefix;
  if (!c.file.empty()) prefix += c.file;
  if (c.line) prefix += fmt::format("{}{}", prefix.empty() ? "line " : ":", *c.line);
  if (c.column) prefix += fmt::format(":{}", *c.column);
  std::string suffix;
  if (!c.table.empty()) suffix += fmt::format(" (table {})", c.table);
  if (c.time) suffix += fmt::format(" (time {})", *c.time);
  return prefix.empty() ? message + suffix : prefix + ": " + message + suffix;
}

}  // namespace

Error::Error(ErrorCode code, const std::string& message, ErrorContext context)
    : std::runtime_error(Render(message, context)),
      code_(code),
      message_(message),
      context_(std::move(context)) {}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kSchema:
      return "schema";
    case ErrorCode::kConstraint:
      return "constraint";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kConfig:
      return "config";
    case ErrorCode::kTransient:
      return "transient";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kWorkerDied:
      return "worker-died";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace zload
