#include "loader/input_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/error.h"

namespace zload {
namespace {

Error IoError(const std::string& name, const std::string& what, int errnum) {
  ErrorContext context;
  context.file = name;
  return Error(ErrorCode::kIo, what + ": " + std::strerror(errnum), std::move(context));
}

// A file descriptor source; owns the descriptor unless it is stdin.
class FileSource final : public InputSource {
 public:
  FileSource(std::string name, int fd, bool owned, std::optional<uint64_t> size)
      : InputSource(std::move(name), size), fd_(fd), owned_(owned) {}
  ~FileSource() override {
    if (owned_) ::close(fd_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  size_t Read(char* buffer, size_t capacity) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, capacity);
      if (n >= 0) {
        position_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) throw IoError(name(), "cannot read", errno);
    }
  }

  void SkipTo(uint64_t offset) override {
    if (offset == position_) return;
    if (offset > position_ &&
        ::lseek(fd_, static_cast<off_t>(offset - position_), SEEK_CUR) != static_cast<off_t>(-1)) {
      position_ = offset;
      return;
    }
    std::vector<char> scratch(1 << 16);
    while (position_ < offset) {
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>(scratch.size(), offset - position_));
      if (Read(scratch.data(), want) == 0) {
        ErrorContext context;
        context.file = name();
        throw Error(ErrorCode::kIo, "input ends before offset " + std::to_string(offset), context);
      }
    }
  }

 private:
  int fd_;
  bool owned_;
};

// A source over bytes held in memory.
class MemorySource final : public InputSource {
 public:
  MemorySource(std::string data, std::string name)
      : InputSource(std::move(name), data.size()), data_(std::move(data)) {}

  size_t Read(char* buffer, size_t capacity) override {
    const size_t n = std::min<size_t>(capacity, data_.size() - position_);
    std::memcpy(buffer, data_.data() + position_, n);
    position_ += n;
    return n;
  }

  void SkipTo(uint64_t offset) override {
    if (offset > data_.size()) {
      ErrorContext context;
      context.file = name();
      throw Error(ErrorCode::kIo, "input ends before offset " + std::to_string(offset), context);
    }
    position_ = std::max(position_, offset);
  }

 private:
  std::string data_;
};

}  // namespace

std::unique_ptr<InputSource> InputSource::Open(const std::string& path) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "<stdin>" : path;
  int fd = 0;
  if (!is_stdin) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(name, "cannot open", errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int saved = errno;
    if (!is_stdin) ::close(fd);
    throw IoError(name, "cannot stat", saved);
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    throw IoError(name, "cannot read", EISDIR);
  }
  std::optional<uint64_t> size;
  if (S_ISREG(st.st_mode)) {
    size = static_cast<uint64_t>(st.st_size);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  return std::make_unique<FileSource>(name, fd, !is_stdin, size);
}

std::unique_ptr<InputSource> InputSource::FromString(std::string data, std::string name) {
  return std::make_unique<MemorySource>(std::move(data), std::move(name));
}

namespace {

// `chunk_size`, or what `source` has left when it is known to hold less (kSmallestBuffer at least):
// a small input, or the last batch of a file, needs no 4 MiB buffer.
size_t FirstCapacity(const InputSource& source, size_t chunk_size) {
  const std::optional<uint64_t> total = source.total_size();
  if (!total || *total < source.position()) return chunk_size;
  const uint64_t left =
      std::max<uint64_t>(*total - source.position(), InputWindow::kSmallestBuffer);
  return static_cast<size_t>(std::min<uint64_t>(chunk_size, left));
}

}  // namespace

InputWindow::InputWindow(InputSource& source, size_t chunk_size)
    : source_(source),
      capacity_(FirstCapacity(source, chunk_size)),
      base_offset_(source.position()) {
  data_.reset(new char[capacity_ + 1]);
  data_[0] = '\n';
}

bool InputWindow::Refill(const char* keep) {
  const size_t kept = static_cast<size_t>(end() - keep);
  base_offset_ += static_cast<uint64_t>(keep - begin());
  if (kept > capacity_ / 2) {
    // The kept bytes (one long record) fill most of the buffer: double it.
    const size_t capacity = capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[capacity + 1]);
    std::memcpy(grown.get(), keep, kept);
    data_ = std::move(grown);
    capacity_ = capacity;
  } else if (kept > 0 && keep != begin()) {
    std::memmove(data_.get(), keep, kept);
  }
  size_ = kept;
  bool added = false;
  while (size_ < capacity_ && !eof_) {
    const size_t n = source_.Read(data_.get() + size_, capacity_ - size_);
    if (n == 0) {
      eof_ = true;
    } else {
      size_ += n;
      added = true;
    }
  }
  data_[size_] = '\n';
  return added;
}

}  // namespace zload
