#pragma once

// Runs the real zload binary and reads the SQLite files it writes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/zset.h"
#include "stores/sqlite_db.h"
#include "tests/support/scratch_dir.h"

namespace zload::test {

// What one run of the binary did.
struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `zload <args>` (args already shell-quoted where needed) in `dir`, feeding `stdin_text`,
// with the environment's variables plus `env` (NAME=VALUE words, shell-quoted where needed).
inline CliResult RunZload(const ScratchDir& dir, const std::string& args,
                          const std::string& stdin_text = "", const std::string& env = "") {
  std::string in = dir.Write("cli.stdin", stdin_text);
  std::string cmd = "cd '" + dir.path().string() + "' && " + env + " '" ZLOAD_BINARY "' " + args +
                    " < '" + in + "' > cli.stdout 2> cli.stderr";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(dir / "cli.stdout");
  r.err = ReadFile(dir / "cli.stderr");
  return r;
}

// Runs `sql` on the SQLite file at `path` and returns its rows, each counted once. With
// `weight_column`, the last column is taken as the row's weight instead.
inline ZSet QueryFile(const std::string& path, const std::string& sql, bool weight_column = false) {
  sqlite::Database db(path);
  sqlite::Statement stmt(db.handle(), sql);
  ZSet out;
  while (stmt.Step()) {
    Row row;
    for (int i = 0; i < stmt.ColumnCount(); ++i) row.push_back(stmt.ColumnValue(i));
    int64_t w = 1;
    if (weight_column) {
      w = row.back().as_integer();
      row.pop_back();
    }
    out.Add(std::move(row), w);
  }
  return out;
}

}  // namespace zload::test
