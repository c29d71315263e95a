#include "loader/csv_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "loader/input_source.h"
#include "loader/schema_parse.h"
#include "tests/loader/read_all.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using test::ReadAll;
using test::ReadOutcome;
using test::RowsText;

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

class CsvReaderTest : public ::testing::Test {
 protected:
  // Reads `text` from a real file; also reads it with tiny input chunks (so chunk boundaries fall
  // at every byte) and expects the very same outcomes.
  std::vector<ReadOutcome> Read(const std::string& text, const std::string& schema,
                                CsvReaderOptions options = {}) {
    const std::string path = dir_.Write("in.csv", text);
    CsvReader reader(InputSource::Open(path), ParseSchema(schema), options);
    std::vector<ReadOutcome> outcomes = ReadAll(reader);
    for (size_t chunk : {1, 2, 3, 5, 16}) {
      SCOPED_TRACE("chunk size " + std::to_string(chunk));
      CsvReaderOptions small = options;
      small.chunk_size = chunk;
      CsvReader chunked(InputSource::FromString(text, path), ParseSchema(schema), small);
      std::vector<ReadOutcome> again = ReadAll(chunked);
      EXPECT_EQ(again.size(), outcomes.size());
      for (size_t i = 0; i < std::min(again.size(), outcomes.size()); ++i) {
        EXPECT_EQ(Describe(again[i]), Describe(outcomes[i]));
      }
    }
    return outcomes;
  }

  // Expects an Error of `code` thrown while opening a reader over `text`.
  Error OpenError(const std::string& text, const std::string& schema,
                  CsvReaderOptions options = {}) {
    const std::string path = dir_.Write("in.csv", text);
    try {
      CsvReader reader(InputSource::Open(path), ParseSchema(schema), options);
    } catch (const Error& e) {
      EXPECT_EQ(e.context().file, path);
      return e;
    }
    ADD_FAILURE() << "no error for " << text;
    return Error(ErrorCode::kInternal, "none");
  }

  test::ScratchDir dir_;
};

void ExpectRow(const ReadOutcome& o, int64_t line, uint64_t offset, const std::string& raw,
               const std::string& values) {
  ASSERT_EQ(o.status, ReadStatus::kRow) << Describe(o);
  EXPECT_EQ(o.row.line, line);
  EXPECT_EQ(o.row.offset, offset);
  EXPECT_EQ(o.row.raw, raw);
  EXPECT_EQ(RowToString(o.row.row), values);
}

void ExpectBad(const ReadOutcome& o, ErrorCode code, int64_t line, int64_t column,
               const std::string& message_part) {
  ASSERT_EQ(o.status, ReadStatus::kBadRow) << Describe(o);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->code(), code) << o.error->what();
  EXPECT_EQ(o.error->context().line, line) << o.error->what();
  EXPECT_EQ(o.error->context().column, column) << o.error->what();
  EXPECT_NE(o.error->message().find(message_part), std::string::npos) << o.error->what();
  EXPECT_FALSE(o.error->context().file.empty());
}

TEST_F(CsvReaderTest, LfLinesWithAndWithoutTrailingNewline) {
  for (const char* text : {"id,name\n1,a\n2,b\n", "id,name\n1,a\n2,b"}) {
    auto rows = Read(text, "id INTEGER, name TEXT");
    ASSERT_EQ(rows.size(), 2u);
    ExpectRow(rows[0], 2, 8, "1,a", "(1, 'a')");
    ExpectRow(rows[1], 3, 12, "2,b", "(2, 'b')");
  }
}

TEST_F(CsvReaderTest, CrlfLines) {
  auto rows = Read("id,name\r\n1,a\r\n2,b\r\n", "id INTEGER, name TEXT");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 2, 9, "1,a", "(1, 'a')");
  ExpectRow(rows[1], 3, 14, "2,b", "(2, 'b')");
  rows = Read("id,name\r\n1,a\r\n2,b\r", "id INTEGER, name TEXT");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[1], 3, 14, "2,b", "(2, 'b')");
}

TEST_F(CsvReaderTest, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
  const std::string text =
      "id,name\n"
      "1,\"a,b\"\n"
      "2,\"say \"\"hi\"\"\"\n"
      "3,\"line1\nline2\"\n"
      "4,\"crlf\r\ninside\"\r\n"
      "\"5\",x\n";
  auto rows = Read(text, "id INTEGER, name TEXT");
  ASSERT_EQ(rows.size(), 5u);
  ExpectRow(rows[0], 2, 8, "1,\"a,b\"", "(1, 'a,b')");
  ExpectRow(rows[1], 3, 16, "2,\"say \"\"hi\"\"\"", "(2, 'say \"hi\"')");
  ExpectRow(rows[2], 4, 31, "3,\"line1\nline2\"", "(3, 'line1\nline2')");
  ExpectRow(rows[3], 6, 47, "4,\"crlf\r\ninside\"", "(4, 'crlf\r\ninside')");
  ExpectRow(rows[4], 8, 65, "\"5\",x", "(5, 'x')");
}

TEST_F(CsvReaderTest, EmptyUnquotedIsNullQuotedEmptyIsEmptyText) {
  auto rows = Read("id,name,r\n,,\n1,\"\",\n", "id INTEGER, name TEXT, r REAL");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 2, 10, ",,", "(NULL, NULL, NULL)");
  ExpectRow(rows[1], 3, 13, "1,\"\",", "(1, '', NULL)");
  EXPECT_EQ(rows[1].row.row[1].type(), Type::kText);
}

TEST_F(CsvReaderTest, HeaderMatchesByNameIgnoringCaseOrderSpacesAndBom) {
  auto rows = Read("\xEF\xBB\xBF NAME ,\"Id\"\nx,1\n", "id INTEGER, name TEXT");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 2, 15, "x,1", "(1, 'x')");
}

TEST_F(CsvReaderTest, OtherDelimiters) {
  CsvReaderOptions options;
  options.delimiter = ';';
  auto rows = Read("id;name\n1;a,b\n", "id INTEGER, name TEXT", options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(RowToString(rows[0].row.row), "(1, 'a,b')");
  options.delimiter = '\t';
  rows = Read("id\tname\n2\t\"x\ty\"\n", "id INTEGER, name TEXT", options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(RowToString(rows[0].row.row), "(2, 'x\ty')");
}

TEST_F(CsvReaderTest, BlankLinesAreSkippedButCounted) {
  auto rows = Read("id,name\n\n1,a\r\n\r\n\n2,b\n\n", "id INTEGER, name TEXT");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 3, 9, "1,a", "(1, 'a')");
  ExpectRow(rows[1], 6, 17, "2,b", "(2, 'b')");
}

TEST_F(CsvReaderTest, TypedValues) {
  auto rows = Read(
      "r,b,t,i\n"
      "1.5,true,2024-02-29,-9223372036854775808\n"
      "-2e3,F,1970-01-01T00:00:01.5Z,9223372036854775807\n"
      "7,yes,2000-01-01 01:00:00+01:00,+0\n",
      "r REAL, b BOOLEAN, t TIMESTAMP, i INTEGER");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& o : rows) ASSERT_EQ(o.status, ReadStatus::kRow) << Describe(o);
  EXPECT_EQ(rows[0].row.row[0], Value::Real(1.5));
  EXPECT_EQ(rows[0].row.row[1], Value::Boolean(true));
  EXPECT_EQ(rows[0].row.row[2], Value::Time(int64_t{1709164800} * 1000000));
  EXPECT_EQ(rows[0].row.row[3], Value::Integer(INT64_MIN));
  EXPECT_EQ(rows[1].row.row[0], Value::Real(-2000));
  EXPECT_EQ(rows[1].row.row[1], Value::Boolean(false));
  EXPECT_EQ(rows[1].row.row[2], Value::Time(1500000));
  EXPECT_EQ(rows[1].row.row[3], Value::Integer(INT64_MAX));
  EXPECT_EQ(rows[2].row.row[0], Value::Real(7));
  EXPECT_EQ(rows[2].row.row[2], Value::Time(int64_t{946684800} * 1000000));
  EXPECT_EQ(rows[2].row.row[3], Value::Integer(0));
}

TEST_F(CsvReaderTest, OpColumnSetsWeights) {
  CsvReaderOptions options;
  options.op_column = "Op";
  auto rows =
      Read("op,id\n+,1\n-,2\ninsert,3\nDELETE,4\n,5\n\"\",6\nx,7\n8,8\n", "id INTEGER", options);
  ASSERT_EQ(rows.size(), 8u);
  const int64_t weights[] = {1, -1, 1, -1, 1, 1};
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(rows[i].status, ReadStatus::kRow) << Describe(rows[i]);
    EXPECT_EQ(rows[i].row.weight, weights[i]) << i;
    EXPECT_EQ(rows[i].row.row[0], Value::Integer(i + 1));
  }
  ExpectBad(rows[6], ErrorCode::kParse, 8, 1, "unknown op 'x'");
  ExpectBad(rows[7], ErrorCode::kParse, 9, 1, "unknown op '8'");
}

TEST_F(CsvReaderTest, BadRowsReportExactPositionsAndReadingResumes) {
  const std::string text =
      "id,name\n"          // 1
      "1,a\n"              // 2
      "2\n"                // 3: too few fields
      "3,b,extra\n"        // 4: too many fields
      "4x,c\n"             // 5: not an integer
      ",d\n"               // 6: NULL in NOT NULL
      "6,\xff\xfe\n"       // 7: invalid UTF-8
      "7,\"ab\"c\n"        // 8: text after a closing quote
      "8,ab\"c\n9,z\"\n"   // 9-10: a stray quote runs to the next quote
      "10,ok\n"            // 11
      "12,\"open\nnever";  // 12-13: unterminated quote
  auto rows = Read(text, "id INTEGER NOT NULL, name TEXT");
  ASSERT_EQ(rows.size(), 10u);
  ExpectRow(rows[0], 2, 8, "1,a", "(1, 'a')");
  ExpectBad(rows[1], ErrorCode::kParse, 3, 2, "expected 2 fields, found 1: '2'");
  ExpectBad(rows[2], ErrorCode::kParse, 4, 5, "expected 2 fields, found 3");
  ExpectBad(rows[3], ErrorCode::kParse, 5, 1, "column 'id': not an INTEGER: '4x'");
  ExpectBad(rows[4], ErrorCode::kConstraint, 6, 1, "NOT NULL column 'id'");
  ExpectBad(rows[5], ErrorCode::kParse, 7, 3, "invalid UTF-8 in TEXT: '\\xff\\xfe'");
  ExpectBad(rows[6], ErrorCode::kParse, 8, 3, "text after the closing quote");
  ExpectBad(rows[7], ErrorCode::kParse, 9, 3, "quote inside an unquoted field");
  EXPECT_EQ(rows[7].row.raw, "8,ab\"c\n9,z\"");
  ExpectRow(rows[8], 11, 57, "10,ok", "(10, 'ok')");
  ExpectBad(rows[9], ErrorCode::kParse, 12, 4, "unterminated quoted field: '\"open\\x0anever'");
  EXPECT_EQ(rows[9].row.raw, "12,\"open\nnever");
  EXPECT_EQ(rows[9].row.line, 12);
}

TEST_F(CsvReaderTest, ColumnsCountCharactersAndPhysicalLines) {
  auto rows = Read("name,id\n\"\xC3\xA9\",7x\n\"multi\nline\",12x\n\"a\",\n",
                   "name TEXT, id INTEGER NOT NULL");
  ASSERT_EQ(rows.size(), 3u);
  ExpectBad(rows[0], ErrorCode::kParse, 2, 5, "'7x'");
  ExpectBad(rows[1], ErrorCode::kParse, 4, 7, "'12x'");
  EXPECT_EQ(rows[1].row.line, 3);
  ExpectBad(rows[2], ErrorCode::kConstraint, 5, 5, "NOT NULL column 'id'");
}

TEST_F(CsvReaderTest, UnparsableValuesOfEveryType) {
  auto rows = Read("r,b,t\nx,true,2024-01-01\n1,maybe,2024-01-01\n1,1,2024-02-30\n1,1,\"\"\n",
                   "r REAL, b BOOLEAN, t TIMESTAMP");
  ASSERT_EQ(rows.size(), 4u);
  ExpectBad(rows[0], ErrorCode::kParse, 2, 1, "not a REAL: 'x'");
  ExpectBad(rows[1], ErrorCode::kParse, 3, 3, "not a BOOLEAN: 'maybe'");
  ExpectBad(rows[2], ErrorCode::kParse, 4, 5, "not a TIMESTAMP: '2024-02-30'");
  ExpectBad(rows[3], ErrorCode::kParse, 5, 5, "not a TIMESTAMP: ''");
}

TEST_F(CsvReaderTest, HeaderErrorsNameTheColumn) {
  Error e = OpenError("id,name,extra\n1,a,b\n", "id INTEGER, name TEXT");
  EXPECT_EQ(e.code(), ErrorCode::kSchema);
  EXPECT_EQ(e.context().line, 1);
  EXPECT_EQ(e.context().column, 9);
  EXPECT_NE(e.message().find("unknown column 'extra'"), std::string::npos) << e.what();

  e = OpenError("id\n1\n", "id INTEGER, name TEXT");
  EXPECT_EQ(e.code(), ErrorCode::kSchema);
  EXPECT_NE(e.message().find("lacks column 'name'"), std::string::npos) << e.what();

  e = OpenError("id,name,ID\n", "id INTEGER, name TEXT");
  EXPECT_EQ(e.code(), ErrorCode::kSchema);
  EXPECT_EQ(e.context().column, 9);
  EXPECT_NE(e.message().find("'ID' appears twice"), std::string::npos) << e.what();

  CsvReaderOptions options;
  options.op_column = "op";
  e = OpenError("id,name\n", "id INTEGER, name TEXT", options);
  EXPECT_EQ(e.code(), ErrorCode::kSchema);
  EXPECT_NE(e.message().find("op column 'op'"), std::string::npos) << e.what();

  e = OpenError("", "id INTEGER");
  EXPECT_EQ(e.code(), ErrorCode::kSchema);
  e = OpenError("\n\n", "id INTEGER");
  EXPECT_EQ(e.code(), ErrorCode::kSchema);

  e = OpenError("id,\"name\n1,a\n", "id INTEGER, name TEXT");
  EXPECT_EQ(e.code(), ErrorCode::kParse);
  EXPECT_EQ(e.context().column, 4);
}

TEST_F(CsvReaderTest, MissingFileIsAnIoErrorNamingIt) {
  const std::string path = dir_ / "absent.csv";
  try {
    CsvReader reader(InputSource::Open(path), ParseSchema("id INTEGER"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_EQ(e.context().file, path);
  }
}

TEST_F(CsvReaderTest, ByteRangesReadTheirRecordsOnly) {
  const std::string text = "id,name\n1,a\n2,\"b\nb\"\n\n3,c\n";
  const std::string path = dir_.Write("in.csv", text);
  const Schema schema = ParseSchema("id INTEGER, name TEXT");
  CsvReader whole(InputSource::Open(path), schema);
  EXPECT_EQ(whole.header(), "id,name");
  EXPECT_EQ(whole.data_offset(), 8u);
  EXPECT_EQ(whole.data_line(), 2);

  CsvReaderOptions first;
  first.end_offset = 20;  // the blank line after record 2
  CsvReader head(InputSource::Open(path), schema, first);
  auto rows = ReadAll(head);
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[1], 3, 12, "2,\"b\nb\"", "(2, 'b\nb')");

  CsvReaderOptions second;
  second.header_text = whole.header();
  second.start_offset = 12;
  second.first_line = 3;
  second.end_offset = 21;
  CsvReader middle(InputSource::Open(path), schema, second);
  rows = ReadAll(middle);
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 3, 12, "2,\"b\nb\"", "(2, 'b\nb')");

  CsvReaderOptions third = second;
  third.start_offset = 20;
  third.first_line = 5;
  third.end_offset.reset();
  CsvReader tail(InputSource::Open(path), schema, third);
  rows = ReadAll(tail);
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 6, 21, "3,c", "(3, 'c')");
  EXPECT_EQ(tail.bytes_read(), text.size());
}

TEST_F(CsvReaderTest, RecordLargerThanAChunk) {
  const std::string big(9 << 20, 'q');
  const std::string text = "id,name\n1,\"" + big + "\"\n2,b\n";
  CsvReader reader(InputSource::Open(dir_.Write("big.csv", text)),
                   ParseSchema("id INTEGER, name TEXT"));
  auto rows = ReadAll(reader);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].status, ReadStatus::kRow);
  EXPECT_EQ(rows[0].row.row[1].as_text(), big);
  ExpectRow(rows[1], 3, text.size() - 4, "2,b", "(2, 'b')");
}

TEST_F(CsvReaderTest, ReadsStdinThroughAPipe) {
  std::string text = "id,name\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",\"n" + std::to_string(i) + "\"\n";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int saved_stdin = dup(0);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(dup2(fds[0], 0), 0);
  close(fds[0]);
  std::thread writer([&] {
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  std::vector<ReadOutcome> rows;
  std::optional<uint64_t> total;
  std::string name;
  {
    CsvReader reader(InputSource::Open("-"), ParseSchema("id INTEGER, name TEXT"));
    rows = ReadAll(reader);
    total = reader.total_bytes();
    EXPECT_EQ(reader.bytes_read(), text.size());
  }
  writer.join();
  dup2(saved_stdin, 0);
  close(saved_stdin);
  EXPECT_FALSE(total.has_value());
  ASSERT_EQ(rows.size(), 20000u);
  ExpectRow(rows[19999], 20001, text.size() - 15, "19999,\"n19999\"", "(19999, 'n19999')");
  EXPECT_EQ(rows[19999].error, std::nullopt);
}

TEST_F(CsvReaderTest, RegularFileReportsItsSize) {
  const std::string path = dir_.Write("in.csv", "id\n1\n");
  CsvReader reader(InputSource::Open(path), ParseSchema("id INTEGER"));
  EXPECT_EQ(reader.total_bytes(), 5u);
  EXPECT_EQ(RowsText(ReadAll(reader)), "(1)\n");
}

}  // namespace
}  // namespace zload
