// End-to-end: malformed input rows under on_bad_row = "abort" and "reject", with exact positions.
#include <gtest/gtest.h>

#include "tests/cli/cli_harness.h"

namespace zload::test {
namespace {

std::string Config(const std::string& items, const std::string& policy, int batch_rows,
                   int max_errors = 100) {
  return "[store]\nurl = \"sqlite:shop.db\"\n"
         "[[source]]\nname = \"products\"\nfile = \"products.csv\"\n"
         "schema = \"name TEXT NOT NULL, price REAL NOT NULL\"\nprimary_key = [\"name\"]\n"
         "[[source]]\nname = \"items\"\nfile = \"" +
         items +
         "\"\n"
         "schema = \"basket_id INTEGER NOT NULL, product_name TEXT, qty INTEGER\"\n"
         "op_column = \"op\"\n"
         "[[view]]\nname = \"totals\"\nsql = \"SELECT i.basket_id, SUM(p.price * i.qty) AS total "
         "FROM items i JOIN products p ON p.name = i.product_name GROUP BY i.basket_id\"\n"
         "[run]\nbatch_rows = " +
         std::to_string(batch_rows) + "\non_bad_row = \"" + policy +
         "\"\nreject_file = \"out/rejects.csv\"\nmax_errors = " + std::to_string(max_errors) + "\n";
}

int64_t Count(const ScratchDir& dir, const std::string& table) {
  return QueryFile(dir / "shop.db", "SELECT count(*) FROM " + table).begin()->first[0].as_integer();
}

// One bad CSV record after a good one: its error names file, line and column and quotes it.
struct BadCase {
  const char* name;
  const char* record;    // the bad line(s), after the header and one good row
  const char* position;  // "items.csv:L:C"
  const char* text;      // a piece of the message
};

const BadCase kCsvCases[] = {
    {"wrong field count", "2,tv\n", "items.csv:3:5", "expected 4 fields, found 2"},
    {"bad integer", "2,tv,x1,+\n", "items.csv:3:6", "not an INTEGER: 'x1'"},
    {"null in not null", ",tv,1,+\n", "items.csv:3:1", "basket_id"},
    {"invalid utf-8", "2,t\xff,1,+\n", "items.csv:3:3", "UTF-8"},
    {"unterminated quote", "2,\"tv,1,+\n", "items.csv:3:3", "unterminated"},
    {"unknown op", "2,tv,1,?\n", "items.csv:3:8", "unknown op '?'"},
    {"delete of a missing row", "2,tv,1,-\n", "items.csv:3:1", "not loaded"},
};

TEST(CliBadInputTest, AbortNamesThePositionAndAppliesNothingOfTheBatch) {
  for (const BadCase& c : kCsvCases) {
    SCOPED_TRACE(c.name);
    ScratchDir dir;
    dir.Write("products.csv", "name,price\ntv,3\n");
    dir.Write("items.csv", std::string("basket_id,product_name,qty,op\n1,tv,1,+\n") + c.record);
    dir.Write("job.toml", Config("items.csv", "abort", 10));
    CliResult r = RunZload(dir, "run job.toml -q");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(std::string(c.position) + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.text), std::string::npos) << r.err;
    EXPECT_EQ(Count(dir, "items"), 0);  // the good row shared the bad row's batch
    EXPECT_EQ(Count(dir, "totals"), 0);
    EXPECT_EQ(Count(dir, "products"), 1);  // an earlier source's batches stay applied
  }
}

TEST(CliBadInputTest, AbortKeepsEarlierBatches) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv",
            "basket_id,product_name,qty,op\n1,tv,1,+\n2,tv,2,+\n3,tv,zz,+\n4,tv,1,+\n");
  dir.Write("job.toml", Config("items.csv", "abort", 2));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Count(dir, "items"), 2);
  EXPECT_EQ(QueryFile(dir / "shop.db", "SELECT total FROM totals WHERE basket_id = 2").ToString(),
            ZSet({{{Value::Real(6.0)}, 1}}).ToString());
  EXPECT_EQ(
      QueryFile(dir / "shop.db", "SELECT status, rows FROM zload_files WHERE source = 'items'")
          .ToString(),
      ZSet({{{Value::Text("interrupted"), Value::Integer(2)}, 1}}).ToString());
  // A second run refuses to apply the products again.
  EXPECT_EQ(RunZload(dir, "run job.toml -q").exit_code, 64);
}

TEST(CliBadInputTest, InterruptedFileIsNotLoadedTwice) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\nradio,x\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,1,+\n");
  dir.Write("job.toml", Config("items.csv", "abort", 1));
  EXPECT_EQ(RunZload(dir, "run job.toml -q").exit_code, 1);
  CliResult again = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(again.exit_code, 64);
  EXPECT_NE(again.err.find("was interrupted after 1 rows"), std::string::npos) << again.err;
  EXPECT_EQ(Count(dir, "products"), 1);
}

TEST(CliBadInputTest, RejectLoadsGoodRowsAndWritesRejectsWithPositions) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv",
            "basket_id,product_name,qty,op\n1,tv,1,+\n2,tv,x1,+\n3,tv\n2,tv,2,+\n\"4,tv,1\n");
  dir.Write("job.toml", Config("items.csv", "reject", 2));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Count(dir, "items"), 2);
  EXPECT_EQ(
      QueryFile(dir / "shop.db", "SELECT basket_id, total FROM totals").ToString(),
      ZSet({{{Value::Integer(1), Value::Real(3.0)}, 1}, {{Value::Integer(2), Value::Real(6.0)}, 1}})
          .ToString());
  std::string rejects = ReadFile(dir / "out/rejects.csv");
  EXPECT_EQ(rejects.rfind("basket_id,product_name,qty,op\n2,tv,x1,+\n3,tv\n\"4,tv,1", 0), 0u)
      << rejects;
  std::string log = ReadFile(dir / "out/rejects.csv.log");
  EXPECT_NE(log.find("items.csv:3:6: column 'qty': not an INTEGER: 'x1'"), std::string::npos)
      << log;
  EXPECT_NE(log.find("items.csv:4:5: expected 4 fields, found 2"), std::string::npos) << log;
  EXPECT_NE(log.find("items.csv:6:1: unterminated"), std::string::npos) << log;
}

TEST(CliBadInputTest, RejectStopsPastMaxErrors) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,a,+\n1,tv,b,+\n1,tv,c,+\n1,tv,1,+\n");
  dir.Write("job.toml", Config("items.csv", "reject", 10, 2));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("more than max_errors = 2"), std::string::npos) << r.err;
  EXPECT_EQ(Count(dir, "items"), 0);
}

TEST(CliBadInputTest, JsonlBadRowsHavePositions) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.jsonl",
            "{\"basket_id\": 1, \"product_name\": \"tv\", \"qty\": 2}\n"
            "{\"basket_id\": 2, \"product_name\": \"tv\", \"qty\": \"x\"}\n"
            "{\"basket_id\": 3,\n"
            "{\"basket_id\": 1, \"product_name\": \"tv\", \"qty\": 2, \"op\": \"?\"}\n");
  dir.Write("job.toml", Config("items.jsonl", "reject", 10));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(Count(dir, "items"), 1);
  std::string log = ReadFile(dir / "out/rejects.csv.log");
  EXPECT_NE(log.find("items.jsonl:2:47: column 'qty'"), std::string::npos) << log;
  EXPECT_NE(log.find("items.jsonl:3:17: malformed JSON"), std::string::npos) << log;
  EXPECT_NE(log.find("items.jsonl:4:56: unknown op '?'"), std::string::npos) << log;
}

TEST(CliBadInputTest, HeaderAndMissingFileErrorsComeBeforeLoading) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product,qty,op\n1,tv,1,+\n");
  dir.Write("job.toml", Config("items.csv", "abort", 10));
  CliResult r = RunZload(dir, "run job.toml -q");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("product_name"), std::string::npos) << r.err;
  // Nothing loaded, not even the good source: its table was not even created.
  EXPECT_TRUE(
      QueryFile(dir / "shop.db", "SELECT name FROM sqlite_schema WHERE name = 'products'").empty());
  dir.Write("missing.toml", Config("nope.csv", "abort", 10));
  CliResult m = RunZload(dir, "run missing.toml -q");
  EXPECT_EQ(m.exit_code, 64);
  EXPECT_NE(m.err.find("nope.csv"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace zload::test
