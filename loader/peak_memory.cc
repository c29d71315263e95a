#include "loader/peak_memory.h"

#include <fstream>
#include <string>

namespace zload {

int64_t PeakResidentKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    try {
      return std::stoll(line.substr(6));  // "VmHWM:   12345 kB"
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace zload
