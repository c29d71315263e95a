#include "stores/keyed_rows.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "engine/error.h"

namespace zload::keyed_rows {
namespace {

__extension__ typedef unsigned __int128 SortKey;

// A key identity as one number that orders as IdentityLess does.
SortKey SortKeyOf(const RowIdentity& id) {
  return (static_cast<SortKey>(IdentityLess::HighBits(id)) << 64) | IdentityLess::LowBits(id);
}

// The key identity whose SortKeyOf() is `key`.
RowIdentity IdentityOfSortKey(SortKey key) {
  RowIdentity id;
  const uint64_t high = __builtin_bswap64(static_cast<uint64_t>(key >> 64));
  const uint64_t low = __builtin_bswap64(static_cast<uint64_t>(key));
  std::memcpy(id.data(), &high, sizeof high);
  std::memcpy(id.data() + sizeof high, &low, sizeof low);
  return id;
}

// Sorts `ids` by IdentityLess, comparing one number per key instead of two byte-swapped words.
void SortIdentities(std::vector<RowIdentity>& ids) {
  std::vector<SortKey> keys;
  keys.reserve(ids.size());
  for (const RowIdentity& id : ids) keys.push_back(SortKeyOf(id));
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = IdentityOfSortKey(keys[i]);
}

// Sorts `writes` by their key identities (IdentityLess), moving each row once.
void SortWrites(std::vector<std::pair<RowIdentity, Stored>>& writes) {
  std::vector<std::pair<SortKey, uint32_t>> keys;
  keys.reserve(writes.size());
  for (size_t i = 0; i < writes.size(); ++i)
    keys.emplace_back(SortKeyOf(writes[i].first), static_cast<uint32_t>(i));
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<RowIdentity, Stored>> sorted;
  sorted.reserve(writes.size());
  for (const auto& [key, at] : keys) sorted.push_back(std::move(writes[at]));
  writes = std::move(sorted);
}

}  // namespace

RowIdentity KeyOf(const Row& row, const std::vector<size_t>& key) {
  return KeyIdentityOf(Pick(row, key));
}

PartedKeys PartByIntegerKey(const std::vector<RowIdentity>& ids) {
  PartedKeys out;
  for (const RowIdentity& id : ids) (HasIntegerKey(id) ? out.integers : out.others).push_back(id);
  SortIdentities(out.integers);
  SortIdentities(out.others);
  return out;
}

void LookupMemory::Remember(StoredByKey found, KeySet absent) {
  found_ = std::move(found);
  absent_ = std::move(absent);
}

std::vector<RowIdentity> LookupMemory::Unknown(const ZSet& delta, const StateTableSpec& spec,
                                               const std::string& table) {
  KeySet keys;
  keys.reserve(delta.size());
  for (const auto& [row, w] : delta) {
    if (row.size() != spec.arity) {
      throw Error(
          ErrorCode::kInternal,
          fmt::format("row of width {} applied to state of width {}", row.size(), spec.arity),
          {.table = table});
    }
    keys.insert(KeyOf(row, spec.indexes[0]));
  }
  std::vector<RowIdentity> unknown;
  kept_.clear();
  for (const RowIdentity& id : keys) {
    if (auto it = found_.find(id); it != found_.end()) {
      kept_.emplace(id, std::move(it->second));
    } else if (!absent_.count(id)) {
      unknown.push_back(id);
    }
  }
  found_.clear();
  absent_.clear();
  return unknown;
}

StoredByKey LookupMemory::Take(StoredByKey read) {
  StoredByKey out = std::move(kept_);
  kept_.clear();
  out.merge(read);
  return out;
}

void LookupMemory::Forget() {
  found_.clear();
  absent_.clear();
  kept_.clear();
}

void Lookup(std::span<const Row> keys, const Reader& read, LookupMemory& memory,
            const StateTable::LookupVisitor& visit) {
  std::vector<RowIdentity> ids;
  ids.reserve(keys.size());
  for (const Row& key : keys) ids.push_back(KeyIdentityOf(key));
  StoredByKey found = read(ids);
  KeySet absent;
  for (size_t pos = 0; pos < keys.size(); ++pos) {
    auto it = found.find(ids[pos]);
    if (it == found.end()) {
      absent.insert(ids[pos]);
      continue;
    }
    visit(pos, it->second.row, it->second.weight);
  }
  memory.Remember(std::move(found), std::move(absent));
}

std::vector<int64_t> Weights(std::span<const Row> rows, const std::vector<size_t>& key,
                             const Reader& read) {
  std::vector<RowIdentity> ids;
  ids.reserve(rows.size());
  for (const Row& row : rows) ids.push_back(KeyOf(row, key));
  const StoredByKey stored = read(ids);
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    auto it = stored.find(ids[i]);
    out.push_back(it != stored.end() && it->second.row == rows[i] ? it->second.weight : 0);
  }
  return out;
}

Changes Merge(const StoredByKey& stored, const ZSet& delta, const std::vector<size_t>& key,
              const std::string& table) {
  // The rows of each key: what is stored, then the delta's entries, consolidated.
  std::unordered_map<RowIdentity, std::vector<Stored>, IdentityHash> by_key;
  by_key.reserve(delta.size());
  for (const ZSet::Entry& entry : delta) {
    const Row& row = entry.first;
    const int64_t w = entry.second;
    const RowIdentity id = KeyOf(row, key);
    auto [at, added] = by_key.try_emplace(id);
    std::vector<Stored>& rows = at->second;
    if (added) {
      if (auto it = stored.find(id); it != stored.end()) rows.push_back(it->second);
    }
    auto same =
        std::find_if(rows.begin(), rows.end(), [&](const Stored& s) { return s.row == row; });
    if (same == rows.end()) {
      rows.push_back({row, w});
    } else {
      same->weight += w;
    }
  }
  Changes out;
  for (auto& [id, rows] : by_key) {
    const Stored* result = nullptr;
    for (const Stored& s : rows) {
      if (s.weight == 0) continue;
      if (result) {
        throw Error(ErrorCode::kInternal,
                    fmt::format("two rows with key {} in a table of one row per key: {} and {}",
                                RowToString(Pick(s.row, key)), RowToString(result->row),
                                RowToString(s.row)),
                    {.table = table});
      }
      result = &s;
    }
    auto before = stored.find(id);
    if (!result) {
      if (before != stored.end()) out.removes.push_back(id);
    } else if (before == stored.end() || before->second.weight != result->weight ||
               before->second.row != result->row) {
      out.writes.emplace_back(id, *result);
    }
  }
  // In key order: ordered key identities then write neighbouring keys together.
  SortWrites(out.writes);
  SortIdentities(out.removes);
  return out;
}

Changes Replacement(std::vector<Row> rows, std::span<const Row> removed_keys,
                    const StateTableSpec& spec, const std::string& table) {
  Changes out;
  out.writes.reserve(rows.size());
  for (Row& row : rows) {
    if (row.size() != spec.arity) {
      throw Error(
          ErrorCode::kInternal,
          fmt::format("row of width {} written to state of width {}", row.size(), spec.arity),
          {.table = table});
    }
    const RowIdentity id = KeyOf(row, spec.indexes[0]);
    out.writes.emplace_back(id, Stored{std::move(row), 1});
  }
  out.removes.reserve(removed_keys.size());
  for (const Row& key : removed_keys) out.removes.push_back(KeyIdentityOf(key));
  SortWrites(out.writes);
  SortIdentities(out.removes);
  const IdentityLess less;
  // No key twice: none among the writes, none among the removes, none in both (a walk of the
  // two sorted lists side by side).
  bool twice =
      std::adjacent_find(out.writes.begin(), out.writes.end(), [](const auto& a, const auto& b) {
        return a.first == b.first;
      }) != out.writes.end();
  twice |= std::adjacent_find(out.removes.begin(), out.removes.end()) != out.removes.end();
  for (size_t w = 0, r = 0; !twice && w < out.writes.size() && r < out.removes.size();) {
    if (less(out.writes[w].first, out.removes[r])) {
      ++w;
    } else if (less(out.removes[r], out.writes[w].first)) {
      ++r;
    } else {
      twice = true;
    }
  }
  if (twice) {
    throw Error(ErrorCode::kInternal, "a replacement names one key twice", {.table = table});
  }
  return out;
}

}  // namespace zload::keyed_rows
