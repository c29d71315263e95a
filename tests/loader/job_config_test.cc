#include "loader/job_config.h"

#include <gtest/gtest.h>

namespace zload {
namespace {

constexpr const char* kShop = R"(
[store]
url = "sqlite:out/shop.db"

[[source]]
name = "products"
file = "data/products.csv"
schema = "name TEXT NOT NULL, price REAL NOT NULL"
primary_key = ["name"]

[[source]]
name = "line_items"
file = "data/line_items.jsonl"
schema = "basket_id INTEGER, product_name TEXT, qty INTEGER"
op_column = "op"

[[view]]
name = "basket_totals"
sql = """SELECT l.basket_id, SUM(p.price * l.qty) AS total
         FROM line_items l JOIN products p ON p.name = l.product_name
         GROUP BY l.basket_id"""

[run]
batch_rows = 500
on_bad_row = "reject"
reject_file = "out/rejects.csv"
max_errors = 7
commit_interval_ms = 250
)";

Error ErrorOf(const std::string& text) {
  try {
    ParseJobConfig(text, "/jobs/job.toml");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return Error(ErrorCode::kInternal, "none");
}

TEST(JobConfigTest, ParsesEveryKeyAndResolvesPathsAgainstTheConfig) {
  JobConfig job = ParseJobConfig(kShop, "/jobs/shop/job.toml");
  EXPECT_EQ(job.store_url, "sqlite:/jobs/shop/out/shop.db");
  ASSERT_EQ(job.sources.size(), 2u);
  EXPECT_EQ(job.sources[0].name, "products");
  EXPECT_EQ(job.sources[0].file, "/jobs/shop/data/products.csv");
  EXPECT_EQ(job.sources[0].format, "csv");
  EXPECT_EQ(job.sources[0].primary_key, std::vector<std::string>{"name"});
  EXPECT_EQ(job.sources[0].schema_position.line, 8);
  EXPECT_EQ(job.sources[1].format, "jsonl");
  EXPECT_EQ(job.sources[1].op_column, "op");
  ASSERT_EQ(job.views.size(), 1u);
  EXPECT_EQ(job.views[0].name, "basket_totals");
  EXPECT_EQ(job.views[0].sql_position.line, 19);
  EXPECT_EQ(job.run.batch_rows, 500);
  EXPECT_EQ(job.run.on_bad_row, BadRowPolicy::kReject);
  EXPECT_EQ(job.run.reject_file, "/jobs/shop/out/rejects.csv");
  EXPECT_EQ(job.run.max_errors, 7);
  EXPECT_EQ(job.run.commit_interval_ms, 250);
}

TEST(JobConfigTest, DefaultsStoreBesideTheConfig) {
  JobConfig job =
      ParseJobConfig("[[source]]\nname='t'\nfile='-'\nschema='a INTEGER'\n", "/jobs/job.toml");
  EXPECT_EQ(job.store_url, "sqlite:/jobs/zload.db");
  EXPECT_EQ(job.sources[0].file, "-");
  EXPECT_EQ(job.sources[0].format, "csv");
  EXPECT_EQ(job.run.on_bad_row, BadRowPolicy::kAbort);
  EXPECT_EQ(job.run.batch_rows, 10000);
  EXPECT_EQ(job.run.commit_interval_ms, 1000);
}

TEST(JobConfigTest, UnknownKeyIsNamedWithItsPosition) {
  Error e = ErrorOf("[[source]]\nname='t'\nfile='a.csv'\nschema='a INTEGER'\nshema='x'\n");
  EXPECT_EQ(e.code(), ErrorCode::kConfig);
  EXPECT_EQ(e.context().file, "/jobs/job.toml");
  EXPECT_EQ(e.context().line, 5);
  EXPECT_NE(std::string(e.what()).find("unknown key 'shema' in [[source]]"), std::string::npos)
      << e.what();
}

TEST(JobConfigTest, SyntaxErrorHasPosition) {
  Error e = ErrorOf("[[source]]\nname = 't\n");
  EXPECT_EQ(e.code(), ErrorCode::kConfig);
  EXPECT_EQ(e.context().line, 2);
  EXPECT_NE(std::string(e.what()).find("TOML syntax error"), std::string::npos) << e.what();
}

TEST(JobConfigTest, BadSettingsAreErrors) {
  const std::string src = "[[source]]\nname='t'\nfile='a.csv'\nschema='a INTEGER'\n";
  EXPECT_NE(std::string(ErrorOf(src + "[run]\non_bad_row='skip'\n").what()).find("on_bad_row"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(src + "[run]\nbatch_rows=0\n").context().line, 6);
  EXPECT_EQ(ErrorOf(src + "[run]\ncommit_interval_ms=-1\n").context().line, 6);
  EXPECT_NE(
      std::string(ErrorOf(src + "[[source]]\nname='T'\nfile='b.csv'\nschema='b TEXT'\n").what())
          .find("duplicate"),
      std::string::npos);
  EXPECT_NE(
      std::string(ErrorOf("[[source]]\nname='a__b'\nfile='a.csv'\nschema='a INTEGER'\n").what())
          .find("reserved"),
      std::string::npos);
  EXPECT_NE(
      std::string(ErrorOf("[[source]]\nname='t'\nfile='a.csv'\n").what()).find("needs 'schema'"),
      std::string::npos);
  EXPECT_NE(std::string(ErrorOf(src + "[store]\nurl='mysql://x'\n").what()).find("store url"),
            std::string::npos);
  EXPECT_NE(std::string(ErrorOf("[run]\nbatch_rows=5\n").what()).find("no [[source]]"),
            std::string::npos);
}

}  // namespace
}  // namespace zload
