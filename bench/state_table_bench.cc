// What one group's state costs in SQLite: a state table of one row per key (a GROUP BY's
// accumulators) read and rewritten a batch of random keys at a time, through zload's
// SqliteStore and, beside it, through plain prepared statements of the same shape on a table of
// the same layout (the floor SQLite sets). "keys/s" counts keys read or written.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_store.h"

namespace zload {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kGroups = 250'000;    // rows in the table: the shop view's baskets at 1M rows
constexpr int64_t kBatchKeys = 10'000;  // keys a batch touches (at most; drawn at random)

// A fresh database file in a directory of its own, removed at the end.
class ScratchFile {
 public:
  ScratchFile()
      : dir_(fs::temp_directory_path() / ("zload_state_bench_" + std::to_string(getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~ScratchFile() { fs::remove_all(dir_); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  std::string path() const { return (dir_ / "state.db").string(); }

 private:
  fs::path dir_;
};

// `kBatchKeys` keys drawn from [0, kGroups), each once.
std::vector<int64_t> BatchKeys(std::mt19937_64& rng) {
  std::vector<int64_t> keys(kBatchKeys);
  for (int64_t& k : keys) k = static_cast<int64_t>(rng() % kGroups);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Row GroupRow(int64_t key, double total) { return Row{Value::Integer(key), Value::Real(total)}; }

void SetRate(benchmark::State& state, int64_t keys) {
  state.counters["keys/s"] =
      benchmark::Counter(static_cast<double>(keys), benchmark::Counter::kIsRate);
}

// zload's keyed state table (SqliteStore, one row per key), loaded with kGroups rows.
struct ZloadTable {
  ScratchFile file;
  sqlite::Database db{file.path()};
  SqliteStore store{db};
  StateTable& table =
      store.Open({.name = "bench__groups", .arity = 2, .indexes = {{0}}, .one_row_per_key = true});
  ZloadTable() {
    std::vector<Row> rows;
    for (int64_t k = 0; k < kGroups; ++k) rows.push_back(GroupRow(k, 1.0));
    sqlite::Transaction tx(db);
    table.Replace(std::move(rows), {});
    tx.Commit();
  }
};

// One batch's look-up of its groups' rows, in a transaction that only reads.
void BM_ZloadLookup(benchmark::State& state) {
  ZloadTable t;
  std::mt19937_64 rng(1);
  int64_t keys_done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Row> keys;
    for (int64_t k : BatchKeys(rng)) keys.push_back(Row{Value::Integer(k)});
    state.ResumeTiming();
    sqlite::Transaction tx(t.db);
    int64_t found = 0;
    t.table.Lookup(0, keys, [&](size_t, const Row&, int64_t) { ++found; });
    benchmark::DoNotOptimize(found);
    keys_done += static_cast<int64_t>(keys.size());
  }
  SetRate(state, keys_done);
}

// One batch's new rows for its groups, written and committed.
void BM_ZloadReplace(benchmark::State& state) {
  ZloadTable t;
  std::mt19937_64 rng(2);
  int64_t keys_done = 0;
  double total = 2.0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Row> rows;
    for (int64_t k : BatchKeys(rng)) rows.push_back(GroupRow(k, total));
    total += 1.0;
    keys_done += static_cast<int64_t>(rows.size());
    state.ResumeTiming();
    sqlite::Transaction tx(t.db);
    t.table.Replace(std::move(rows), {});
    tx.Commit();
  }
  SetRate(state, keys_done);
}

// The same layout (identity BLOB PRIMARY KEY, data BLOB, c) through plain statements: reads by
// `identity IN (128 keys)`, writes by upserts of 64 rows, as zload's statements are shaped.
struct RawTable {
  using Identity = std::array<unsigned char, 16>;
  ScratchFile file;
  sqlite::Database db{file.path()};
  std::vector<Identity> ids;
  std::array<unsigned char, 12> data{};  // the size of an encoded (integer, real) row
  std::unique_ptr<sqlite::Statement> read_stmt, upsert_stmt;

  RawTable() {
    db.Exec(
        "CREATE TABLE g (identity BLOB PRIMARY KEY, data BLOB NOT NULL, c INTEGER NOT NULL) "
        "WITHOUT ROWID");
    std::mt19937_64 rng(3);
    ids.resize(kGroups);
    for (Identity& id : ids) {
      for (size_t i = 0; i < id.size(); i += 8) {
        const uint64_t x = rng();
        std::copy_n(reinterpret_cast<const unsigned char*>(&x), 8, id.begin() + i);
      }
    }
    std::string marks, rows;
    for (int i = 0; i < 128; ++i) marks += i ? ",?" : "?";
    for (int i = 0; i < 64; ++i) rows += i ? ",(?,?,1)" : "(?,?,1)";
    read_stmt = std::make_unique<sqlite::Statement>(
        db.handle(), "SELECT identity, data, c FROM g WHERE identity IN (" + marks + ")");
    upsert_stmt = std::make_unique<sqlite::Statement>(
        db.handle(),
        "INSERT INTO g (identity, data, c) VALUES " + rows +
            " ON CONFLICT(identity) DO UPDATE SET data = excluded.data, c = excluded.c");
    sqlite::Transaction tx(db);
    std::vector<size_t> all(ids.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    Upsert(all);
    tx.Commit();
  }
  // The positions of a batch's keys in `ids`, in identity order (as zload sorts them).
  std::vector<size_t> Batch(std::mt19937_64& rng) const {
    std::vector<size_t> pos;
    for (int64_t k : BatchKeys(rng)) pos.push_back(static_cast<size_t>(k));
    std::sort(pos.begin(), pos.end(), [&](size_t a, size_t b) { return ids[a] < ids[b]; });
    return pos;
  }
  int64_t Read(const std::vector<size_t>& pos) {
    int64_t found = 0;
    for (size_t start = 0; start < pos.size(); start += 128) {
      for (size_t k = 0; k < 128; ++k) {
        const Identity& id = ids[pos[std::min(start + k, pos.size() - 1)]];
        read_stmt->BindBlob(static_cast<int>(k + 1), id.data(), id.size());
      }
      while (read_stmt->Step()) ++found;
      read_stmt->Reset();
    }
    return found;
  }
  // Upserts in statements of 64 rows; a last partial statement repeats its last row.
  void Upsert(const std::vector<size_t>& pos) {
    for (size_t start = 0; start < pos.size(); start += 64) {
      for (size_t k = 0; k < 64; ++k) {
        const Identity& id = ids[pos[std::min(start + k, pos.size() - 1)]];
        upsert_stmt->BindBlob(static_cast<int>(2 * k + 1), id.data(), id.size());
        upsert_stmt->BindBlob(static_cast<int>(2 * k + 2), data.data(), data.size());
      }
      upsert_stmt->Run();
    }
  }
};

void BM_RawSqliteLookup(benchmark::State& state) {
  RawTable t;
  std::mt19937_64 rng(1);
  int64_t keys_done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<size_t> pos = t.Batch(rng);
    state.ResumeTiming();
    sqlite::Transaction tx(t.db);
    benchmark::DoNotOptimize(t.Read(pos));
    keys_done += static_cast<int64_t>(pos.size());
  }
  SetRate(state, keys_done);
}

void BM_RawSqliteUpsert(benchmark::State& state) {
  RawTable t;
  std::mt19937_64 rng(2);
  int64_t keys_done = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<size_t> pos = t.Batch(rng);
    ++t.data[0];
    keys_done += static_cast<int64_t>(pos.size());
    state.ResumeTiming();
    sqlite::Transaction tx(t.db);
    t.Upsert(pos);
    tx.Commit();
  }
  SetRate(state, keys_done);
}

BENCHMARK(BM_ZloadLookup)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteLookup)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_ZloadReplace)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteUpsert)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace zload

BENCHMARK_MAIN();
