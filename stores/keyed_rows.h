#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/state_store.h"
#include "engine/zset.h"
#include "stores/row_codec.h"

// What the SQLite and PostgreSQL tables of one row per key (StateTableSpec::one_row_per_key)
// share: rows found by the key identity (KeyIdentityOf) of their key, a memory of the last
// look-up, and the merge of a delta into the stored rows. Private to stores/.
namespace zload::keyed_rows {

// A stored row and its weight.
struct Stored {
  Row row;
  int64_t weight = 0;
};

// Hashes a key identity. Key identities may share their leading bytes: mixes all sixteen.
struct IdentityHash {
  size_t operator()(const RowIdentity& id) const {
    uint64_t a, b;
    std::memcpy(&a, id.data(), sizeof a);
    std::memcpy(&b, id.data() + sizeof a, sizeof b);
    uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ULL)) * 0xBF58476D1CE4E5B9ULL;
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

// Orders key identities as their bytes compare (std::array's operator<), without a call to
// memcmp.
struct IdentityLess {
  bool operator()(const RowIdentity& a, const RowIdentity& b) const {
    const uint64_t a_high = HighBits(a), b_high = HighBits(b);
    if (a_high != b_high) return a_high < b_high;
    return LowBits(a) < LowBits(b);
  }
  static uint64_t HighBits(const RowIdentity& id) { return BigEndianAt(id, 0); }
  static uint64_t LowBits(const RowIdentity& id) { return BigEndianAt(id, sizeof(uint64_t)); }
  static uint64_t BigEndianAt(const RowIdentity& id, size_t at) {
    uint64_t v;
    std::memcpy(&v, id.data() + at, sizeof v);
    return __builtin_bswap64(v);
  }
};

using StoredByKey = std::unordered_map<RowIdentity, Stored, IdentityHash>;
using KeySet = std::unordered_set<RowIdentity, IdentityHash>;

// The rows to write and the keys to delete so that a table of one row per key holding `stored`
// (at least every stored row of the delta's keys) holds `stored` + `delta`.
struct Changes {
  std::vector<std::pair<RowIdentity, Stored>> writes;  // new or changed rows, in key order
  std::vector<RowIdentity> removes;                    // keys whose row goes, in key order
};

// The key identity of each row's key (its columns at `key`).
RowIdentity KeyOf(const Row& row, const std::vector<size_t>& key);

// Rows whose key is one INTEGER value are kept in a table of their own, keyed by that integer
// and named after the table of the other rows with this suffix (stores/FORMATS.md).
inline constexpr std::string_view kIntegerTableSuffix = "__by_integer";
// Whether `id` is the key identity of a key of one INTEGER value.
inline bool HasIntegerKey(const RowIdentity& id) { return IntegerOfKeyIdentity(id).has_value(); }
// Key identities parted by the table that keeps their rows, each part in key order (IdentityLess:
// integer keys in the order of their values).
struct PartedKeys {
  std::vector<RowIdentity> integers, others;
};
PartedKeys PartByIntegerKey(const std::vector<RowIdentity>& ids);

// What the last look-up of a table read: the rows found and the keys found absent, so that the
// Apply() that follows it in the same step reads none of them again.
class LookupMemory {
 public:
  void Remember(StoredByKey found, KeySet absent);
  // The keys of `delta` (spec.arity wide, else Error(kInternal) naming `table`) that the memory
  // does not answer, to be read; Take() then gives the rows known of all of them.
  std::vector<RowIdentity> Unknown(const ZSet& delta, const StateTableSpec& spec,
                                   const std::string& table);
  // The rows remembered of the keys Unknown() saw, merged with `read`; forgets everything.
  StoredByKey Take(StoredByKey read);
  void Forget();

 private:
  StoredByKey found_;
  KeySet absent_;
  StoredByKey kept_;  // what Unknown() kept for its delta
};

// Reads the stored rows of the given key identities.
using Reader = std::function<StoredByKey(const std::vector<RowIdentity>&)>;

// A look-up of `keys` (whole keys) through `read`: visits each key position with its row, and
// remembers in `memory` what was read.
void Lookup(std::span<const Row> keys, const Reader& read, LookupMemory& memory,
            const StateTable::LookupVisitor& visit);

// The stored weight of each of `rows` (0 unless the row stored under its key is that row).
std::vector<int64_t> Weights(std::span<const Row> rows, const std::vector<size_t>& key,
                             const Reader& read);

// Merges `delta` into `stored` (the stored rows of its keys). Throws Error(kInternal) naming
// `table` when a key would hold two rows.
Changes Merge(const StoredByKey& stored, const ZSet& delta, const std::vector<size_t>& key,
              const std::string& table);

// The changes that make each of `rows` the one row (weight 1) of its key and remove the row of
// each of `removed_keys` (whole keys), whatever is stored under them (StateTable::Replace).
// Throws Error(kInternal) naming `table` when a row is not spec.arity wide or a key appears
// twice.
Changes Replacement(std::vector<Row> rows, std::span<const Row> removed_keys,
                    const StateTableSpec& spec, const std::string& table);

}  // namespace zload::keyed_rows
