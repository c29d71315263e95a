#pragma once

// A relation of two base tables for tests of state served by base tables: items(k, name) JOIN
// tags(k, tag) ON k, projected to (name, tag) and looked up by tag.
#include <cstdint>
#include <vector>

#include "engine/schema.h"
#include "engine/state_store.h"
#include "engine/zset.h"
#include "stores/base_relation.h"

namespace zload::test {

inline const Schema kItemSchema({{"k", Type::kInteger}, {"name", Type::kText}});
inline const Schema kTagSchema({{"k", Type::kInteger}, {"tag", Type::kText}});

// A row of items or of tags: (k, text).
inline Row ItemRow(int64_t k, const char* text) { return {Value::Integer(k), Value::Text(text)}; }

// (items.name, tags.tag) of items JOIN tags ON items.k = tags.k, looked up by tag.
inline const BaseRelation kItemTags{.tables = {"items", "tags"},
                                    .join_on = {{{0, "k"}, {1, "k"}}},
                                    .columns = {{0, "name"}, {1, "tag"}}};
inline const StateTableSpec kByTag{.name = "v__2_join__left", .arity = 2, .indexes = {{1}}};

// What a look-up of `keys` by index 0 visits, all positions together.
inline ZSet LookedUpAll(StateTable& table, const std::vector<Row>& keys) {
  ZSet out;
  table.Lookup(0, keys, [&](size_t, const Row& row, int64_t w) { out.Add(row, w); });
  return out;
}

}  // namespace zload::test
