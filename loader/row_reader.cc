#include "loader/row_reader.h"

#include "loader/csv_reader.h"
#include "loader/input_source.h"
#include "loader/jsonl_reader.h"

namespace zload {

std::unique_ptr<RowReader> OpenRowReader(const SourceConfig& source, const Schema& schema) {
  std::unique_ptr<InputSource> input = InputSource::Open(source.file);
  std::string name = source.file == "-" ? "<stdin>" : source.file;
  if (source.format == "jsonl") {
    JsonlReaderOptions options;
    options.op_column = source.op_column;
    options.file_name = name;
    return std::make_unique<JsonlReader>(std::move(input), schema, options);
  }
  CsvReaderOptions options;
  options.delimiter = source.delimiter;
  options.op_column = source.op_column;
  options.file_name = name;
  return std::make_unique<CsvReader>(std::move(input), schema, options);
}

std::unique_ptr<RowReader> OpenRowReaderAt(const SourceConfig& source, const Schema& schema,
                                           uint64_t offset, int64_t line, const std::string& header,
                                           std::optional<uint64_t> end, const std::string& file) {
  std::unique_ptr<InputSource> input = InputSource::Open(file.empty() ? source.file : file);
  if (source.format == "jsonl") {
    JsonlReaderOptions options;
    options.op_column = source.op_column;
    options.file_name = source.file == "-" ? "<stdin>" : source.file;
    options.start_offset = offset;
    options.first_line = line;
    options.end_offset = end;
    return std::make_unique<JsonlReader>(std::move(input), schema, options);
  }
  CsvReaderOptions options;
  options.delimiter = source.delimiter;
  options.op_column = source.op_column;
  options.file_name = source.file == "-" ? "<stdin>" : source.file;
  options.start_offset = offset;
  options.first_line = line;
  options.end_offset = end;
  options.header_text = header;
  return std::make_unique<CsvReader>(std::move(input), schema, options);
}

}  // namespace zload
