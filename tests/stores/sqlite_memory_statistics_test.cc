// The first sqlite::Database of a process switches SQLite's memory statistics off: SQLite's
// allocations then take no global mutex, and sqlite3_memory_used() counts nothing. Its own test
// program, so that nothing uses SQLite before it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "stores/sqlite_db.h"
#include "tests/support/scratch_dir.h"

namespace zload {
namespace {

TEST(SqliteMemoryStatisticsTest, TheFirstDatabaseOpenedSwitchesThemOff) {
  test::ScratchDir dir;
  sqlite::Database db(dir / "stats.db");
  db.Exec("CREATE TABLE t (x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two');");
  sqlite::Statement count(db.handle(), "SELECT count(*) FROM t");
  ASSERT_TRUE(count.Step());
  EXPECT_EQ(count.ColumnInt(0), 2);
  // With statistics on, an open connection and its page cache hold memory SQLite would count.
  EXPECT_EQ(sqlite3_memory_used(), 0);
  EXPECT_EQ(sqlite3_memory_highwater(false), 0);
}

}  // namespace
}  // namespace zload
