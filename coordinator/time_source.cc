#include "coordinator/time_source.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <new>

#include "engine/error.h"

namespace zload {
namespace bip = boost::interprocess;

namespace {

// Only a lock-free atomic works between processes: a lock would live in one process's memory.
static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);

constexpr uint64_t kMagic = 0x7a6c6f61'6474696dULL;  // "zloadtim", version 1
constexpr size_t kMaxJobIdLength = 200;

// The segment's contents. `magic` is published last, so a reader that sees it sees `last`.
struct Layout {
  std::atomic<uint64_t> magic;
  std::atomic<int64_t> last;
};

void CheckJobId(const std::string& job_id) {
  auto fail = [&](const std::string& why) {
    throw Error(
        ErrorCode::kConfig,
        fmt::format("invalid job id '{}' for a shared-memory time source: {}", job_id, why));
  };
  if (job_id.empty()) fail("it is empty");
  if (job_id.size() > kMaxJobIdLength) {
    fail(fmt::format("it is {} characters long, at most {} are allowed", job_id.size(),
                     kMaxJobIdLength));
  }
  for (char c : job_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) fail("only letters, digits, '.', '_' and '-' are allowed");
  }
}

}  // namespace

struct SharedMemoryTimeSource::Mapping {
  std::string name;
  bip::shared_memory_object shm;
  bip::mapped_region region;
  Layout* layout = nullptr;
};

std::string SharedMemoryTimeSource::SegmentName(const std::string& job_id) {
  CheckJobId(job_id);
  return "zload-time-" + job_id;
}

std::unique_ptr<SharedMemoryTimeSource> SharedMemoryTimeSource::Create(const std::string& job_id,
                                                                       int64_t start_after) {
  auto mapping = std::make_unique<Mapping>();
  mapping->name = SegmentName(job_id);
  try {
    mapping->shm =
        bip::shared_memory_object(bip::create_only, mapping->name.c_str(), bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    if (e.get_error_code() == bip::already_exists_error) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("a time source segment '{}' already exists for job '{}' (another "
                              "coordinator of the job is running, or a crashed one left it)",
                              mapping->name, job_id));
    }
    throw Error(ErrorCode::kIo, fmt::format("cannot create the time source segment '{}': {}",
                                            mapping->name, e.what()));
  }
  // From here on the segment is ours: the owning object removes it even if setting up fails.
  std::unique_ptr<SharedMemoryTimeSource> source(
      new SharedMemoryTimeSource(std::move(mapping), /*owner=*/true));
  Mapping& m = *source->mapping_;
  try {
    m.shm.truncate(sizeof(Layout));
    m.region = bip::mapped_region(m.shm, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    throw Error(ErrorCode::kIo,
                fmt::format("cannot set up the time source segment '{}': {}", m.name, e.what()));
  }
  m.layout = new (m.region.get_address()) Layout{};
  m.layout->last.store(start_after, std::memory_order_relaxed);
  m.layout->magic.store(kMagic, std::memory_order_release);
  return source;
}

std::unique_ptr<SharedMemoryTimeSource> SharedMemoryTimeSource::Open(const std::string& job_id) {
  auto mapping = std::make_unique<Mapping>();
  mapping->name = SegmentName(job_id);
  try {
    mapping->shm =
        bip::shared_memory_object(bip::open_only, mapping->name.c_str(), bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    if (e.get_error_code() == bip::not_found_error) {
      throw Error(ErrorCode::kConfig,
                  fmt::format("no time source segment '{}' exists for job '{}' (its coordinator "
                              "has not created it, or has exited)",
                              mapping->name, job_id));
    }
    throw Error(ErrorCode::kIo, fmt::format("cannot open the time source segment '{}': {}",
                                            mapping->name, e.what()));
  }
  bip::offset_t size = 0;
  if (!mapping->shm.get_size(size) || size < static_cast<bip::offset_t>(sizeof(Layout))) {
    throw Error(ErrorCode::kIo, fmt::format("the time source segment '{}' has {} bytes, not the "
                                            "{} its coordinator writes",
                                            mapping->name, size, sizeof(Layout)));
  }
  try {
    mapping->region = bip::mapped_region(mapping->shm, bip::read_write, 0, sizeof(Layout));
  } catch (const bip::interprocess_exception& e) {
    throw Error(ErrorCode::kIo, fmt::format("cannot map the time source segment '{}': {}",
                                            mapping->name, e.what()));
  }
  mapping->layout = static_cast<Layout*>(mapping->region.get_address());
  if (mapping->layout->magic.load(std::memory_order_acquire) != kMagic) {
    throw Error(ErrorCode::kIo,
                fmt::format("the segment '{}' does not hold a zload time source", mapping->name));
  }
  return std::unique_ptr<SharedMemoryTimeSource>(
      new SharedMemoryTimeSource(std::move(mapping), /*owner=*/false));
}

bool SharedMemoryTimeSource::Remove(const std::string& job_id) {
  return bip::shared_memory_object::remove(SegmentName(job_id).c_str());
}

SharedMemoryTimeSource::SharedMemoryTimeSource(std::unique_ptr<Mapping> mapping, bool owner)
    : mapping_(std::move(mapping)), owner_(owner) {}

SharedMemoryTimeSource::~SharedMemoryTimeSource() {
  if (owner_) bip::shared_memory_object::remove(mapping_->name.c_str());
}

int64_t SharedMemoryTimeSource::Next() {
  return mapping_->layout->last.fetch_add(1, std::memory_order_acq_rel) + 1;
}

int64_t SharedMemoryTimeSource::Last() const {
  return mapping_->layout->last.load(std::memory_order_acquire);
}

}  // namespace zload
