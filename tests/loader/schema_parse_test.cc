#include "loader/schema_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace zload {
namespace {

TEST(SchemaParseTest, ColumnsTypesAndNullability) {
  const Schema schema = ParseSchema(
      "name TEXT NOT NULL, price real not null, basket_id INTEGER, ok BOOLEAN NULL,\n"
      "  at TIMESTAMP, \"odd \"\"name\"\"\" bigint, d DOUBLE, v VARCHAR, b BOOL, i INT, f FLOAT");
  const Schema want({{"name", Type::kText, false},
                     {"price", Type::kReal, false},
                     {"basket_id", Type::kInteger, true},
                     {"ok", Type::kBoolean, true},
                     {"at", Type::kTimestamp, true},
                     {"odd \"name\"", Type::kInteger, true},
                     {"d", Type::kReal, true},
                     {"v", Type::kText, true},
                     {"b", Type::kBoolean, true},
                     {"i", Type::kInteger, true},
                     {"f", Type::kReal, true}});
  EXPECT_EQ(schema, want);
}

struct BadSchema {
  const char* text;
  int64_t column;
  const char* message;
};

TEST(SchemaParseTest, ErrorsPointAtTheOffendingToken) {
  const BadSchema cases[] = {
      {"", 1, "empty schema"},
      {"   ", 4, "empty schema"},
      {"a INTEGER,", 11, "expected a column name"},
      {"a INTEGER, b", 13, "expected a type"},
      {"a INTEGER, b STRINGY", 14, "unknown type 'STRINGY'"},
      {"a INTEGER NOT", 14, "expected NULL after NOT"},
      {"a INTEGER NOT NUL", 15, "expected NULL after NOT"},
      {"a INTEGER PRIMARY", 11, "unexpected 'PRIMARY'"},
      {"a INTEGER; b TEXT", 10, "expected ','"},
      {"a INTEGER, A TEXT", 12, "'A' appears twice"},
      {"\"a TEXT", 1, "unterminated quoted column name"},
      {"\xC3\xA9t\xC3\xA9 TEXT", 1, "expected a column name"},
      {"x TEXT, 1y TEXT", 9, "expected a column name"},
  };
  for (const BadSchema& c : cases) {
    try {
      ParseSchema(c.text);
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kConfig) << c.text;
      EXPECT_EQ(e.context().column, c.column) << c.text << ": " << e.what();
      EXPECT_NE(e.message().find(c.message), std::string::npos) << c.text << ": " << e.what();
    }
  }
}

TEST(SchemaParseTest, ErrorPositionsAddTheOrigin) {
  ErrorContext origin;
  origin.file = "job.toml";
  origin.line = 7;
  origin.column = 10;
  try {
    ParseSchema("a INTEGER, b NUMBER", origin);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "job.toml");
    EXPECT_EQ(e.context().line, 7);
    EXPECT_EQ(e.context().column, 23);
  }
  try {
    ParseSchema("a INTEGER,\n  b NUMBER", origin);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().line, 8);
    EXPECT_EQ(e.context().column, 5);
  }
}

}  // namespace
}  // namespace zload
