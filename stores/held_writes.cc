#include "stores/held_writes.h"

#include <utility>

namespace zload {

void HeldWrites::Hold(Moves moves) {
  Drop();
  moves_ = std::move(moves);
  holding_ = true;
}

void HeldWrites::Add(const void* owner, std::function<void()> write) {
  owners_.insert(owner);
  writes_.push_back(std::move(write));
}

void HeldWrites::BeforeRead(const void* owner) {
  if (holding_ && owners_.count(owner)) Release();
}

void HeldWrites::Release() {
  if (!holding_) return;
  holding_ = false;
  std::vector<std::function<void()>> writes = std::move(writes_);
  writes_.clear();
  owners_.clear();
  moves_.to_writing();
  for (const std::function<void()>& write : writes) write();
}

void HeldWrites::Drop() {
  holding_ = false;
  writes_.clear();
  owners_.clear();
}

void HeldWrites::RunApart(const std::function<void()>& write) {
  if (holding_) {
    moves_.apart(write);
  } else {
    write();
  }
}

}  // namespace zload
