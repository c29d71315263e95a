#include "loader/jsonl_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loader/input_source.h"
#include "loader/schema_parse.h"
#include "tests/loader/read_all.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

using test::ReadAll;
using test::ReadOutcome;

std::string Describe(const ReadOutcome& o) {
  std::string s =
      std::to_string(o.row.line) + "@" + std::to_string(o.row.offset) + " [" + o.row.raw + "] ";
  if (o.status == ReadStatus::kRow) {
    return s + RowToString(o.row.row) + " w" + std::to_string(o.row.weight);
  }
  return s + (o.error ? o.error->what() : "no error");
}

class JsonlReaderTest : public ::testing::Test {
 protected:
  // Reads `text` from a real file, and again with tiny chunks expecting the same outcomes.
  std::vector<ReadOutcome> Read(const std::string& text, const std::string& schema,
                                JsonlReaderOptions options = {}) {
    const std::string path = dir_.Write("in.jsonl", text);
    JsonlReader reader(InputSource::Open(path), ParseSchema(schema), options);
    std::vector<ReadOutcome> outcomes = ReadAll(reader);
    EXPECT_EQ(reader.bytes_read(), text.size());
    EXPECT_EQ(reader.total_bytes(), text.size());
    for (size_t chunk : {1, 3, 8}) {
      JsonlReaderOptions small = options;
      small.chunk_size = chunk;
      JsonlReader chunked(InputSource::FromString(text, path), ParseSchema(schema), small);
      std::vector<ReadOutcome> again = ReadAll(chunked);
      EXPECT_EQ(again.size(), outcomes.size());
      for (size_t i = 0; i < std::min(again.size(), outcomes.size()); ++i) {
        EXPECT_EQ(Describe(again[i]), Describe(outcomes[i]));
      }
    }
    return outcomes;
  }

  test::ScratchDir dir_;
};

void ExpectRow(const ReadOutcome& o, int64_t line, uint64_t offset, const std::string& values,
               int64_t weight = 1) {
  ASSERT_EQ(o.status, ReadStatus::kRow) << Describe(o);
  EXPECT_EQ(o.row.line, line);
  EXPECT_EQ(o.row.offset, offset);
  EXPECT_EQ(RowToString(o.row.row), values);
  EXPECT_EQ(o.row.weight, weight);
}

void ExpectBad(const ReadOutcome& o, ErrorCode code, int64_t line, int64_t column,
               const std::string& message_part) {
  ASSERT_EQ(o.status, ReadStatus::kBadRow) << Describe(o);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->code(), code) << o.error->what();
  EXPECT_EQ(o.error->context().line, line) << o.error->what();
  EXPECT_EQ(o.error->context().column, column) << o.error->what();
  EXPECT_NE(o.error->message().find(message_part), std::string::npos) << o.error->what();
}

TEST_F(JsonlReaderTest, ObjectsByKeyWithMissingKeysAsNull) {
  const std::string text =
      "{\"id\": 1, \"name\": \"a\", \"price\": 2.5}\n"
      "{\"NAME\": \"b\\n\\u00e9\", \"Id\": 2, \"price\": 3}\r\n"
      "\n"
      "   \n"
      "{\"id\": null, \"price\": -1e2}";
  auto rows = Read(text, "id INTEGER, name TEXT, price REAL");
  ASSERT_EQ(rows.size(), 3u);
  ExpectRow(rows[0], 1, 0, "(1, 'a', 2.5)");
  EXPECT_EQ(rows[0].row.raw, "{\"id\": 1, \"name\": \"a\", \"price\": 2.5}");
  ExpectRow(rows[1], 2, 37, "(2, 'b\n\xC3\xA9', 3.0)");
  EXPECT_EQ(rows[1].row.row[2].type(), Type::kReal);
  ExpectRow(rows[2], 5, 86, "(NULL, NULL, -100.0)");
}

TEST_F(JsonlReaderTest, TypedValuesAndOpColumn) {
  JsonlReaderOptions options;
  options.op_column = "op";
  auto rows = Read(
      "{\"b\": true, \"t\": \"2024-01-02T03:04:05Z\", \"i\": -9223372036854775808}\n"
      "{\"b\": false, \"OP\": \"-\", \"i\": 9223372036854775807}\n"
      "{\"op\": \"delete\"}\n"
      "{\"op\": null}\n",
      "b BOOLEAN, t TIMESTAMP, i INTEGER", options);
  ASSERT_EQ(rows.size(), 4u);
  ExpectRow(rows[0], 1, 0, "(1, 1704164645000000, -9223372036854775808)");
  ExpectRow(rows[1], 2, 68, "(0, NULL, 9223372036854775807)", -1);
  ExpectRow(rows[2], 3, 118, "(NULL, NULL, NULL)", -1);
  ExpectRow(rows[3], 4, 135, "(NULL, NULL, NULL)", 1);
}

TEST_F(JsonlReaderTest, BadLinesReportPositionsAndReadingResumes) {
  const std::string text =
      "{\"id\": 1, \"name\": \"a\"}\n"           // 1
      "{\"id\": x}\n"                            // 2: malformed JSON
      "{\"id\": \"7\"}\n"                        // 3: string into INTEGER
      "{\"name\": \"\xC3\xA9\", \"zz\": 1}\n"    // 4: unknown key
      "{\"id\": 1, \"ID\": 2}\n"                 // 5: repeated key
      "{\"name\": \"b\", \"id\": 1.5}\n"         // 6: float into INTEGER
      "{\"id\": 9223372036854775808}\n"          // 7: out of range
      "[1, 2]\n"                                 // 8: not an object
      "{\"id\": {\"a\": 1}}\n"                   // 9: nested object
      "{\"name\": null}\n"                       // 10: null in NOT NULL
      "{\"id\": 3}\n"                            // 11: missing NOT NULL key
      "{\"id\": 4, \"name\": \"ok\"}\n"          // 12
      "{\"id\": 5, \"name\": \"unterminated}\n"  // 13: malformed JSON
      "{\"id\": 6, \"name\": 7}";                // 14: number into TEXT
  auto rows = Read(text, "id INTEGER, name TEXT NOT NULL");
  ASSERT_EQ(rows.size(), 14u);
  ExpectRow(rows[0], 1, 0, "(1, 'a')");
  ExpectBad(rows[1], ErrorCode::kParse, 2, 8, "malformed JSON");
  ExpectBad(rows[2], ErrorCode::kParse, 3, 8, "expected an INTEGER, found string '7'");
  ExpectBad(rows[3], ErrorCode::kParse, 4, 15, "unknown key 'zz'");
  ExpectBad(rows[4], ErrorCode::kParse, 5, 11, "key 'ID' appears twice");
  ExpectBad(rows[5], ErrorCode::kParse, 6, 21, "expected an INTEGER, found number 1.5");
  ExpectBad(rows[6], ErrorCode::kParse, 7, 8, "INTEGER out of range: '9223372036854775808'");
  ExpectBad(rows[7], ErrorCode::kParse, 8, 1, "expected a JSON object");
  ExpectBad(rows[8], ErrorCode::kParse, 9, 8, "found an object");
  ExpectBad(rows[9], ErrorCode::kConstraint, 10, 10, "null in NOT NULL column 'name'");
  ExpectBad(rows[10], ErrorCode::kConstraint, 11, 1, "missing key for NOT NULL column 'name'");
  ExpectRow(rows[11], 12, rows[11].row.offset, "(4, 'ok')");
  ExpectBad(rows[12], ErrorCode::kParse, 13, 33, "malformed JSON");
  ExpectBad(rows[13], ErrorCode::kParse, 14, 19, "expected a TEXT, found number 7");
  EXPECT_EQ(rows[13].row.raw, "{\"id\": 6, \"name\": 7}");
}

TEST_F(JsonlReaderTest, BadTimestampAndOp) {
  JsonlReaderOptions options;
  options.op_column = "op";
  auto rows =
      Read("{\"t\": \"2024-13-01\"}\n{\"op\": \"upsert\"}\n{\"op\": 1}\n", "t TIMESTAMP", options);
  ASSERT_EQ(rows.size(), 3u);
  ExpectBad(rows[0], ErrorCode::kParse, 1, 7, "not a TIMESTAMP: '2024-13-01'");
  ExpectBad(rows[1], ErrorCode::kParse, 2, 8, "unknown op 'upsert'");
  ExpectBad(rows[2], ErrorCode::kParse, 3, 8, "op column: expected a string");
}

TEST_F(JsonlReaderTest, SplitAtEveryLineBoundaryReadsTheWhole) {
  std::string text;
  for (int i = 0; i < 30; ++i) {
    text += i % 7 == 3 ? "\n" : "";
    text += "{\"id\": " + std::to_string(i) + (i % 5 == 2 ? ", \"bad\": 1" : "") + "}";
    text += i % 2 ? "\r\n" : "\n";
  }
  const Schema schema = ParseSchema("id INTEGER");
  JsonlReader whole(InputSource::FromString(text), schema);
  const std::vector<ReadOutcome> all = ReadAll(whole);
  ASSERT_EQ(all.size(), 30u);
  int64_t line = 1;
  for (size_t offset = 0; offset <= text.size(); ++offset) {
    if (offset > 0 && text[offset - 1] != '\n') continue;
    JsonlReaderOptions first;
    first.end_offset = offset;
    JsonlReader head(InputSource::FromString(text), schema, first);
    std::vector<ReadOutcome> parts = ReadAll(head);
    JsonlReaderOptions second;
    second.start_offset = offset;
    second.first_line = line++;
    JsonlReader tail(InputSource::FromString(text), schema, second);
    for (ReadOutcome& o : ReadAll(tail)) parts.push_back(std::move(o));
    ASSERT_EQ(parts.size(), all.size()) << offset;
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(Describe(parts[i]), Describe(all[i]));
  }
}

TEST_F(JsonlReaderTest, MissingFileIsAnIoError) {
  try {
    JsonlReader reader(InputSource::Open(dir_ / "absent.jsonl"), ParseSchema("id INTEGER"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
    EXPECT_EQ(e.context().file, dir_ / "absent.jsonl");
  }
}

}  // namespace
}  // namespace zload
