#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "stores/job_store.h"
#include "stores/sqlite_db.h"

namespace zload {

// Copies a SQLite store's write-ahead log into its database file (a passive checkpoint: it
// never blocks a reader or a writer) every `period`, from a thread and a connection of its own,
// until destroyed. Writers in other processes then commit without checkpointing (see
// JobStore::LeaveCheckpoints), so none of them stops its batch to copy pages and wait for the
// disk. A checkpoint that fails (the file is busy, the disk full) is tried again at the next
// period; the log then only grows until one succeeds, and nothing committed is lost.
class SqliteLogCheckpointer : public BackgroundWork {
 public:
  // Opens a connection to the SQLite file at `path` (Error(kIo) naming it when it cannot) and
  // starts the thread.
  SqliteLogCheckpointer(const std::string& path, std::chrono::milliseconds period);
  // Stops the thread (a checkpoint under way finishes first) and closes the connection.
  ~SqliteLogCheckpointer() override;
  SqliteLogCheckpointer(const SqliteLogCheckpointer&) = delete;
  SqliteLogCheckpointer& operator=(const SqliteLogCheckpointer&) = delete;

  // Checkpoints so far that left no page of the log uncopied (each counted once).
  int64_t checkpoints() const;

 private:
  void Run();

  std::chrono::milliseconds period_;
  std::unique_ptr<sqlite::Database> db_;  // used by thread_ alone once it runs
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace zload
