#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "loader/job.h"
#include "loader/transient_retry.h"
#include "stores/job_store.h"

namespace zload {

// A coordinator's connection to a job's store that outlives the store restarting: a call that
// meets a transient store error is made again on a new connection, with back-off.
class ReconnectingStore {
 public:
  // Starts on `store` (not owned; it must outlive this); new connections open `url`.
  ReconnectingStore(JobStore& store, std::string url) : store_(store), url_(std::move(url)) {}

  // Returns fn(store); a transient store error (a lost connection, a server restarting, SQLite
  // busy) is retried on a new connection (0.1 s doubling to 3.2 s, about 6 s in all) before it
  // passes through.
  template <typename F>
  auto operator()(F&& fn) -> decltype(fn(std::declval<JobStore&>())) {
    return RetryTransient([&] { return fn(own_ ? *own_ : store_); },
                          [&] {
                            own_ = OpenJobStore(url_);
                            ++reconnects_;
                          });
  }

  // How many times a new connection was opened.
  int64_t reconnects() const { return reconnects_; }

 private:
  JobStore& store_;
  std::string url_;
  std::unique_ptr<JobStore> own_;  // a new connection once store_'s was lost
  int64_t reconnects_ = 0;
};

}  // namespace zload
