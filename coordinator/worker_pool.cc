#include "coordinator/worker_pool.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/process.hpp>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "engine/error.h"

namespace zload {

namespace bp = boost::process;

struct WorkerPool::State {
  struct Worker {
    bp::opstream in;
    bp::ipstream out;
    bp::child child;
    std::thread reader;
    bool closed = false;
  };
  std::vector<std::string> argv;
  std::vector<std::unique_ptr<Worker>> workers;
  std::mutex mu;
  std::condition_variable ready;
  std::deque<Message> inbox;

  void Read(size_t index) {
    Worker& w = *workers[index];
    std::string line;
    while (std::getline(w.out, line)) {
      std::lock_guard<std::mutex> lock(mu);
      inbox.push_back({index, line, 0});
      ready.notify_one();
    }
    std::lock_guard<std::mutex> lock(mu);
    inbox.push_back({index, std::nullopt, 0});
    ready.notify_one();
  }

  // Starts one process of the pool's command; its reader thread is started by the caller.
  std::unique_ptr<Worker> Start() const {
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    auto w = std::make_unique<Worker>();
    w->child = bp::child(bp::exe = argv[0], bp::args = args, bp::std_in<w->in, bp::std_out> w->out);
    // Workers started later must not inherit this one's pipe ends: its stdin would not end when
    // the coordinator closes it, nor its stdout when it exits.
    ::fcntl(w->in.pipe().native_sink(), F_SETFD, FD_CLOEXEC);
    ::fcntl(w->out.pipe().native_source(), F_SETFD, FD_CLOEXEC);
    return w;
  }

  // Reaps worker `w` and returns its exit status (128 + signal when killed).
  static int Reap(Worker& w) {
    std::error_code ec;
    if (w.child.valid()) w.child.wait(ec);
    int native = w.child.native_exit_code();
    if (WIFSIGNALED(native)) return 128 + WTERMSIG(native);
    return w.child.exit_code();
  }
};

WorkerPool::WorkerPool(const std::vector<std::string>& argv, size_t count)
    : state_(std::make_unique<State>()) {
  if (argv.empty()) throw Error(ErrorCode::kInternal, "no worker command");
  state_->argv = argv;
  try {
    for (size_t i = 0; i < count; ++i) state_->workers.push_back(state_->Start());
  } catch (const std::exception& e) {
    Kill();
    throw Error(ErrorCode::kWorkerDied, "cannot start worker " + argv[0] + ": " + e.what());
  }
  for (size_t i = 0; i < count; ++i) {
    state_->workers[i]->reader = std::thread([this, i] { state_->Read(i); });
  }
}

void WorkerPool::Restart(size_t worker) {
  std::unique_ptr<State::Worker>& slot = state_->workers.at(worker);
  if (slot->reader.joinable()) slot->reader.join();
  State::Reap(*slot);
  try {
    slot = state_->Start();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kWorkerDied,
                "cannot start worker " + state_->argv[0] + " again: " + e.what());
  }
  slot->reader = std::thread([this, worker] { state_->Read(worker); });
}

WorkerPool::~WorkerPool() {
  try {
    Kill();
  } catch (...) {
    // Nothing more can be done for a child that cannot be killed.
  }
}

size_t WorkerPool::size() const { return state_->workers.size(); }

namespace {

// Blocks SIGPIPE in the calling thread while it lives, so that a write to the pipe of a worker
// that has exited fails (EPIPE) instead of ending the process; a SIGPIPE raised meanwhile is
// consumed before the old mask returns.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

}  // namespace

void WorkerPool::Send(size_t worker, const std::string& line) {
  State::Worker& w = *state_->workers.at(worker);
  SigpipeBlock block;
  if (w.closed || !(w.in << line << '\n') || !w.in.flush()) {
    throw Error(ErrorCode::kWorkerDied, "worker " + std::to_string(worker + 1) + " is gone");
  }
}

WorkerPool::Message WorkerPool::Receive() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->ready.wait(lock, [&] { return !state_->inbox.empty(); });
  Message m = std::move(state_->inbox.front());
  state_->inbox.pop_front();
  lock.unlock();
  if (!m.line) {
    State::Worker& w = *state_->workers[m.worker];
    if (w.reader.joinable()) w.reader.join();
    m.exit_code = State::Reap(w);
  }
  return m;
}

std::optional<WorkerPool::Message> WorkerPool::Receive(std::chrono::milliseconds timeout) {
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    if (!state_->ready.wait_for(lock, timeout, [&] { return !state_->inbox.empty(); })) {
      return std::nullopt;
    }
  }
  return Receive();
}

void WorkerPool::KillOne(size_t worker) {
  State::Worker& w = *state_->workers.at(worker);
  std::error_code ec;
  if (w.child.valid() && w.child.running(ec)) ::kill(w.child.id(), SIGKILL);
}

void WorkerPool::Finish() {
  for (auto& w : state_->workers) {
    if (w->closed) continue;
    w->in.pipe().close();
    w->closed = true;
  }
  for (auto& w : state_->workers) {
    if (w->reader.joinable()) w->reader.join();
    State::Reap(*w);
  }
}

void WorkerPool::Kill() {
  for (auto& w : state_->workers) {
    std::error_code ec;
    // Not child::terminate(): it marks the child terminated without waiting for it, after which
    // child::wait() does nothing and the child stays a zombie with no exit status. Reap() waits.
    if (w->child.valid() && w->child.running(ec)) ::kill(w->child.id(), SIGKILL);
    if (!w->closed) {
      w->in.pipe().close();
      w->closed = true;
    }
  }
  for (auto& w : state_->workers) {
    if (w->reader.joinable()) w->reader.join();
    State::Reap(*w);
  }
}

}  // namespace zload
