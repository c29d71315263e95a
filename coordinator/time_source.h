#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace zload {

// Hands out logical times. Thread- and process-safety are the implementation's to state.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Returns a new time, strictly greater than every time handed out before by any user of the
  // same source.
  virtual int64_t Next() = 0;
  // The last time handed out, or the starting value (0 unless given) when none has been.
  virtual int64_t Last() const = 0;
};

// A TimeSource for one host: a lock-free std::atomic<int64_t> in a POSIX shared-memory segment
// named after the job ("zload-time-<job id>"). The coordinator Create()s the segment and owns it:
// its destructor removes the name (mappings already made stay valid until their holders go).
// Workers Open() the existing segment. Next() and Last() are safe from any thread of any
// process that maps the segment; one object may be shared between threads.
class SharedMemoryTimeSource : public TimeSource {
 public:
  // Creates the segment for `job_id`, starting after `start_after` (the store's highest recorded
  // time, so times keep increasing across runs): the first Next() returns start_after + 1.
  // Throws Error(kConfig) when `job_id` is not 1-200 characters of [A-Za-z0-9._-], or when the
  // segment already exists (another coordinator of the job runs, or a crashed one left it: see
  // Remove()); Error(kIo) when the system refuses the segment.
  static std::unique_ptr<SharedMemoryTimeSource> Create(const std::string& job_id,
                                                        int64_t start_after = 0);
  // Opens the segment its coordinator created for `job_id`; the result does not own it.
  // Throws Error(kConfig) when `job_id` is invalid or no such segment exists (the coordinator
  // has not created it or has exited); Error(kIo) when it cannot be mapped or was not made by
  // Create().
  static std::unique_ptr<SharedMemoryTimeSource> Open(const std::string& job_id);
  // Removes the segment of `job_id` if it exists (a stale one left by a crashed coordinator);
  // returns whether one was removed. REQUIRES: no live coordinator of the job.
  // Throws Error(kConfig) when `job_id` is invalid.
  static bool Remove(const std::string& job_id);
  // The shared-memory object name used for `job_id` (without the leading slash).
  static std::string SegmentName(const std::string& job_id);

  ~SharedMemoryTimeSource() override;
  SharedMemoryTimeSource(const SharedMemoryTimeSource&) = delete;
  SharedMemoryTimeSource& operator=(const SharedMemoryTimeSource&) = delete;

  int64_t Next() override;
  int64_t Last() const override;
  // Whether this object created the segment and removes it when destroyed.
  bool owner() const { return owner_; }

 private:
  struct Mapping;
  SharedMemoryTimeSource(std::unique_ptr<Mapping> mapping, bool owner);

  std::unique_ptr<Mapping> mapping_;
  bool owner_;
};

}  // namespace zload
