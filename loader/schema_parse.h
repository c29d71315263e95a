#pragma once

#include <string_view>

#include "engine/error.h"
#include "engine/schema.h"

namespace zload {

// Parses a source schema such as "name TEXT NOT NULL, price REAL, at TIMESTAMP": comma-separated
// columns, each a name (an identifier, or a "double-quoted" name with "" for a quote) and a type,
// optionally followed by NOT NULL or NULL. Keywords are case-insensitive. Types: INTEGER (also INT,
// BIGINT), REAL (also DOUBLE, FLOAT), TEXT (also VARCHAR), BOOLEAN (also BOOL), TIMESTAMP.
//
// Throws Error(kConfig) for a syntax error, an unknown type, an empty schema or a repeated column
// name (ASCII case-insensitive). The error's position is that of the offending token: `origin` says
// where the text starts (its file, line and column, each optional, as written in a config file);
// without a line the column is the 1-based character position within `text`.
Schema ParseSchema(std::string_view text, const ErrorContext& origin = {});

}  // namespace zload
