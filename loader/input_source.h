#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace zload {

// A sequential byte stream a reader parses: a file, stdin, or text in memory. Not thread-safe.
class InputSource {
 public:
  virtual ~InputSource() = default;

  // Opens the file at `path`, or stdin when `path` is "-". Throws Error(kIo) naming the file when
  // it cannot be opened or is a directory.
  static std::unique_ptr<InputSource> Open(const std::string& path);
  // A source over `data`, named `name` in errors (for tests, benchmarks and fuzzing).
  static std::unique_ptr<InputSource> FromString(std::string data, std::string name = "<memory>");

  // Copies up to `capacity` next bytes into `buffer`; returns how many, 0 only at the end of input.
  // Throws Error(kIo) naming the file on a read failure.
  virtual size_t Read(char* buffer, size_t capacity) = 0;
  // Moves to absolute byte `offset`, which must not be before the current position (seeks a regular
  // file, reads and discards otherwise). Throws Error(kIo) when the input ends first.
  virtual void SkipTo(uint64_t offset) = 0;

  // The name used in errors: the path, or "<stdin>".
  const std::string& name() const { return name_; }
  // The total size in bytes when known (a regular file or memory), nullopt for pipes and stdin.
  std::optional<uint64_t> total_size() const { return total_size_; }
  // Bytes consumed from the start of the input (including skipped ones).
  uint64_t position() const { return position_; }

 protected:
  InputSource(std::string name, std::optional<uint64_t> total_size)
      : name_(std::move(name)), total_size_(total_size) {}
  uint64_t position_ = 0;

 private:
  std::string name_;
  std::optional<uint64_t> total_size_;
};

// A contiguous window over an InputSource, read in chunks and grown as a record needs, so a
// scanner can see a whole record at once. The byte after the window's last valid byte is always
// '\n' (a sentinel that lets scanning loops run without bounds checks).
class InputWindow {
 public:
  static constexpr size_t kChunkSize = size_t{4} << 20;
  // The least buffer a window over a source of known size takes.
  static constexpr size_t kSmallestBuffer = size_t{64} << 10;

  // Reads from `source` starting at its current position, `chunk_size` bytes at a time (tests use
  // tiny chunks to put chunk boundaries everywhere), into a buffer of `chunk_size` bytes, or of
  // what a source of known size has left when that is less (but at least kSmallestBuffer).
  // REQUIRES: chunk_size > 0.
  explicit InputWindow(InputSource& source, size_t chunk_size = kChunkSize);

  const char* begin() const { return data_.get(); }
  const char* end() const { return data_.get() + size_; }
  // True once the source has reported its end: end() is the end of input.
  bool at_eof() const { return eof_; }
  // Absolute input offset of begin().
  uint64_t base_offset() const { return base_offset_; }

  // Discards the bytes before `keep` (a pointer into the window) and appends at least one more
  // chunk's worth of input when available, growing the buffer when the kept bytes fill most of it.
  // Pointers into the window are invalid afterwards. Returns false (and sets at_eof) when the
  // source had no more bytes.
  bool Refill(const char* keep);
  // The bytes the buffer holds now.
  size_t capacity() const { return capacity_; }

 private:
  InputSource& source_;
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;  // usable bytes, excluding the sentinel
  size_t size_ = 0;
  uint64_t base_offset_ = 0;
  bool eof_ = false;
};

}  // namespace zload
