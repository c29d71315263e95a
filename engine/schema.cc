#include "engine/schema.h"

#include <strings.h>

namespace zload {

std::optional<size_t> Schema::IndexOf(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (strcasecmp(columns_[i].name.c_str(), name.c_str()) == 0) return i;
  }
  return std::nullopt;
}

}  // namespace zload
