#pragma once

#include <map>
#include <memory>
#include <string>

#include "engine/state_store.h"

namespace zload {

// A StateTable kept in process memory, independent of any store. Not thread-safe.
std::unique_ptr<StateTable> MakeMemoryTable(StateTableSpec spec);

// A StateStore that keeps every table in process memory. Nothing survives the process.
// Not thread-safe.
class MemoryStore : public StateStore {
 public:
  StateTable& Open(const StateTableSpec& spec) override;
  // The names of the tables opened so far, sorted.
  std::vector<std::string> TableNames() const;

 private:
  std::map<std::string, std::unique_ptr<StateTable>> tables_;
};

}  // namespace zload
