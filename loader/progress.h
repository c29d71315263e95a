#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace zload {

// A one-line progress bar on a terminal: source, percent of bytes, rows, rows/s and ETA,
// redrawn at most ten times a second. Draws nothing when disabled (not a terminal, or quiet).
class ProgressBar {
 public:
  // Draws to `out` when `enabled`.
  ProgressBar(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}
  // Starts a new source; `total_bytes` is unknown for stdin.
  void Start(const std::string& label, std::optional<uint64_t> total_bytes);
  // Reports the rows and bytes done so far in the current source.
  void Update(int64_t rows, uint64_t bytes);
  // Shows `detail` (e.g. workers busy) after the rate, from the next redraw on; empty: nothing.
  void SetDetail(std::string detail) { detail_ = std::move(detail); }
  // Ends the current line.
  void Finish();

 private:
  void Draw(bool final_draw);

  std::FILE* out_;
  bool enabled_;
  std::string label_;
  std::string detail_;
  std::optional<uint64_t> total_bytes_;
  int64_t rows_ = 0;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace zload
