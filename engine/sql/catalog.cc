#include "engine/sql/compiler.h"
#include "engine/sql/lexer.h"

namespace zload {

void RelationCatalog::Add(Relation relation) {
  std::string key = sql::ToLowerAscii(relation.name);
  by_lower_name_.insert_or_assign(std::move(key), std::move(relation));
}

std::optional<Relation> RelationCatalog::Find(const std::string& name) const {
  auto it = by_lower_name_.find(sql::ToLowerAscii(name));
  if (it == by_lower_name_.end()) return std::nullopt;
  return it->second;
}

}  // namespace zload
