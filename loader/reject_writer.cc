#include "loader/reject_writer.h"

#include <filesystem>

namespace zload {

void RejectWriter::Reject(const std::string& source, const std::string& header, const InputRow& row,
                          const Error& error) {
  if (!rows_.is_open()) {
    std::filesystem::path p(path_);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    const auto mode = std::ios::binary | (append_ ? std::ios::app : std::ios::trunc);
    rows_.open(path_, mode);
    log_.open(path_ + ".log", mode);
    if (!rows_ || !log_)
      throw Error(ErrorCode::kIo, "cannot write the reject file", {.file = path_});
  }
  if (source != last_source_) {
    if (!header.empty()) rows_ << header << '\n';
    last_source_ = source;
  }
  rows_ << row.raw << '\n';
  log_ << error.what() << '\n';
  rows_.flush();
  log_.flush();
  if (!rows_ || !log_) throw Error(ErrorCode::kIo, "cannot write the reject file", {.file = path_});
  ++count_;
}

}  // namespace zload
