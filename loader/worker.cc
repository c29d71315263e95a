#include "loader/worker.h"

#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "engine/error.h"
#include "loader/frontier_plan.h"
#include "loader/job.h"
#include "loader/timed_batch.h"
#include "loader/transient_retry.h"
#include "loader/worker_messages.h"

namespace zload {
namespace {

Error AsError(const std::exception& e) {
  if (const auto* z = dynamic_cast<const Error*>(&e)) return *z;
  return Error(ErrorCode::kInternal, e.what());
}

void Send(std::ostream& out, const WorkerReport& report) {
  out << EncodeReport(report) << '\n';
  out.flush();
}

// A worker's connection to the store and the job bound to it.
struct Session {
  std::unique_ptr<JobStore> store;
  std::unique_ptr<Job> job;
  FrontierPlan plan;

  static std::unique_ptr<Session> Open(const JobConfig& config) {
    auto s = std::make_unique<Session>();
    s->store = OpenJobStore(config.store_url);
    s->store->LeaveCheckpoints();  // the coordinator checkpoints (see CheckpointInBackground)
    s->job = std::make_unique<Job>(config, s->store.get());
    s->plan = MakeFrontierPlan(*s->job);
    return s;
  }
};

}  // namespace

void ServeBatches(const JobConfig& config, const WorkerOptions& options, std::istream& in,
                  std::ostream& out) {
  std::unique_ptr<Session> session = Session::Open(config);
  std::string line;
  while (std::getline(in, line)) {
    CoordinatorOrder message = DecodeOrder(line);
    const auto* order = std::get_if<BatchOrder>(&message);
    if (!order) throw Error(ErrorCode::kWorkerDied, "a decision came before its batch: " + line);
    Job& job = *session->job;
    if (order->source >= job.sources().size()) {
      throw Error(ErrorCode::kWorkerDied, "a batch names an unknown source: " + line);
    }
    try {
      TimedBatch batch(job, *session->store, session->plan, options, job.sources()[order->source],
                       *order);
      if (order->skip) {
        Send(out, batch.Skip(*order->skip));
        continue;
      }
      Send(out, BatchReady{order->id, batch.Prepare()});
      if (!std::getline(in, line)) return;
      CoordinatorOrder reply = DecodeOrder(line);
      const auto* decision = std::get_if<BatchDecision>(&reply);
      if (!decision || decision->id != order->id) {
        throw Error(ErrorCode::kWorkerDied, "expected the decision on batch " +
                                                std::to_string(order->id) + ", got: " + line);
      }
      if (!decision->go) {
        Send(out, BatchStopped{order->id});
        continue;
      }
      if (decision->frontier_closed) batch.FrontierClosed();
      Send(out, batch.Apply());
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kWorkerDied) throw;
      Send(out, BatchFailed{order->id, e});
      // A lost connection (a server restarting) is not this worker's end: it connects again
      // for the next batch (or the same one, run again), when the store is back.
      if (IsTransient(e)) {
        try {
          session = Session::Open(config);
        } catch (const Error&) {
          // Still unreachable: the next batch fails and this is tried again.
        }
      }
    } catch (const std::exception& e) {
      Send(out, BatchFailed{order->id, AsError(e)});
    }
  }
}

}  // namespace zload
