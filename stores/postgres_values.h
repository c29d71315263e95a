#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/value.h"

namespace pqxx {
class field;
}

// Values of zload's declared types as PostgreSQL stores them (text in and out of COPY and bound
// parameters), converted as SQLite's column affinity converts them, so that a PostgreSQL store
// reads back what an SQLite store reads back.
namespace zload::postgres {

// The PostgreSQL type of a column declared `t` (no declared type: bytea holding the row codec).
const char* PgType(Type t);
// The declared type of a column of PostgreSQL type `pg` (as format_type renders it).
Type TypeOfPg(std::string_view pg);
// The text of `v` for a column declared `column`; nullopt for NULL.
std::optional<std::string> ToText(const Value& v, Type column);
// Appends ToText(v, column) to a COPY text-format line as AppendCopyField does (a tab first
// unless `first`; \N for NULL; backslash, newline, carriage return and tab escaped).
void AppendCopyValue(std::string& line, const Value& v, Type column, bool first);
// Appends the COPY binary-format field of `v` for a column declared `column` (its length, -1 for
// NULL, then PostgreSQL's binary form of the value ToText gives), so that the column holds what
// AppendCopyValue's text would make it hold. Throws Error(kConstraint) for a value the column's
// type cannot hold (text that is not a number in a bigint column, a timestamp out of range).
void AppendCopyBinaryValue(std::string& out, const Value& v, Type column);
// The Value of a non-NULL field's text in a column declared `column`. Throws Error(kInternal)
// when the text is not of that type.
Value FromText(std::string_view text, Type column);
// The Value of a field of a column declared `column` (NULL for NULL).
Value FieldValue(const pqxx::field& f, Type column);

}  // namespace zload::postgres
