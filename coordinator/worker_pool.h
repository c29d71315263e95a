#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zload {

// Child processes that a coordinator talks to in lines: it writes to each one's stdin and reads
// what any of them prints on stdout, in arrival order. Every child is reaped (killed if still
// running) when the pool is destroyed. Not thread-safe: one owner thread calls everything.
class WorkerPool {
 public:
  // One line a worker printed, or the end of its output (line == nullopt) once it has exited.
  struct Message {
    size_t worker = 0;
    std::optional<std::string> line;
    int exit_code = 0;  // with line == nullopt: its exit status (128 + signal when killed)
  };

  // Starts `count` processes running `argv` (argv[0] is the executable's path). Their stderr is
  // the coordinator's. Throws Error(kWorkerDied) when one cannot be started.
  WorkerPool(const std::vector<std::string>& argv, size_t count);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const;
  // Writes `line` and a newline to worker `worker`'s stdin. Throws Error(kWorkerDied) when the
  // worker is gone.
  void Send(size_t worker, const std::string& line);
  // Waits for the next message from any worker.
  Message Receive();
  // As Receive, giving up after `timeout`: nullopt when no message came.
  std::optional<Message> Receive(std::chrono::milliseconds timeout);
  // Kills worker `worker` (SIGKILL); its end arrives as a Message like any other.
  void KillOne(size_t worker);
  // Starts worker `worker` again after its end was received (Message with line == nullopt).
  // Throws Error(kWorkerDied) when it cannot be started.
  void Restart(size_t worker);
  // Closes every worker's stdin (a worker then finishes and exits) and waits for all to exit.
  void Finish();
  // Kills every running worker (SIGKILL) and waits for them.
  void Kill();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace zload
