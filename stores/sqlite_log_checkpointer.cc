#include "stores/sqlite_log_checkpointer.h"

#include <sqlite3.h>

namespace zload {

SqliteLogCheckpointer::SqliteLogCheckpointer(const std::string& path,
                                             std::chrono::milliseconds period)
    : period_(period), db_(std::make_unique<sqlite::Database>(path)) {
  // The connection is used by the thread alone from here on (SQLite connections here are
  // opened without mutexes: one user at a time).
  thread_ = std::thread([this] { Run(); });
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

void SqliteLogCheckpointer::Run() {
  int last_copied = 0;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    int log_frames = 0;
    int copied_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                             &log_frames, &copied_frames);
    const bool completed = rc == SQLITE_OK && copied_frames > 0 && copied_frames == log_frames &&
                           copied_frames != last_copied;
    if (rc == SQLITE_OK) last_copied = copied_frames;
    lock.lock();
    if (completed) ++checkpoints_;
  }
}

}  // namespace zload
