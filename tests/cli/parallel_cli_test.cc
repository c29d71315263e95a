// End-to-end with worker processes: the real zload binary runs jobs with `--workers N` and, on
// the same inputs in a store of its own, without workers; the serial run is the model. Stores,
// summaries, error messages and reject files must come out the same, and every view table must
// equal SQLite's own SELECT over the loaded base tables. Batches are small (1 or 2 rows), so
// several are in flight at once.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/cli/cli_harness.h"
#include "tests/support/scoped_env.h"
#include "tests/support/zset_compare.h"

namespace zload::test {
namespace {

constexpr const char* kTotalsSql =
    "SELECT l.basket_id, SUM(p.price * l.qty) AS total FROM line_items l JOIN products p ON "
    "p.name = l.product_name GROUP BY l.basket_id";
constexpr const char* kSalesSql =
    "SELECT p.name, COUNT(*) AS line_items, SUM(l.qty) AS units FROM products p LEFT JOIN "
    "line_items l ON l.product_name = p.name GROUP BY p.name";
constexpr const char* kBiggestSql =
    "SELECT product_name, MAX(qty) AS most FROM line_items GROUP BY product_name";

const char* const kViews[][2] = {
    {"basket_totals", kTotalsSql}, {"product_sales", kSalesSql}, {"biggest", kBiggestSql}};

// The demo job's directory in the source tree.
std::filesystem::path DemoDir() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "configs" /
         "shop";
}

// Copies the demo job (job.toml and data/, not its store) into `dir`.
void CopyDemo(const ScratchDir& dir) {
  ASSERT_TRUE(std::filesystem::exists(DemoDir() / "job.toml")) << DemoDir();
  std::filesystem::copy_file(DemoDir() / "job.toml", dir.path() / "job.toml");
  std::filesystem::copy(DemoDir() / "data", dir.path() / "data");
}

// A shop job over `products` and `items` with three views; `run` is the [run] table's body.
std::string ShopConfig(const std::string& store, const std::string& products,
                       const std::string& items, const std::string& run = "") {
  std::string config = "[store]\nurl = \"sqlite:" + store +
                       "\"\n"
                       "[[source]]\nname = \"products\"\nfile = \"" +
                       products +
                       "\"\nschema = \"name TEXT NOT NULL, price REAL NOT NULL\"\n"
                       "primary_key = [\"name\"]\n"
                       "[[source]]\nname = \"line_items\"\nfile = \"" +
                       items +
                       "\"\nschema = \"basket_id INTEGER, product_name TEXT, qty INTEGER\"\n"
                       "op_column = \"op\"\n";
  for (const auto& view : kViews) {
    config +=
        std::string("[[view]]\nname = \"") + view[0] + "\"\nsql = \"\"\"" + view[1] + "\"\"\"\n";
  }
  return config + "[run]\n" + run;
}

// Random shop inputs from `seed` (tests print it): `products` product rows and `items` line items,
// of unknown products too and some with NULL baskets; with `deletes_and_replaces`, products
// replace earlier ones by key and line items delete rows inserted at least two records before
// (so with batches of 1 or 2 rows, the row deleted was inserted by an earlier batch).
struct ShopFiles {
  std::string products = "name,price\n";
  std::string items = "basket_id,product_name,qty,op\n";
  int64_t product_rows = 0, item_rows = 0;
};

ShopFiles RandomShop(uint64_t seed, int products, int items, bool deletes_and_replaces) {
  std::mt19937_64 rng(seed);
  ShopFiles f;
  for (int i = 0; i < products; ++i) {
    int name = deletes_and_replaces ? static_cast<int>(rng() % 10) : i;
    f.products += "p" + std::to_string(name) + "," + std::to_string(1 + rng() % 20) + "." +
                  std::to_string(rng() % 4 * 25) + "\n";
    ++f.product_rows;
  }
  std::vector<std::string> live;  // rows inserted so far and not deleted
  std::vector<int> live_at;       // and the position of each
  for (int i = 0; i < items; ++i) {
    if (deletes_and_replaces && !live.empty() && rng() % 4 == 0) {
      size_t pick = rng() % live.size();
      if (live_at[pick] < i - 1) {
        f.items += live[pick] + ",-\n";
        live.erase(live.begin() + static_cast<long>(pick));
        live_at.erase(live_at.begin() + static_cast<long>(pick));
        ++f.item_rows;
        continue;
      }
    }
    std::string basket = rng() % 10 == 0 ? "" : std::to_string(1 + rng() % 6);
    std::string row =
        basket + ",p" + std::to_string(rng() % 12) + "," + std::to_string(1 + rng() % 5);
    f.items += row + (rng() % 2 ? ",+\n" : ",\n");
    live.push_back(row);
    live_at.push_back(i);
    ++f.item_rows;
  }
  return f;
}

// What a run leaves in the store's tables: base tables and view tables (with their weights), as
// sorted text.
std::string Dump(const std::string& db) {
  std::string out;
  for (const char* table : {"products", "line_items"}) {
    out += std::string("-- ") + table + "\n" +
           QueryFile(db, std::string("SELECT * FROM ") + table).ToString();
  }
  for (const auto& view : kViews) {
    out += std::string("-- ") + view[0] + "\n" +
           QueryFile(db, std::string("SELECT * FROM ") + view[0], true).ToString();
  }
  return out;
}

// The store's record of the files it loaded (of `source`, or of all), as sorted text.
std::string Files(const std::string& db, const std::string& source = "") {
  std::string sql = "SELECT source, path, size, hash, rows, status FROM zload_files";
  if (!source.empty()) sql += " WHERE source = '" + source + "'";
  return QueryFile(db, sql).ToString();
}

// The first `views` view tables (all of kViews unless told) equal SQLite's own SELECT of their
// definitions over the base tables.
void ExpectViewsMatchSelect(const std::string& db, size_t views = std::size(kViews)) {
  for (size_t i = 0; i < views; ++i) {
    const auto& view = kViews[i];
    ZSet stored = QueryFile(db, std::string("SELECT * FROM ") + view[0], true);
    ZSet oracle = QueryFile(db, view[1]);
    EXPECT_TRUE(ZSetsMatch(stored, oracle, {}, view[0], "SELECT over base tables"));
  }
}

int64_t Count(const std::string& db, const std::string& table) {
  return QueryFile(db, "SELECT count(*) FROM " + table).begin()->first[0].as_integer();
}

// How a run with workers is asked for.
struct Parallel {
  int workers;
  bool flush_every_set;
};

std::string Flags(const Parallel& p) {
  return " --workers " + std::to_string(p.workers) + " --flush-every-set " +
         (p.flush_every_set ? "true" : "false");
}

std::string Name(const ::testing::TestParamInfo<Parallel>& info) {
  return std::to_string(info.param.workers) + "Workers" +
         (info.param.flush_every_set ? "FlushEverySet" : "OneCommitPerBatch");
}

TEST(ParallelCliTest, DemoJobWithTwoWorkersShowsWhatASerialRunShows) {
  ScratchDir parallel, serial;
  CopyDemo(parallel);
  CopyDemo(serial);
  CliResult p = RunZload(parallel, "run job.toml -q --workers 2 --batch-rows 1");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  CliResult s = RunZload(serial, "run job.toml -q --batch-rows 1");
  ASSERT_EQ(s.exit_code, 0) << s.err;

  CliResult shown = RunZload(parallel, "show basket_totals job.toml");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out,
            "basket_id  total\n"
            "---------  -----\n"
            "        1   23.0\n"
            "        2    6.0\n"
            "(2 rows)\n");
  for (const char* table : {"basket_totals", "product_sales", "products", "line_items"}) {
    CliResult a = RunZload(parallel, std::string("show ") + table + " job.toml");
    CliResult b = RunZload(serial, std::string("show ") + table + " job.toml");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(a.out, b.out) << table;
  }
  ExpectViewsMatchSelect(parallel / "out/shop.db", 2);  // the demo has the first two views
}

class ParallelRunTest : public ::testing::TestWithParam<Parallel> {};

TEST_P(ParallelRunTest, SummaryAndStoreEqualASerialRun) {
  constexpr uint64_t kSeed = 4242;
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  ScratchDir dir;
  ShopFiles files = RandomShop(kSeed, 25, 80, true);
  dir.Write("products.csv", files.products);
  dir.Write("items.csv", files.items);
  dir.Write("job.toml", ShopConfig("unused.db", "products.csv", "items.csv"));

  CliResult p =
      RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:par.db --json par.json" +
                        Flags(GetParam()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  CliResult s =
      RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:ser.db --json ser.json");
  ASSERT_EQ(s.exit_code, 0) << s.err;

  nlohmann::json par = nlohmann::json::parse(ReadFile(dir / "par.json"));
  nlohmann::json ser = nlohmann::json::parse(ReadFile(dir / "ser.json"));
  ASSERT_EQ(par["sources"].size(), 2u) << par.dump(2);
  ASSERT_EQ(ser["sources"].size(), 2u) << ser.dump(2);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(ser["sources"][i]["name"].get<std::string>());
    for (const char* key : {"name", "file", "rows", "inserts", "deletes", "rejected", "bytes"}) {
      EXPECT_EQ(par["sources"][i][key], ser["sources"][i][key]) << key;
    }
  }
  EXPECT_EQ(ser["sources"][0]["rows"], files.product_rows);
  EXPECT_EQ(ser["sources"][1]["rows"], files.item_rows);
  EXPECT_GT(ser["sources"][1]["deletes"].get<int64_t>(), 0);
  ASSERT_EQ(par["views"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    for (const char* key : {"name", "changes", "built"}) {
      EXPECT_EQ(par["views"][i][key], ser["views"][i][key]) << "view " << i << " " << key;
    }
  }
  EXPECT_EQ(par["batches"], ser["batches"]);
  EXPECT_EQ(par["rejected"], 0);

  EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
  EXPECT_EQ(Files(dir / "par.db"), Files(dir / "ser.db"));
  ExpectViewsMatchSelect(dir / "par.db");
}

TEST_P(ParallelRunTest, AbortStopsAtTheBadRowLikeASerialRun) {
  // Rows 2..13 of the file are good; a bad row follows on line 14, then more good rows.
  struct BadRow {
    const char* name;
    const char* row;
  };
  for (BadRow bad :
       {BadRow{"parse error", "4,p1,x9,+\n"}, BadRow{"delete of a row not loaded", "99,p1,5,-\n"},
        BadRow{"invalid UTF-8", "4,p\xff\xfe,1,+\n"}}) {
    SCOPED_TRACE(bad.name);
    ScratchDir dir;
    SCOPED_TRACE("inputs from seed 7");
    ShopFiles files = RandomShop(7, 6, 12, false);
    dir.Write("products.csv", files.products);
    dir.Write("items.csv", files.items + bad.row + "5,p2,1,+\n6,p3,2,+\n7,p4,3,+\n8,p1,1,+\n");
    dir.Write("job.toml",
              ShopConfig("unused.db", "products.csv", "items.csv", "on_bad_row = \"abort\"\n"));
    CliResult p =
        RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:par.db" + Flags(GetParam()));
    CliResult s = RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:ser.db");
    EXPECT_EQ(s.exit_code, 1) << s.err;
    EXPECT_EQ(p.exit_code, 1) << p.err;
    EXPECT_NE(s.err.find("items.csv:14:"), std::string::npos) << s.err;
    EXPECT_EQ(p.err, s.err);
    // The batches before the bad row's (rows 1-12 of items: 6 batches of 2) and nothing after.
    EXPECT_EQ(Count(dir / "par.db", "line_items"), 12);
    EXPECT_EQ(Count(dir / "par.db", "products"), 6);
    EXPECT_EQ(QueryFile(dir / "par.db", "SELECT * FROM line_items").ToString(),
              QueryFile(dir / "ser.db", "SELECT * FROM line_items").ToString());
    EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
    // The file of the bad row is recorded as interrupted after the rows applied.
    EXPECT_EQ(Files(dir / "par.db", "line_items"), Files(dir / "ser.db", "line_items"));
    EXPECT_NE(Files(dir / "ser.db", "line_items").find("12, 'interrupted'"), std::string::npos)
        << Files(dir / "ser.db", "line_items");
    ExpectViewsMatchSelect(dir / "par.db");
  }
}

TEST_P(ParallelRunTest, RejectWritesTheSerialRunsRejectFilesByteForByte) {
  ScratchDir dir;
  SCOPED_TRACE("inputs from seed 99");
  ShopFiles files = RandomShop(99, 6, 6, false);
  dir.Write("products.csv", files.products + "bad,price\n");
  // Bad rows of every kind, spread over several batches: a parse error, a wrong field count,
  // invalid UTF-8, a quoted field over two lines, a delete of a row never loaded; and good rows
  // between them (one holding a NUL byte, one deleting a row loaded before).
  std::string items = files.items;
  items += "1,p1,zz,+\n";
  items += "2,p2,1,+\n";
  items += "3,p3\n";
  items += "3,p\xc3\x28,1,+\n";
  items += "4,\"p4\nmore\",x,+\n";
  items += "5,p5,2,+\n";
  items += "9,p9,9,-\n";
  items += std::string(
      "6,p\0"
      "6,1,+\n",
      10);
  items += "1,p1,3,+\n";
  items += "2,p2,1,-\n";
  dir.Write("items.csv", items);
  const std::string reject = "on_bad_row = \"reject\"\nmax_errors = 100\n";
  dir.Write("par.toml", ShopConfig("par.db", "products.csv", "items.csv",
                                   reject + "reject_file = \"out/par_rejects.csv\"\n"));
  dir.Write("ser.toml", ShopConfig("ser.db", "products.csv", "items.csv",
                                   reject + "reject_file = \"out/ser_rejects.csv\"\n"));
  CliResult p = RunZload(dir, "run par.toml -q --batch-rows 2 --json par.json" + Flags(GetParam()));
  CliResult s = RunZload(dir, "run ser.toml -q --batch-rows 2 --json ser.json");
  EXPECT_EQ(s.exit_code, 2) << s.err;
  EXPECT_EQ(p.exit_code, 2) << p.err;
  EXPECT_EQ(p.err, s.err);

  const std::string ser_rows = ReadFile(dir / "out/ser_rejects.csv");
  const std::string ser_log = ReadFile(dir / "out/ser_rejects.csv.log");
  ASSERT_FALSE(ser_rows.empty());
  EXPECT_NE(ser_log.find("items.csv:15:"), std::string::npos) << ser_log;  // the delete
  EXPECT_EQ(ReadFile(dir / "out/par_rejects.csv"), ser_rows);
  EXPECT_EQ(ReadFile(dir / "out/par_rejects.csv.log"), ser_log);

  nlohmann::json par = nlohmann::json::parse(ReadFile(dir / "par.json"));
  nlohmann::json ser = nlohmann::json::parse(ReadFile(dir / "ser.json"));
  EXPECT_EQ(par["rejected"], ser["rejected"]);
  EXPECT_GE(ser["rejected"].get<int64_t>(), 6);
  for (size_t i = 0; i < 2; ++i) {
    for (const char* key : {"rows", "inserts", "deletes", "rejected"}) {
      EXPECT_EQ(par["sources"][i][key], ser["sources"][i][key]) << i << " " << key;
    }
  }
  EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
  EXPECT_EQ(Files(dir / "par.db"), Files(dir / "ser.db"));
  ExpectViewsMatchSelect(dir / "par.db");
}

TEST_P(ParallelRunTest, RejectPastMaxErrorsStopsLikeASerialRun) {
  ScratchDir dir;
  SCOPED_TRACE("inputs from seed 5");
  ShopFiles files = RandomShop(5, 4, 4, false);
  dir.Write("products.csv", files.products);
  dir.Write("items.csv", files.items + "1,p1,a,+\n2,p2,2,+\n1,p1,b,+\n3,p3,3,+\n1,p1,c,+\n" +
                             "4,p1,1,+\n5,p1,1,+\n");
  const std::string reject = "on_bad_row = \"reject\"\nmax_errors = 2\n";
  dir.Write("par.toml", ShopConfig("par.db", "products.csv", "items.csv",
                                   reject + "reject_file = \"par_rejects.csv\"\n"));
  dir.Write("ser.toml", ShopConfig("ser.db", "products.csv", "items.csv",
                                   reject + "reject_file = \"ser_rejects.csv\"\n"));
  CliResult p = RunZload(dir, "run par.toml -q --batch-rows 2" + Flags(GetParam()));
  CliResult s = RunZload(dir, "run ser.toml -q --batch-rows 2");
  EXPECT_EQ(s.exit_code, 1) << s.err;
  EXPECT_EQ(p.exit_code, 1) << p.err;
  EXPECT_NE(s.err.find("more than max_errors = 2"), std::string::npos) << s.err;
  // The message names the reject file, which differs between the two runs.
  std::string expected_err = s.err;
  expected_err.replace(expected_err.find("ser_rejects.csv"), 15, "par_rejects.csv");
  EXPECT_EQ(p.err, expected_err);
  EXPECT_EQ(ReadFile(dir / "par_rejects.csv"), ReadFile(dir / "ser_rejects.csv"));
  EXPECT_EQ(ReadFile(dir / "par_rejects.csv.log"), ReadFile(dir / "ser_rejects.csv.log"));
  EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
  EXPECT_EQ(Files(dir / "par.db", "line_items"), Files(dir / "ser.db", "line_items"));
  ExpectViewsMatchSelect(dir / "par.db");
}

TEST_P(ParallelRunTest, LimitLoadsExactlyThatManyRows) {
  ScratchDir dir;
  // Inserts only, distinct products: every row loaded is a row in a base table.
  SCOPED_TRACE("inputs from seed 11");
  ShopFiles files = RandomShop(11, 7, 15, false);
  dir.Write("products.csv", files.products);
  dir.Write("items.csv", files.items);
  dir.Write("job.toml", ShopConfig("unused.db", "products.csv", "items.csv"));
  const int64_t total = files.product_rows + files.item_rows;
  for (int64_t limit : {int64_t{0}, int64_t{1}, int64_t{3}, int64_t{7}, int64_t{8}, int64_t{11},
                        total, total + 5}) {
    SCOPED_TRACE(::testing::Message() << "--limit " << limit);
    const std::string par = "par" + std::to_string(limit) + ".db";
    const std::string ser = "ser" + std::to_string(limit) + ".db";
    const std::string limit_flag = " --limit " + std::to_string(limit);
    CliResult p = RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:" + par +
                                    limit_flag + Flags(GetParam()));
    ASSERT_EQ(p.exit_code, 0) << p.err;
    CliResult s =
        RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:" + ser + limit_flag);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    EXPECT_EQ(Count(dir / par, "products") + Count(dir / par, "line_items"),
              std::min(limit, total));
    EXPECT_EQ(Dump(dir / par), Dump(dir / ser));
    ExpectViewsMatchSelect(dir / par);
  }
}

TEST_P(ParallelRunTest, ReadsStdin) {
  ScratchDir dir;
  SCOPED_TRACE("inputs from seed 21");
  ShopFiles files = RandomShop(21, 12, 40, true);
  dir.Write("products.csv", files.products);
  dir.Write("job.toml", ShopConfig("unused.db", "products.csv", "-"));
  ScratchDir tmp;  // where the copy of stdin goes; it must be gone after the run
  CliResult p;
  {
    ScopedEnv env("TMPDIR", tmp.path().string());
    p = RunZload(dir, "run job.toml -q --batch-rows 1 --store sqlite:par.db" + Flags(GetParam()),
                 files.items);
  }
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
  CliResult s = RunZload(dir, "run job.toml -q --batch-rows 1 --store sqlite:ser.db", files.items);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(Count(dir / "par.db", "line_items"), Count(dir / "ser.db", "line_items"));
  EXPECT_GT(Count(dir / "par.db", "line_items"), 0);
  EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
  EXPECT_EQ(Files(dir / "par.db"), Files(dir / "ser.db"));
  ExpectViewsMatchSelect(dir / "par.db");
}

TEST_P(ParallelRunTest, SecondRunRefusesTheSameFileAndContinuesWithNewFiles) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\nradio,5\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,radio,4,+\n1,tv,1,+\n2,tv,2,+\n");
  dir.Write("job.toml", ShopConfig("unused.db", "products.csv", "items.csv"));
  // tv now costs 4 (a key replace), basket 1 loses its radios, basket 3 appears, a NULL basket.
  dir.Write("products2.csv", "name,price\ntv,4\nlamp,7.5\n");
  dir.Write("items2.csv", "basket_id,product_name,qty,op\n1,radio,4,-\n3,lamp,2,\n,tv,1,insert\n");
  dir.Write("job2.toml", ShopConfig("unused.db", "products2.csv", "items2.csv"));

  const std::string flags = " -q --batch-rows 1 --store sqlite:par.db" + Flags(GetParam());
  CliResult first = RunZload(dir, "run job.toml" + flags);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string after_first = Dump(dir / "par.db") + Files(dir / "par.db");

  CliResult again = RunZload(dir, "run job.toml" + flags);
  EXPECT_EQ(again.exit_code, 64) << again.err;
  EXPECT_NE(again.err.find("already holds this file"), std::string::npos) << again.err;
  EXPECT_EQ(Dump(dir / "par.db") + Files(dir / "par.db"), after_first);

  CliResult next = RunZload(dir, "run job2.toml" + flags);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(QueryFile(dir / "par.db", "SELECT basket_id, total FROM basket_totals").ToString(),
            ZSet({{{Value::Integer(1), Value::Real(4.0)}, 1},
                  {{Value::Integer(2), Value::Real(8.0)}, 1},
                  {{Value::Integer(3), Value::Real(15.0)}, 1},
                  {{Value(), Value::Real(4.0)}, 1}})
                .ToString());
  ExpectViewsMatchSelect(dir / "par.db");

  // The same two runs without workers leave the same store.
  const std::string serial = " -q --batch-rows 1 --store sqlite:ser.db";
  ASSERT_EQ(RunZload(dir, "run job.toml" + serial).exit_code, 0);
  ASSERT_EQ(RunZload(dir, "run job2.toml" + serial).exit_code, 0);
  EXPECT_EQ(Dump(dir / "par.db"), Dump(dir / "ser.db"));
  EXPECT_EQ(Files(dir / "par.db"), Files(dir / "ser.db"));
}

TEST_P(ParallelRunTest, FileLoadedWholeStaysCompleteWhenALaterFileFails) {
  ScratchDir dir;
  SCOPED_TRACE("inputs from seed 8");
  ShopFiles files = RandomShop(8, 6, 6, false);
  dir.Write("products.csv", files.products);
  dir.Write("items.csv", files.items + "4,p1,x,+\n");
  dir.Write("job.toml",
            ShopConfig("unused.db", "products.csv", "items.csv", "on_bad_row = \"abort\"\n"));
  CliResult p =
      RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:par.db" + Flags(GetParam()));
  CliResult s = RunZload(dir, "run job.toml -q --batch-rows 2 --store sqlite:ser.db");
  ASSERT_EQ(s.exit_code, 1) << s.err;
  ASSERT_EQ(p.exit_code, 1) << p.err;
  EXPECT_NE(Files(dir / "ser.db", "products").find("6, 'complete'"), std::string::npos)
      << Files(dir / "ser.db", "products");
  EXPECT_EQ(Files(dir / "par.db"), Files(dir / "ser.db"));
}

TEST_P(ParallelRunTest, LimitEndingAtTheEndOfAFileRecordsItComplete) {
  ScratchDir dir;
  SCOPED_TRACE("inputs from seed 11");
  ShopFiles files = RandomShop(11, 7, 15, false);
  dir.Write("products.csv", files.products);
  dir.Write("items.csv", files.items);
  dir.Write("job.toml", ShopConfig("unused.db", "products.csv", "items.csv"));
  for (int64_t limit : {files.product_rows, files.product_rows + files.item_rows}) {
    SCOPED_TRACE(::testing::Message() << "--limit " << limit);
    const std::string par = "par" + std::to_string(limit) + ".db";
    const std::string ser = "ser" + std::to_string(limit) + ".db";
    const std::string flags = " -q --batch-rows 2 --limit " + std::to_string(limit);
    ASSERT_EQ(
        RunZload(dir, "run job.toml --store sqlite:" + par + flags + Flags(GetParam())).exit_code,
        0);
    ASSERT_EQ(RunZload(dir, "run job.toml --store sqlite:" + ser + flags).exit_code, 0);
    EXPECT_EQ(Files(dir / ser).find("interrupted"), std::string::npos) << Files(dir / ser);
    EXPECT_EQ(Files(dir / par), Files(dir / ser));
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, ParallelRunTest,
                         ::testing::Values(Parallel{2, false}, Parallel{3, true}), Name);

TEST(ParallelCliTest, NegativeWorkersInTheConfigIsAConfigError) {
  ScratchDir dir;
  dir.Write("products.csv", "name,price\ntv,3\n");
  dir.Write("items.csv", "basket_id,product_name,qty,op\n1,tv,1,+\n");
  dir.Write("job.toml", ShopConfig("shop.db", "products.csv", "items.csv", "workers = -1\n"));
  for (const char* flags : {" --workers 2", " --workers 0", ""}) {
    SCOPED_TRACE(flags);
    CliResult r = RunZload(dir, std::string("run job.toml -q") + flags);
    EXPECT_EQ(r.exit_code, 64) << r.err;
    EXPECT_NE(r.err.find("job.toml:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("workers"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "shop.db"));
  }
}

}  // namespace
}  // namespace zload::test
