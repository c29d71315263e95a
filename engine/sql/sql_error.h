#pragma once

#include <string>

#include "engine/error.h"
#include "engine/sql/token.h"

namespace zload::sql {

// Throws Error(code, message) with context file = `file` and the line and column of `pos`.
[[noreturn]] void ThrowAt(ErrorCode code, const std::string& message, const std::string& file,
                          const SourcePos& pos);

}  // namespace zload::sql
