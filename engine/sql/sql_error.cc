#include "engine/sql/sql_error.h"

namespace zload::sql {

void ThrowAt(ErrorCode code, const std::string& message, const std::string& file,
             const SourcePos& pos) {
  ErrorContext context;
  context.file = file;
  context.line = pos.line;
  context.column = pos.column;
  throw Error(code, message, std::move(context));
}

}  // namespace zload::sql
