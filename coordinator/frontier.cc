#include "coordinator/frontier.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "engine/error.h"

namespace zload {
namespace {

// "30 s" for whole seconds, else "200 ms".
std::string DurationText(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
  return fmt::format("{} ms", d.count());
}

}  // namespace

WaitClock WaitClock::Real() {
  return {[] { return std::chrono::steady_clock::now(); },
          [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }};
}

void WaitForFrontier(const std::function<std::optional<int64_t>()>& read_last_update,
                     const std::string& table, int64_t frontier, const FrontierWait& wait,
                     const WaitClock& clock) {
  using std::chrono::nanoseconds;
  if (wait.max_sleep.count() < 0 || wait.timeout.count() < 0) {
    throw Error(ErrorCode::kConfig,
                fmt::format("frontier wait needs a max sleep and a timeout of 0 or more, not {} "
                            "ms and {} ms",
                            wait.max_sleep.count(), wait.timeout.count()),
                {.table = table});
  }
  const auto deadline = clock.now() + wait.timeout;
  nanoseconds backoff = std::chrono::microseconds(100);
  for (;;) {
    const int64_t seen = read_last_update().value_or(0);
    if (seen >= frontier) return;
    const auto now = clock.now();
    if (now >= deadline) {
      throw Error(ErrorCode::kTransient,
                  fmt::format("timed out after {} waiting for table '{}' to reach time {} (it is "
                              "at {})",
                              DurationText(wait.timeout), table, frontier, seen),
                  {.table = table, .time = frontier});
    }
    clock.sleep_for(std::min({backoff, nanoseconds(wait.max_sleep), nanoseconds(deadline - now)}));
    backoff = std::min(backoff * 2, nanoseconds(wait.max_sleep));
  }
}

}  // namespace zload
