// SourceCursor over real files and a real SQLite store: a job's files are cut one after another
// into ranges of at most batch_rows records, each registered in the store's file registry before
// its first range; a limit ends the sequence (a file whose last record used it up still counts as
// cut to its end); cutting ahead changes nothing of the sequence; a range is cut again the same
// from a journal entry; a file loaded already is refused at its turn, naming it.
#include "loader/source_cursor.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "loader/job.h"
#include "loader/job_config.h"
#include "tests/support/scratch_dir.h"

namespace zload::test {
namespace {

constexpr const char* kTwoSources = R"(
[store]
url = "sqlite:out/store.db"

[[source]]
name = "products"
file = "products.csv"
schema = "name TEXT NOT NULL, price REAL NOT NULL"

[[source]]
name = "tags"
file = "tags.jsonl"
schema = "tag TEXT"

[run]
batch_rows = 2
)";

// A job of two sources (3 CSV records, 3 JSONL records) over a SQLite store.
struct CursorJob {
  ScratchDir dir;
  JobConfig config;
  std::unique_ptr<JobStore> store;
  std::unique_ptr<Job> job;
  std::unique_ptr<ReconnectingStore> db;

  CursorJob() {
    dir.Write("products.csv", "name,price\ntv,3\nradio,5\nlamp,2\n");
    dir.Write("tags.jsonl", "{\"tag\":\"a\"}\n{\"tag\":\"b\"}\n{\"tag\":\"c\"}\n");
    config = ParseJobConfig(kTwoSources, dir / "job.toml");
    store = OpenJobStore(config.store_url);
    store->Begin();
    job = std::make_unique<Job>(config, store.get());
    store->Commit();
    db = std::make_unique<ReconnectingStore>(*store, config.store_url);
  }
};

// (source, first record, records) of each cut, and the sources registered, in order.
struct Sequence {
  std::vector<std::vector<int64_t>> cuts;
  std::vector<size_t> registered;
};

Sequence CutAll(CursorJob& j, const RunOptions& options, bool cut_ahead) {
  Sequence out;
  SourceCursor cursor(*j.job, options, j.config.run.batch_rows, *j.db,
                      [&](size_t i) { out.registered.push_back(i); });
  while (std::optional<SourceCursor::Cut> cut = cursor.Next()) {
    out.cuts.push_back({static_cast<int64_t>(cut->source), cut->first_record, cut->range.records});
    if (cut_ahead) cursor.CutAhead();
  }
  return out;
}

TEST(SourceCursorTest, CutsEachFileInTurnAndRegistersItFirst) {
  CursorJob j;
  std::vector<size_t> registered;
  SourceCursor cursor(*j.job, RunOptions{}, j.config.run.batch_rows, *j.db,
                      [&](size_t i) { registered.push_back(i); });
  std::vector<std::vector<int64_t>> cuts;
  std::vector<std::string> headers;
  while (std::optional<SourceCursor::Cut> cut = cursor.Next()) {
    cuts.push_back({static_cast<int64_t>(cut->source), cut->first_record, cut->range.records,
                    static_cast<int64_t>(registered.size())});
    headers.push_back(cut->header);
  }
  // Each file is registered just before its first range.
  EXPECT_EQ(cuts, (std::vector<std::vector<int64_t>>{
                      {0, 0, 2, 1}, {0, 2, 1, 1}, {1, 0, 2, 2}, {1, 2, 1, 2}}));
  EXPECT_EQ(headers, (std::vector<std::string>{"name,price", "name,price", "", ""}));
  EXPECT_EQ(registered, (std::vector<size_t>{0, 1}));
  EXPECT_FALSE(cursor.Next());
  std::vector<FileLoad> loads = j.store->FileLoads();
  ASSERT_EQ(loads.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const CutSource& s = cursor.source(i);
    EXPECT_TRUE(s.registered);
    EXPECT_TRUE(s.cut_all);
    EXPECT_EQ(s.total_bytes, std::optional<uint64_t>(loads[i].size));
    EXPECT_EQ(s.load_id, loads[i].id);
    EXPECT_EQ(loads[i].source, s.source->config->name);
  }
}

TEST(SourceCursorTest, LimitEndsTheSequence) {
  CursorJob j;
  RunOptions options;
  options.limit = 4;
  std::vector<size_t> registered;
  SourceCursor cursor(*j.job, options, j.config.run.batch_rows, *j.db,
                      [&](size_t i) { registered.push_back(i); });
  std::vector<int64_t> records;
  while (std::optional<SourceCursor::Cut> cut = cursor.Next())
    records.push_back(cut->range.records);
  EXPECT_EQ(records, (std::vector<int64_t>{2, 1, 1}));
  EXPECT_TRUE(cursor.source(0).cut_all);
  EXPECT_FALSE(cursor.source(1).cut_all);
}

TEST(SourceCursorTest, LimitUsedUpByAFilesLastRecordLeavesTheFileWholeAndTheNextUnregistered) {
  CursorJob j;
  RunOptions options;
  options.limit = 3;
  std::vector<size_t> registered;
  SourceCursor cursor(*j.job, options, j.config.run.batch_rows, *j.db,
                      [&](size_t i) { registered.push_back(i); });
  int64_t records = 0;
  while (std::optional<SourceCursor::Cut> cut = cursor.Next()) records += cut->range.records;
  EXPECT_EQ(records, 3);
  EXPECT_TRUE(cursor.source(0).cut_all);
  EXPECT_FALSE(cursor.source(1).registered);
  EXPECT_EQ(registered, (std::vector<size_t>{0}));
  EXPECT_EQ(j.store->FileLoads().size(), 1u);
}

TEST(SourceCursorTest, CuttingAheadChangesNothing) {
  CursorJob plain;
  CursorJob ahead;
  Sequence a = CutAll(plain, RunOptions{}, false);
  Sequence b = CutAll(ahead, RunOptions{}, true);
  EXPECT_EQ(a.cuts.size(), 4u);
  EXPECT_EQ(a.cuts, b.cuts);
  EXPECT_EQ(a.registered, b.registered);
  EXPECT_EQ(ahead.store->FileLoads().size(), 2u);
}

TEST(SourceCursorTest, RecutGivesTheRangeAJournalEntryNames) {
  CursorJob j;
  SourceCursor cursor(*j.job, RunOptions{}, j.config.run.batch_rows, *j.db, [](size_t) {});
  std::vector<SourceCursor::Cut> cuts;
  while (std::optional<SourceCursor::Cut> cut = cursor.Next()) cuts.push_back(*cut);
  ASSERT_EQ(cuts.size(), 4u);
  for (const SourceCursor::Cut& cut : cuts) {
    JournalEntry e;
    e.time = 7;
    e.load_id = cursor.source(cut.source).load_id;
    e.first_record = cut.first_record;
    e.records = cut.range.records;
    SourceCursor::Cut again = cursor.Recut(e, j.store->FileLoads());
    EXPECT_EQ(again.source, cut.source);
    EXPECT_EQ(again.range.begin, cut.range.begin);
    EXPECT_EQ(again.range.end, cut.range.end);
    EXPECT_EQ(again.range.first_line, cut.range.first_line);
    EXPECT_EQ(again.header, cut.header);
  }
  JournalEntry unknown;
  unknown.load_id = 999;
  unknown.records = 1;
  EXPECT_THROW(cursor.Recut(unknown, j.store->FileLoads()), Error);
  JournalEntry too_many;
  too_many.load_id = cursor.source(0).load_id;
  too_many.first_record = 2;
  too_many.records = 2;
  EXPECT_THROW(cursor.Recut(too_many, j.store->FileLoads()), Error);
}

TEST(SourceCursorTest, AFileLoadedAlreadyIsRefusedAtItsTurn) {
  CursorJob j;
  {
    SourceCursor first(*j.job, RunOptions{}, j.config.run.batch_rows, *j.db, [](size_t) {});
    while (first.Next()) {
    }
    for (size_t i = 0; i < first.size(); ++i) {
      j.store->UpdateFileLoad(first.source(i).load_id, 3, "complete");
    }
  }
  SourceCursor again(*j.job, RunOptions{}, j.config.run.batch_rows, *j.db, [](size_t) {});
  try {
    again.Next();
    FAIL() << "a file loaded already was cut again";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("products.csv"), std::string::npos) << e.what();
  }
  RunOptions reload;
  reload.reload = true;
  SourceCursor reloading(*j.job, reload, j.config.run.batch_rows, *j.db, [](size_t) {});
  EXPECT_TRUE(reloading.Next());
}

}  // namespace
}  // namespace zload::test
