// libFuzzer target for the CSV reader: any input must read without crashing, and the outcome
// must not depend on chunk boundaries or on splitting the input at a record boundary.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "loader/csv_reader.h"
#include "loader/input_source.h"
#include "loader/schema_parse.h"

namespace {

using zload::CsvReader;
using zload::CsvReaderOptions;
using zload::Error;
using zload::InputRow;
using zload::InputSource;
using zload::ReadStatus;

void Check(bool ok) {
  if (!ok) std::abort();
}

// Every outcome rendered as text, so runs compare exactly.
std::vector<std::string> ReadAll(const std::string& text, const zload::Schema& schema,
                                 const CsvReaderOptions& options, std::string* header) {
  std::vector<std::string> out;
  try {
    CsvReader reader(InputSource::FromString(text, "fuzz.csv"), schema, options);
    if (header) *header = reader.header();
    uint64_t last_offset = 0;
    for (;;) {
      InputRow row;
      std::optional<Error> error;
      const ReadStatus status = reader.Next(row, error);
      if (status == ReadStatus::kEnd) break;
      Check(row.offset >= last_offset && row.offset + row.raw.size() <= text.size());
      Check(text.compare(row.offset, row.raw.size(), row.raw) == 0);
      Check((status == ReadStatus::kBadRow) == error.has_value());
      last_offset = row.offset + 1;
      std::string s = std::to_string(row.line) + "@" + std::to_string(row.offset) + " ";
      s += status == ReadStatus::kRow ? zload::RowToString(row.row) : error->what();
      out.push_back(s + " w" + std::to_string(row.weight));
    }
  } catch (const Error& e) {
    out.push_back(std::string("open: ") + e.what());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const zload::Schema kSchemas[] = {
      zload::ParseSchema("a INTEGER, b TEXT"),
      zload::ParseSchema("a REAL NOT NULL, b BOOLEAN, c TIMESTAMP"),
      zload::ParseSchema("a TEXT"),
  };
  const zload::Schema& schema = kSchemas[data[0] % 3];
  CsvReaderOptions options;
  options.delimiter = ",;\t|"[(data[0] >> 2) % 4];
  if (data[0] & 0x10) options.op_column = "op";
  const std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);

  std::string header;
  const std::vector<std::string> whole = ReadAll(text, schema, options, &header);
  CsvReaderOptions tiny = options;
  tiny.chunk_size = 1 + data[1] % 7;
  Check(ReadAll(text, schema, tiny, nullptr) == whole);
  return 0;
}
