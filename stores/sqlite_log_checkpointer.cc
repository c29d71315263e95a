#include "stores/sqlite_log_checkpointer.h"

#include <sqlite3.h>

#include <exception>
#include <memory>

#include "engine/error.h"
#include "stores/sqlite_db.h"

namespace zload {

SqliteLogCheckpointer::SqliteLogCheckpointer(const std::string& path,
                                             std::chrono::milliseconds period)
    : period_(period) {
  thread_ = std::thread([this, path] { Run(path); });
  std::unique_lock lock(mu_);
  wake_.wait(lock, [this] { return opened_; });
  if (!open_error_.empty()) {
    lock.unlock();
    thread_.join();
    throw Error(ErrorCode::kIo, open_error_, {.file = path});
  }
}

SqliteLogCheckpointer::~SqliteLogCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int64_t SqliteLogCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void SqliteLogCheckpointer::Run(std::string path) {
  // The connection lives on this thread: SQLite connections here are opened without mutexes.
  std::unique_ptr<sqlite::Database> db;
  {
    std::lock_guard lock(mu_);
    try {
      db = std::make_unique<sqlite::Database>(path);
    } catch (const std::exception& e) {
      open_error_ = e.what();
    }
    opened_ = true;
  }
  wake_.notify_all();
  if (!db) return;
  int last_copied = 0;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    int log_frames = 0;
    int copied_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                             &log_frames, &copied_frames);
    const bool completed = rc == SQLITE_OK && copied_frames > 0 && copied_frames == log_frames &&
                           copied_frames != last_copied;
    if (rc == SQLITE_OK) last_copied = copied_frames;
    lock.lock();
    if (completed) ++checkpoints_;
  }
}

}  // namespace zload
