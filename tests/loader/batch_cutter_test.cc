// BatchCutter against the readers: random CSV and JSONL files cut into ranges read, range by range,
// exactly as one reader reads the whole file.
#include "loader/batch_cutter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loader/csv_reader.h"
#include "loader/input_source.h"
#include "loader/jsonl_reader.h"
#include "loader/schema_parse.h"
#include "tests/loader/read_all.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using test::ReadAll;
using test::ReadOutcome;

// Everything a reader reports about one record.
std::string Describe(const ReadOutcome& o) {
  std::string s = o.status == ReadStatus::kRow ? "row " : "bad ";
  s += std::to_string(o.row.line) + "@" + std::to_string(o.row.offset) + " [" + o.row.raw + "] ";
  if (o.status == ReadStatus::kRow) {
    s += RowToString(o.row.row) + " w" + std::to_string(o.row.weight);
  } else {
    s += o.error ? std::string(ErrorCodeName(o.error->code())) + " " + o.error->what() : "no error";
  }
  return s;
}

std::string DescribeRange(const BatchRange& r) {
  return "[" + std::to_string(r.begin) + ", " + std::to_string(r.end) + ") line " +
         std::to_string(r.first_line) + ", " + std::to_string(r.records) + " records";
}

// A reader over `source`'s file as OpenRowReader configures it, limited to `range` when given.
std::unique_ptr<RowReader> OpenReader(const SourceConfig& source, const Schema& schema,
                                      const BatchRange* range, const std::string& header_text,
                                      size_t chunk_size) {
  if (source.format == "jsonl") {
    JsonlReaderOptions options;
    options.op_column = source.op_column;
    options.file_name = source.file;
    options.chunk_size = chunk_size;
    if (range != nullptr) {
      options.start_offset = range->begin;
      options.first_line = range->first_line;
      options.end_offset = range->end;
    }
    return std::make_unique<JsonlReader>(InputSource::Open(source.file), schema, options);
  }
  CsvReaderOptions options;
  options.delimiter = source.delimiter;
  options.op_column = source.op_column;
  options.file_name = source.file;
  options.chunk_size = chunk_size;
  if (range != nullptr) {
    options.start_offset = range->begin;
    options.first_line = range->first_line;
    options.end_offset = range->end;
    options.header_text = header_text;
  }
  return std::make_unique<CsvReader>(InputSource::Open(source.file), schema, options);
}

std::vector<BatchRange> CutAll(BatchCutter& cutter) {
  std::vector<BatchRange> ranges;
  while (std::optional<BatchRange> range = cutter.Next()) {
    EXPECT_EQ(cutter.bytes_cut(), range->end);
    ranges.push_back(*range);
  }
  EXPECT_FALSE(cutter.Next().has_value());
  return ranges;
}

// Cuts `text` (written to a file) with every batch size and several read sizes and checks the
// ranges against one reader over the whole file.
void CheckCuts(const test::ScratchDir& dir, const std::string& text, SourceConfig source,
               const Schema& schema, std::mt19937_64& rng) {
  source.file = dir.Write(source.format == "jsonl" ? "in.jsonl" : "in.csv", text);
  SCOPED_TRACE("input:\n" + text);
  const std::unique_ptr<RowReader> whole_reader =
      OpenReader(source, schema, nullptr, "", InputWindow::kChunkSize);
  const std::vector<ReadOutcome> whole = ReadAll(*whole_reader);
  const auto* csv = dynamic_cast<const CsvReader*>(whole_reader.get());
  const uint64_t data_offset = csv != nullptr ? csv->data_offset() : 0;

  for (int64_t batch_rows : {1, 2, 3, 7, 1000}) {
    SCOPED_TRACE("batch_rows " + std::to_string(batch_rows));
    BatchCutter cutter(source, schema, batch_rows);
    EXPECT_EQ(cutter.header_text(), whole_reader->header());
    EXPECT_EQ(cutter.total_bytes(), text.size());
    EXPECT_EQ(cutter.bytes_cut(), data_offset);
    const std::vector<BatchRange> ranges = CutAll(cutter);

    // The same ranges whatever the read size (chunk boundaries anywhere).
    for (size_t chunk : {size_t{1}, size_t{2}, size_t{5}, size_t{64}}) {
      BatchCutter chunked(source, schema, batch_rows, chunk);
      const std::vector<BatchRange> again = CutAll(chunked);
      ASSERT_EQ(again.size(), ranges.size()) << "chunk size " << chunk;
      for (size_t i = 0; i < ranges.size(); ++i) {
        EXPECT_EQ(DescribeRange(again[i]), DescribeRange(ranges[i])) << "chunk size " << chunk;
      }
    }

    // Contiguous, from the data's start to the file's end, full batches but the last.
    int64_t total = 0;
    for (size_t i = 0; i < ranges.size(); ++i) {
      const BatchRange& r = ranges[i];
      SCOPED_TRACE("range " + std::to_string(i) + " " + DescribeRange(r));
      EXPECT_EQ(r.begin, i == 0 ? data_offset : ranges[i - 1].end);
      EXPECT_LT(r.begin, r.end);
      EXPECT_GE(r.records, 1);
      EXPECT_LE(r.records, batch_rows);
      if (i + 1 < ranges.size()) {
        EXPECT_EQ(r.records, batch_rows);
      }
      const int64_t line =
          1 + std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(r.begin), '\n');
      EXPECT_EQ(r.first_line, line);
      total += r.records;
    }
    EXPECT_EQ(total, static_cast<int64_t>(whole.size()));
    if (!ranges.empty()) {
      EXPECT_EQ(ranges.back().end, text.size());
    }

    // Reading the ranges one by one reads the whole file.
    std::vector<ReadOutcome> parts;
    for (const BatchRange& r : ranges) {
      SCOPED_TRACE("reading range " + DescribeRange(r));
      const size_t chunk = rng() % 2 ? InputWindow::kChunkSize : 1 + rng() % 16;
      const std::unique_ptr<RowReader> reader =
          OpenReader(source, schema, &r, cutter.header_text(), chunk);
      std::vector<ReadOutcome> got = ReadAll(*reader);
      EXPECT_EQ(static_cast<int64_t>(got.size()), r.records);
      for (ReadOutcome& o : got) parts.push_back(std::move(o));
    }
    ASSERT_EQ(parts.size(), whole.size());
    for (size_t i = 0; i < whole.size(); ++i) EXPECT_EQ(Describe(parts[i]), Describe(whole[i]));
    if (::testing::Test::HasFailure()) return;
  }
}

std::string Pick(std::mt19937_64& rng, const std::vector<std::string>& choices) {
  return choices[rng() % choices.size()];
}

std::string Newline(std::mt19937_64& rng) { return rng() % 2 ? "\r\n" : "\n"; }

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

// A random CSV field for a column of `type`: mostly valid, sometimes not.
std::string RandomCsvField(std::mt19937_64& rng, bool integer) {
  switch (rng() % 12) {
    case 0:
      return "";  // NULL
    case 1:
      return "ab\"c";  // a quote inside an unquoted field
    case 2:
      return "\"ab\"c";  // text after a closing quote
    case 3:
      return "\"\"";  // the empty TEXT
    default:
      break;
  }
  if (integer) {
    if (rng() % 8 == 0) return "x" + std::to_string(rng() % 100);  // not an INTEGER
    std::string s = std::to_string(static_cast<int64_t>(rng() % 2001) - 1000);
    return rng() % 5 == 0 ? Quote(s) : s;
  }
  static const std::vector<std::string> kPieces = {
      "a", "Z", " ", ",", "\"", "\n", "\r\n", "\r", "\xC3\xA9", "12", "x y", "\t", ";"};
  std::string s;
  const int n = static_cast<int>(rng() % 6);
  for (int i = 0; i < n; ++i) s += Pick(rng, kPieces);
  const bool special = s.find_first_of("\",\r\n") != std::string::npos;
  return special || rng() % 4 == 0 ? Quote(s) : s;
}

// A random CSV file with `columns` columns c0.. (c0 INTEGER NOT NULL when `strict`).
std::string RandomCsv(std::mt19937_64& rng, int columns) {
  std::string text = rng() % 4 == 0 ? "\xEF\xBB\xBF" : "";
  for (int c = 0; c < columns; ++c) {
    if (c) text += ',';
    const std::string name = "c" + std::to_string(c);
    text += rng() % 3 == 0 ? Quote(name) : name;
  }
  const int records = static_cast<int>(rng() % 41);
  for (int r = 0; r < records; ++r) {
    text += Newline(rng);
    while (rng() % 6 == 0) text += Newline(rng);  // blank lines (a one-column NULL record)
    int fields = columns;
    if (rng() % 12 == 0) fields += rng() % 2 ? 1 : -1;  // a wrong field count
    for (int f = 0; f < std::max(fields, 1); ++f) {
      if (f) text += ',';
      text += RandomCsvField(rng, f % 2 == 0);
    }
  }
  switch (rng() % 8) {
    case 0:
      text += Newline(rng) + "1,\"unterminated\n,\"\"x";  // a quote running to the end
      break;
    case 1:
      text += Newline(rng) + Newline(rng) + Newline(rng);  // trailing blank lines
      break;
    case 2:
      text += (rng() % 2 ? Newline(rng) : "") + "\r";  // a lone carriage return at the end
      break;
    case 3:
    case 4:
      break;  // no final terminator
    default:
      text += Newline(rng);
      break;
  }
  return text;
}

std::string RandomJsonlLine(std::mt19937_64& rng) {
  switch (rng() % 14) {
    case 0:
      return "{\"id\": \"x\"}";  // a wrong type
    case 1:
      return "{\"id\": 1, \"zzz\": 2}";  // an unknown key
    case 2:
      return "{\"id\": 1,";  // malformed
    case 3:
      return "[1, 2]";  // not an object
    case 4:
      return "{}";  // NULL in the NOT NULL id
    case 5:
      return "{\"id\":1}garbage";
    case 6:
      return " \t{\"name\": \"\\u00e9\\n\\\"\", \"id\": -3}  ";
    default:
      break;
  }
  std::string line = "{\"id\": " + std::to_string(static_cast<int64_t>(rng() % 2001) - 1000);
  if (rng() % 2) line += ", \"name\": " + Pick(rng, {"null", "\"a b\"", "\"\\r\\n\"", "\"\""});
  if (rng() % 2) line += ", \"score\": " + Pick(rng, {"1.5", "-2", "1e3", "null"});
  return line + "}";
}

std::string RandomJsonl(std::mt19937_64& rng) {
  std::string text = rng() % 8 == 0 ? "\xEF\xBB\xBF" : "";  // the reader reports a bad line
  const int lines = static_cast<int>(rng() % 41);
  for (int i = 0; i < lines; ++i) {
    if (rng() % 5 == 0) {
      text += Pick(rng, {"", "  ", "\t", " \r", "\r", "\r\r"});  // a blank line
    } else {
      text += RandomJsonlLine(rng);
    }
    if (i + 1 < lines || rng() % 2) text += Newline(rng);
  }
  return text;
}

TEST(BatchCutterTest, RandomCsvRangesReadAsTheWholeFile) {
  const uint64_t seed = 20260512;  // fixed: a failure reproduces
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  test::ScratchDir dir;
  for (int iteration = 0; iteration < 150; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    const int columns = rng() % 3 == 0 ? 1 : 2 + static_cast<int>(rng() % 3);
    std::string schema_text;
    for (int c = 0; c < columns; ++c) {
      schema_text += (c ? ", c" : "c") + std::to_string(c) + (c % 2 == 0 ? " INTEGER" : " TEXT");
      if (c == 0 && rng() % 2) schema_text += " NOT NULL";
    }
    SourceConfig source;
    source.format = "csv";
    CheckCuts(dir, RandomCsv(rng, columns), source, ParseSchema(schema_text), rng);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(BatchCutterTest, RandomJsonlRangesReadAsTheWholeFile) {
  const uint64_t seed = 20260513;  // fixed: a failure reproduces
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  test::ScratchDir dir;
  const Schema schema = ParseSchema("id INTEGER NOT NULL, name TEXT, score REAL");
  for (int iteration = 0; iteration < 150; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    SourceConfig source;
    source.format = "jsonl";
    CheckCuts(dir, RandomJsonl(rng), source, schema, rng);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(BatchCutterTest, OtherDelimiterAndOpColumn) {
  std::mt19937_64 rng(7);
  test::ScratchDir dir;
  SourceConfig source;
  source.format = "csv";
  source.delimiter = ';';
  source.op_column = "op";
  const std::string text =
      "op;id;name\n+;1;\"a;b\"\n\n-;2;x\r\n?;3;\"multi\nline\"\ninsert;4;\n;5;\"q\"\"\"";
  CheckCuts(dir, text, source, ParseSchema("id INTEGER, name TEXT"), rng);
}

TEST(BatchCutterTest, KnownCuts) {
  test::ScratchDir dir;
  SourceConfig source;
  source.format = "csv";
  source.file = dir.Write("in.csv",
                          "\xEF\xBB\xBF"
                          "a,b\r\n1,\"x\ny\"\r\n\r\n2,z\n3,w");
  BatchCutter cutter(source, ParseSchema("a INTEGER, b TEXT"), 2);
  EXPECT_EQ(cutter.header_text(), "a,b");
  std::optional<BatchRange> r = cutter.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(DescribeRange(*r), "[8, 23) line 2, 2 records");
  r = cutter.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(DescribeRange(*r), "[23, 26) line 6, 1 records");
  EXPECT_FALSE(cutter.Next().has_value());

  source.format = "jsonl";
  source.file = dir.Write("in.jsonl", "\n{\"a\": 1}\r\n  \n{\"a\": 2}\n\n");
  BatchCutter jsonl(source, ParseSchema("a INTEGER"), 1);
  EXPECT_EQ(jsonl.header_text(), "");
  r = jsonl.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(DescribeRange(*r), "[0, 11) line 1, 1 records");
  r = jsonl.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(DescribeRange(*r), "[11, 24) line 3, 1 records");
  EXPECT_FALSE(jsonl.Next().has_value());
}

TEST(BatchCutterTest, InputsWithoutRecordsGiveNoRanges) {
  test::ScratchDir dir;
  SourceConfig source;
  source.format = "csv";
  for (const char* text : {"a,b", "a,b\n", "a,b\r\n\r\n\n",
                           "\xEF\xBB\xBF"
                           "a,b\n\n"}) {
    source.file = dir.Write("in.csv", text);
    BatchCutter cutter(source, ParseSchema("a INTEGER, b TEXT"), 3);
    EXPECT_FALSE(cutter.Next().has_value()) << text;
    EXPECT_FALSE(cutter.Next().has_value()) << text;
  }
  source.format = "jsonl";
  for (const char* text : {"", "\n", " \r\n\t\n", "\r"}) {
    source.file = dir.Write("in.jsonl", text);
    BatchCutter cutter(source, ParseSchema("a INTEGER"), 3);
    EXPECT_FALSE(cutter.Next().has_value()) << text;
  }
}

TEST(BatchCutterTest, OpenErrorsNameTheFile) {
  test::ScratchDir dir;
  SourceConfig source;
  for (const char* format : {"csv", "jsonl"}) {
    source.format = format;
    source.file = dir / "missing";
    try {
      BatchCutter cutter(source, ParseSchema("a INTEGER"), 10);
      ADD_FAILURE() << "no error for a missing file";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kIo) << e.what();
      EXPECT_EQ(e.context().file, source.file);
      EXPECT_NE(std::string(e.what()).find(source.file), std::string::npos) << e.what();
    }
    source.file = "/dev/null";  // not a regular file: cannot be read again by range
    try {
      BatchCutter cutter(source, ParseSchema("a INTEGER"), 10);
      ADD_FAILURE() << "no error for a device";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kConfig) << e.what();
      EXPECT_EQ(e.context().file, "/dev/null");
    }
  }
  source.format = "csv";
  source.file = dir.Write("in.csv", "a,zz\n1,2\n");
  try {
    BatchCutter cutter(source, ParseSchema("a INTEGER"), 10);
    ADD_FAILURE() << "no error for a header that does not match";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSchema) << e.what();
    EXPECT_EQ(e.context().file, source.file);
    EXPECT_EQ(e.context().line, 1);
  }
  source.file = dir.Write("empty.csv", "");
  try {
    BatchCutter cutter(source, ParseSchema("a INTEGER"), 10);
    ADD_FAILURE() << "no error for an empty CSV file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kSchema) << e.what();
  }
}

}  // namespace
}  // namespace zload
