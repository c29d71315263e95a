// libFuzzer target for the JSON Lines reader: any input must read without crashing, every
// outcome's raw text must be its line, and chunk boundaries must not change the outcome.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "loader/input_source.h"
#include "loader/jsonl_reader.h"
#include "loader/schema_parse.h"

namespace {

using zload::Error;
using zload::InputRow;
using zload::InputSource;
using zload::JsonlReader;
using zload::JsonlReaderOptions;
using zload::ReadStatus;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string> ReadAll(const std::string& text, const zload::Schema& schema,
                                 const JsonlReaderOptions& options) {
  std::vector<std::string> out;
  JsonlReader reader(InputSource::FromString(text, "fuzz.jsonl"), schema, options);
  for (;;) {
    InputRow row;
    std::optional<Error> error;
    const ReadStatus status = reader.Next(row, error);
    if (status == ReadStatus::kEnd) break;
    Check(text.compare(row.offset, row.raw.size(), row.raw) == 0);
    Check((status == ReadStatus::kBadRow) == error.has_value());
    std::string s = std::to_string(row.line) + "@" + std::to_string(row.offset) + " ";
    s += status == ReadStatus::kRow ? zload::RowToString(row.row) : error->what();
    out.push_back(s + " w" + std::to_string(row.weight));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const zload::Schema kSchema =
      zload::ParseSchema("a INTEGER, b TEXT NOT NULL, c REAL, d BOOLEAN, e TIMESTAMP");
  JsonlReaderOptions options;
  if (data[0] & 1) options.op_column = "op";
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string> whole = ReadAll(text, kSchema, options);
  JsonlReaderOptions tiny = options;
  tiny.chunk_size = 1 + (data[0] >> 1) % 7;
  Check(ReadAll(text, kSchema, tiny) == whole);
  return 0;
}
