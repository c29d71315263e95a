// libFuzzer target for CsvRecordStepper: on any input, in chunks of any size and with blank lines
// skipped or not, it must step over the records CsvScanner finds, to the same offsets and lines.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "loader/csv_record_stepper.h"
#include "loader/csv_scanner.h"
#include "loader/input_source.h"

namespace {

using zload::InputSource;

// (offset, line) after each record, then the offset where the input ended.
std::vector<std::pair<uint64_t, int64_t>> ScannerSteps(const std::string& text, bool skip,
                                                       size_t chunk) {
  std::unique_ptr<InputSource> input = InputSource::FromString(text);
  zload::CsvScanner scanner(*input, ',', 1, chunk);
  scanner.set_skip_blank_lines(skip);
  std::vector<std::pair<uint64_t, int64_t>> steps;
  zload::CsvRecord record;
  while (scanner.Next(record)) steps.emplace_back(scanner.position(), scanner.line());
  steps.emplace_back(scanner.position(), -1);
  return steps;
}

std::vector<std::pair<uint64_t, int64_t>> StepperSteps(const std::string& text, bool skip,
                                                       size_t chunk) {
  std::unique_ptr<InputSource> input = InputSource::FromString(text);
  zload::CsvRecordStepper stepper(*input, 1, chunk);
  stepper.set_skip_blank_lines(skip);
  std::vector<std::pair<uint64_t, int64_t>> steps;
  while (stepper.Next()) steps.emplace_back(stepper.position(), stepper.line());
  steps.emplace_back(stepper.position(), -1);
  return steps;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte chooses the chunk size and whether blank lines are skipped.
  const size_t chunk = 1 + (data[0] >> 1);
  const bool skip = (data[0] & 1) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (StepperSteps(text, skip, chunk) != ScannerSteps(text, skip, chunk)) std::abort();
  if (StepperSteps(text, skip, size_t{1} << 20) != ScannerSteps(text, skip, size_t{1} << 20)) {
    std::abort();
  }
  return 0;
}
