#pragma once

#include <chrono>
#include <thread>

#include "engine/error.h"

namespace zload {

// Whether `e` is a store error that may pass by itself: a lost connection, a server
// restarting, SQLite busy past its timeout.
inline bool IsTransient(const Error& e) {
  return e.code() == ErrorCode::kTransient || e.code() == ErrorCode::kIo;
}

// Returns attempt(); while it throws a transient Error, waits (0.1 s doubling to 3.2 s, about 6 s
// in all), calls reconnect() (whose own Error only means "not yet") and tries again; after the
// sixth retry, or on any other error, the error passes through.
template <typename Attempt, typename Reconnect>
auto RetryTransient(Attempt&& attempt, Reconnect&& reconnect) -> decltype(attempt()) {
  auto delay = std::chrono::milliseconds(100);
  for (int retries = 0;; ++retries) {
    try {
      return attempt();
    } catch (const Error& e) {
      if (!IsTransient(e) || retries >= 6) throw;
    }
    std::this_thread::sleep_for(delay);
    delay *= 2;
    try {
      reconnect();
    } catch (const Error&) {
      // Still unreachable: the next attempt tries again.
    }
  }
}

}  // namespace zload
