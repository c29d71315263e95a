#include "loader/reject_writer.h"

#include <filesystem>

namespace zload {

void RejectWriter::Reject(const std::string& source, const std::string& header, const InputRow& row,
                          const Error& error) {
  if (source != last_source_) {
    if (!header.empty()) held_rows_.append(header).push_back('\n');
    last_source_ = source;
  }
  held_rows_.append(row.raw).push_back('\n');
  held_log_.append(error.what()).push_back('\n');
  ++count_;
  if (!held_) Flush();
}

void RejectWriter::Flush() {
  if (held_rows_.empty() && held_log_.empty()) return;
  if (!rows_.is_open()) {
    std::filesystem::path p(path_);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    const auto mode = std::ios::binary | (append_ ? std::ios::app : std::ios::trunc);
    rows_.open(path_, mode);
    log_.open(path_ + ".log", mode);
    if (!rows_ || !log_)
      throw Error(ErrorCode::kIo, "cannot write the reject file", {.file = path_});
  }
  rows_ << held_rows_;
  log_ << held_log_;
  rows_.flush();
  log_.flush();
  if (!rows_ || !log_) throw Error(ErrorCode::kIo, "cannot write the reject file", {.file = path_});
  held_rows_.clear();
  held_log_.clear();
  flushed_count_ = count_;
  flushed_last_source_ = last_source_;
}

void RejectWriter::Discard() {
  held_rows_.clear();
  held_log_.clear();
  count_ = flushed_count_;
  last_source_ = flushed_last_source_;
}

}  // namespace zload
