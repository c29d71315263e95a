#pragma once

#include <functional>
#include <unordered_set>
#include <vector>

namespace zload {

// State writes held back while a transaction only reads, so that it runs without a store's
// single write lock (SQLite: a worker computing one vertex's step while others write), and run
// in order once the transaction takes the lock. Not thread-safe.
class HeldWrites {
 public:
  // How the store moves its open transaction on.
  struct Moves {
    // From reading to holding the write lock, keeping what it read valid.
    std::function<void()> to_writing;
    // Runs a write in a committed transaction of its own and goes on reading after it.
    std::function<void(const std::function<void()>&)> apart;
  };

  // Holds writes from now on, until Release() or Drop().
  void Hold(Moves moves);
  // Whether writes are held now.
  bool holding() const { return holding_; }
  // Holds `write`, which writes the table named by `owner` (any address standing for it).
  // REQUIRES: holding().
  void Add(const void* owner, std::function<void()> write);
  // Call before reading the table named by `owner`: when writes to it are held, the transaction
  // takes the write lock and runs every held write first, so that the read sees them.
  void BeforeRead(const void* owner);
  // Takes the write lock and runs the held writes in order; writes go to the store at once
  // after it. Nothing when not holding.
  void Release();
  // Forgets the held writes and stops holding (after a rollback).
  void Drop();
  // Runs `write` apart from the held writes (see Moves::apart) when holding, else at once.
  void RunApart(const std::function<void()>& write);

 private:
  bool holding_ = false;
  Moves moves_;
  std::vector<std::function<void()>> writes_;
  std::unordered_set<const void*> owners_;  // tables with writes held
};

}  // namespace zload
