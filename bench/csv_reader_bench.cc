// CSV reading speed on generated 100 MB files: the record scanner alone, the typed reader and
// the batch cutter (record boundaries in batches of 10,000, as the coordinator cuts them), on a
// narrow numeric file and on a text-heavy file with quotes, embedded delimiters and newlines.
// Reports MB/s (bytes_per_second) and rows/s; files are read from the page cache.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "loader/batch_cutter.h"
#include "loader/csv_reader.h"
#include "loader/csv_scanner.h"
#include "loader/input_source.h"
#include "loader/schema_parse.h"

namespace zload {
namespace {

constexpr size_t kTargetBytes = size_t{100} << 20;

// A generated input file, removed at exit.
class BenchFile {
 public:
  BenchFile(const std::string& name, const std::string& text)
      : path_((std::filesystem::temp_directory_path() /
               (name + "_" + std::to_string(getpid()) + ".csv"))
                  .string()),
        size_(text.size()) {
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~BenchFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }
  size_t size() const { return size_; }

 private:
  std::string path_;
  size_t size_;
};

std::string NarrowNumeric() {
  std::mt19937_64 rng(1);
  std::string text = "id,basket_id,qty,price\n";
  char line[128];
  for (int64_t id = 0; text.size() < kTargetBytes; ++id) {
    const int n = std::snprintf(
        line, sizeof line, "%lld,%llu,%llu,%.2f\n", static_cast<long long>(id),
        static_cast<unsigned long long>(rng() % 1000000),
        static_cast<unsigned long long>(rng() % 20), static_cast<double>(rng() % 100000) / 100);
    text.append(line, static_cast<size_t>(n));
  }
  return text;
}

std::string TextHeavy() {
  std::mt19937_64 rng(2);
  static const char* kWords[] = {"alpha",          "beta",        "gamma",       "delta, inc.",
                                 "say \"\"hi\"\"", "line\nbreak", "caf\xC3\xA9", "plain",
                                 "words",          "more text"};
  std::string text = "id,name,comment,tag\n";
  for (int64_t id = 0; text.size() < kTargetBytes; ++id) {
    text += std::to_string(id);
    for (int field = 0; field < 3; ++field) {
      text += ",\"";
      const int words = 1 + static_cast<int>(rng() % (field == 1 ? 12 : 3));
      for (int w = 0; w < words; ++w) {
        if (w) text += ' ';
        text += kWords[rng() % 10];
      }
      text += '"';
    }
    text += rng() % 2 ? "\r\n" : "\n";
  }
  return text;
}

const BenchFile& NarrowFile() {
  static const BenchFile file("zload_bench_narrow", NarrowNumeric());
  return file;
}

const BenchFile& TextFile() {
  static const BenchFile file("zload_bench_text", TextHeavy());
  return file;
}

void Scan(benchmark::State& state, const BenchFile& file) {
  int64_t records = 0;
  for (auto _ : state) {
    std::unique_ptr<InputSource> source = InputSource::Open(file.path());
    CsvScanner scanner(*source, ',', 1);
    CsvRecord record;
    while (scanner.Next(record)) ++records;
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void Read(benchmark::State& state, const BenchFile& file, const std::string& schema) {
  int64_t rows = 0, bad = 0;
  for (auto _ : state) {
    CsvReader reader(InputSource::Open(file.path()), ParseSchema(schema));
    InputRow row;
    std::optional<Error> error;
    for (;;) {
      const ReadStatus status = reader.Next(row, error);
      if (status == ReadStatus::kEnd) break;
      (status == ReadStatus::kRow ? rows : bad)++;
    }
  }
  if (bad != 0) state.SkipWithError("unexpected bad rows");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}

void Cut(benchmark::State& state, const BenchFile& file, const std::string& schema) {
  int64_t records = 0;
  for (auto _ : state) {
    SourceConfig source;
    source.file = file.path();
    source.format = "csv";
    BatchCutter cutter(source, ParseSchema(schema), 10000);
    while (std::optional<BatchRange> range = cutter.Next()) records += range->records;
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file.size()));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_ScanNarrowNumeric(benchmark::State& state) { Scan(state, NarrowFile()); }
void BM_CutNarrowNumeric(benchmark::State& state) {
  Cut(state, NarrowFile(), "id INTEGER, basket_id INTEGER, qty INTEGER, price REAL");
}
void BM_CutTextHeavy(benchmark::State& state) {
  Cut(state, TextFile(), "id INTEGER NOT NULL, name TEXT, comment TEXT, tag TEXT");
}
void BM_ReadNarrowNumeric(benchmark::State& state) {
  Read(state, NarrowFile(), "id INTEGER, basket_id INTEGER, qty INTEGER, price REAL");
}
void BM_ScanTextHeavy(benchmark::State& state) { Scan(state, TextFile()); }
void BM_ReadTextHeavy(benchmark::State& state) {
  Read(state, TextFile(), "id INTEGER NOT NULL, name TEXT, comment TEXT, tag TEXT");
}

BENCHMARK(BM_ScanNarrowNumeric)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(BM_CutNarrowNumeric)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(BM_CutTextHeavy)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(BM_ReadNarrowNumeric)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(BM_ScanTextHeavy)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(BM_ReadTextHeavy)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(3);

}  // namespace
}  // namespace zload

BENCHMARK_MAIN();
