#pragma once

#include <string>
#include <vector>

#include "engine/sql/token.h"

namespace zload::sql {

// Splits `sql` into tokens ending with one kEnd token. Skips whitespace, `-- ...` and
// `/* ... */` comments. Throws Error(kParse) with `file`, line and column on an unterminated
// string, quoted identifier or comment, or a character that starts no token.
std::vector<Token> Tokenize(const std::string& sql, const std::string& file);

// `text` in upper case (ASCII only).
std::string ToUpperAscii(std::string text);
// `text` in lower case (ASCII only).
std::string ToLowerAscii(std::string text);

}  // namespace zload::sql
