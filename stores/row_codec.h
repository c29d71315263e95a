#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/row.h"
#include "engine/zset.h"

namespace zload {

// The persisted encoding of a Row (format described in stores/FORMATS.md, version 1). Encoding
// round-trips every value exactly: NULL, INTEGER, REAL (including NaN payloads and -0.0), TEXT,
// BOOLEAN and TIMESTAMP.
inline constexpr uint8_t kRowCodecVersion = 1;

// Appends the encoding of `row` to `out`.
void EncodeRow(const Row& row, std::string& out);
// Returns the encoding of `row`.
std::string EncodeRow(const Row& row);
// Decodes one encoded row. Throws Error(kInternal) on a truncated or unknown encoding.
Row DecodeRow(std::string_view bytes);

// The persisted encoding of a whole Z-set, its entries in one byte string (format in
// stores/FORMATS.md, "Z-set block", version 1): empty for an empty Z-set.
inline constexpr uint8_t kZSetBlockVersion = 1;

// Appends the block encoding of `delta` to `out`.
void EncodeZSetBlock(const ZSet& delta, std::string& out);
// Decodes one block. Throws Error(kInternal) on a truncated or unknown encoding, or an entry of
// weight 0.
ZSet DecodeZSetBlock(std::string_view bytes);

// A 128-bit identity of a row, consistent with Value::operator== (so -0.0 and 0.0, or two NaNs,
// have one identity): XXH3-128 of the canonical encoding. Big-endian bytes.
using RowIdentity = std::array<uint8_t, 16>;
RowIdentity IdentityOf(const Row& row);
// The identity of a key row in a table of one row per key (format in FORMATS.md): the key's
// values themselves when they fit in 15 bytes, so that neighbouring integer keys are stored
// side by side, else a hash. Equal keys (as Values) and only they have one key identity.
RowIdentity KeyIdentityOf(const Row& key);
// The value of the key when `id` is the key identity of a key of one INTEGER value, else
// nothing: KeyIdentityOf({Value::Integer(v)}) gives v back, every other identity nothing.
std::optional<int64_t> IntegerOfKeyIdentity(const RowIdentity& id);
// KeyIdentityOf({Value::Integer(v)}).
RowIdentity IntegerKeyIdentity(int64_t v);

}  // namespace zload
