// CsvRecordStepper against CsvScanner, the boundaries' definition: on random inputs (quotes,
// delimiters, "\r", "\n" and other bytes, malformed records included), read in chunks of every
// size, both step over the same records to the same offsets and lines.
#include "loader/csv_record_stepper.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "loader/csv_scanner.h"
#include "loader/input_source.h"

namespace zload {
namespace {

// (offset, line) after each record, then where each ends: "end@offset line".
std::vector<std::string> ScannerSteps(const std::string& text, bool skip_blank, size_t chunk) {
  std::unique_ptr<InputSource> input = InputSource::FromString(text);
  CsvScanner scanner(*input, ',', 1, chunk);
  scanner.set_skip_blank_lines(skip_blank);
  std::vector<std::string> steps;
  CsvRecord record;
  while (scanner.Next(record)) {
    steps.push_back(std::to_string(scanner.position()) + " line " + std::to_string(scanner.line()));
  }
  steps.push_back("end@" + std::to_string(scanner.position()));
  return steps;
}

std::vector<std::string> StepperSteps(const std::string& text, bool skip_blank, size_t chunk) {
  std::unique_ptr<InputSource> input = InputSource::FromString(text);
  CsvRecordStepper stepper(*input, 1, chunk);
  stepper.set_skip_blank_lines(skip_blank);
  std::vector<std::string> steps;
  while (stepper.Next()) {
    steps.push_back(std::to_string(stepper.position()) + " line " + std::to_string(stepper.line()));
  }
  steps.push_back("end@" + std::to_string(stepper.position()));
  return steps;
}

void ExpectSameSteps(const std::string& text) {
  for (bool skip_blank : {true, false}) {
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1} << 20}) {
      SCOPED_TRACE(::testing::Message()
                   << "skip_blank_lines " << skip_blank << ", chunk " << chunk);
      EXPECT_EQ(StepperSteps(text, skip_blank, chunk), ScannerSteps(text, skip_blank, chunk));
    }
  }
}

TEST(CsvRecordStepperTest, StepsOverTheScannersRecords) {
  for (const char* text :
       {"", "\n", "\r", "\r\n", "a", "a\n", "a\r\n", "a\r", "a\rb\n", "\n\na,b\n\r\n\nc\n",
        "\"a\nb\",c\nd\n", "\"a\"\"b\"\n\"\"\n", "\"open\nnever closed", "\"a\"x\"\n\"y\nz\n",
        "a\"b\nc\"d\ne\n", "\"a\"\r\rb\n", "x,\"\r\n\",y\r\nz"}) {
    SCOPED_TRACE(::testing::Message() << "input \"" << text << "\"");
    ExpectSameSteps(text);
  }
}

TEST(CsvRecordStepperTest, RandomInputsStepLikeTheScanner) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  const std::string alphabet = "ab,;\"\"\n\n\r ";
  for (int i = 0; i < 2000; ++i) {
    std::string text(std::uniform_int_distribution<size_t>(0, 80)(rng), ' ');
    for (char& c : text)
      c = alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    SCOPED_TRACE(::testing::Message()
                 << "input of " << text.size() << " bytes: " << ::testing::PrintToString(text));
    ExpectSameSteps(text);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace zload
