#include "loader/progress.h"

#include <fmt/format.h>

namespace zload {
namespace {

std::string Human(double v) {
  if (v >= 1e9) return fmt::format("{:.1f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

}  // namespace

void ProgressBar::Start(const std::string& label, std::optional<uint64_t> total_bytes) {
  label_ = label;
  total_bytes_ = total_bytes;
  rows_ = 0;
  bytes_ = 0;
  start_ = std::chrono::steady_clock::now();
  last_draw_ = {};
  Draw(false);
}

void ProgressBar::Update(int64_t rows, uint64_t bytes) {
  rows_ = rows;
  bytes_ = bytes;
  if (std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100)) Draw(false);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  Draw(true);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void ProgressBar::Draw(bool final_draw) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(rows_) / seconds : 0;
  std::string bar, percent = "  ?%", eta;
  constexpr int kWidth = 24;
  if (total_bytes_ && *total_bytes_ > 0) {
    double done = std::min(1.0, static_cast<double>(bytes_) / static_cast<double>(*total_bytes_));
    int filled = static_cast<int>(done * kWidth);
    bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
    percent = fmt::format("{:3.0f}%", done * 100);
    if (!final_draw && done > 0 && seconds > 0.5) {
      eta = fmt::format("  ETA {:.0f}s", seconds / done - seconds);
    }
  } else {
    bar = std::string(kWidth, '?');
  }
  std::string detail = detail_.empty() ? "" : "  " + detail_;
  std::fprintf(out_, "\r%-16.16s [%s] %s  %s rows  %s rows/s%s%s\x1b[K", label_.c_str(),
               bar.c_str(), percent.c_str(), Human(static_cast<double>(rows_)).c_str(),
               Human(rate).c_str(), detail.c_str(), eta.c_str());
  std::fflush(out_);
}

}  // namespace zload
