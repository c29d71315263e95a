// The two programs: zload, which starts without libpq, and zload-postgres beside it, to which
// zload hands every command that names a PostgreSQL store (tests/cli/postgres_cli_test.cc runs
// such commands against a real server).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/cli/cli_harness.h"

namespace zload::test {
namespace {

// The shared libraries `program` loads at its start, as the dynamic loader lists them.
std::string LoadedLibraries(const std::string& program) {
  ScratchDir dir;
  const std::string cmd =
      "LD_TRACE_LOADED_OBJECTS=1 '" + program + "' > '" + (dir / "libs.txt") + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return ReadFile(dir / "libs.txt");
}

std::string ZloadPostgresBinary() {
  return (std::filesystem::path(ZLOAD_BINARY).parent_path() / "zload-postgres").string();
}

TEST(ZloadProgramsTest, ZloadStartsWithoutLibpqAndZloadPostgresWithIt) {
  const std::string zload = LoadedLibraries(ZLOAD_BINARY);
  EXPECT_NE(zload.find("libsqlite3"), std::string::npos) << zload;
  EXPECT_EQ(zload.find("libpq"), std::string::npos) << zload;
  const std::string postgres = LoadedLibraries(ZloadPostgresBinary());
  EXPECT_NE(postgres.find("libpq.so"), std::string::npos) << postgres;
  EXPECT_NE(postgres.find("libpqxx"), std::string::npos) << postgres;

  // Each says which it is.
  ScratchDir dir;
  EXPECT_NE(RunZload(dir, "--version").out.find("PostgreSQL stores: handed to zload-postgres)"),
            std::string::npos);
  const std::string cmd = "'" + ZloadPostgresBinary() + "' --version > '" + (dir / "v.txt") + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_NE(ReadFile(dir / "v.txt").find("PostgreSQL stores: served)"), std::string::npos)
      << ReadFile(dir / "v.txt");
}

// zload copied alone into a directory: zload-postgres is not beside it.
class LoneZloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "bin");
    std::filesystem::copy_file(ZLOAD_BINARY, dir_ / "bin/zload");
    dir_.Write("products.csv", "name,price\ntv,3\n");
  }

  // Runs the lone zload with `args` in the scratch directory.
  CliResult Run(const std::string& args) {
    const std::string cmd = "cd '" + dir_.path().string() + "' && bin/zload " + args +
                            " < /dev/null > out.txt 2> err.txt";
    const int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(dir_ / "out.txt"),
            ReadFile(dir_ / "err.txt")};
  }

  // A job over products.csv whose [store] is `store_url`.
  void WriteJob(const std::string& store_url) {
    dir_.Write("job.toml", "[store]\nurl = \"" + store_url +
                               "\"\n[[source]]\nname = \"products\"\nfile = \"products.csv\"\n"
                               "schema = \"name TEXT NOT NULL, price REAL NOT NULL\"\n");
  }

  ScratchDir dir_;
};

TEST_F(LoneZloadTest, APostgresStoreIsAClearErrorAndNothingIsLoaded) {
  WriteJob("sqlite:out/shop.db");
  // Named by --store, by run, show and status alike: a usage error (exit 64) naming the program.
  for (const char* command : {"run job.toml -q", "show products job.toml", "status"}) {
    CliResult r = Run(std::string(command) + " --store postgresql://zload@127.0.0.1:1/none");
    EXPECT_EQ(r.exit_code, 64) << command << ": " << r.err;
    EXPECT_NE(r.err.find("PostgreSQL stores are served by zload-postgres"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_NE(r.err.find((dir_ / "bin/zload-postgres")), std::string::npos) << r.err;
  }
  // Named by the job's own [store] url.
  WriteJob("postgresql://zload@127.0.0.1:1/none");
  CliResult r = Run("run job.toml -q");
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("served by zload-postgres"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));

  // A SQLite store is zload's own: the same program loads it.
  WriteJob("sqlite:out/shop.db");
  r = Run("run job.toml -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryFile(dir_ / "out/shop.db", "SELECT name, price FROM products").ToString(),
            ZSet({{{Value::Text("tv"), Value::Real(3.0)}, 1}}).ToString());
}

}  // namespace
}  // namespace zload::test
