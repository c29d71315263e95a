#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace zload {

// How long a worker waits for a table to reach a frontier, and how often it looks.
struct FrontierWait {
  // The longest sleep between two reads; sleeps start at 0.1 ms and double up to this.
  std::chrono::milliseconds max_sleep{100};
  // How long to wait in all before giving up (seconds convert implicitly).
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

// How a wait reads the time and sleeps; tests substitute a simulated clock.
struct WaitClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::nanoseconds)> sleep_for;
  // The steady clock and std::this_thread::sleep_for.
  static WaitClock Real();
};

// Returns once `read_last_update()` (the table's last_update; nullopt, never set, counts as 0)
// is >= `frontier`, reading it first at once and then after sleeps of 1, 2, 4... ms, each capped
// at `wait.max_sleep` and at the time left. Throws Error(kTransient, context table and time =
// frontier) naming the table, the frontier and the last time seen once `wait.timeout` has
// passed without reaching it; Error(kConfig) for a negative max_sleep or timeout. Errors thrown
// by `read_last_update` pass through. Thread-safe as far as `read_last_update` is.
void WaitForFrontier(const std::function<std::optional<int64_t>()>& read_last_update,
                     const std::string& table, int64_t frontier, const FrontierWait& wait,
                     const WaitClock& clock = WaitClock::Real());

}  // namespace zload
