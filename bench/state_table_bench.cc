// What one group's state costs in SQLite: a state table of one row per key (a GROUP BY's
// accumulators) read and rewritten a batch of random keys at a time, through zload's
// SqliteStore and, beside it, through plain prepared statements of the same shape on a table of
// the same layout (the floor SQLite sets: integer keys in a rowid table) and on one keyed by a
// 16-byte BLOB (`WITHOUT ROWID`, the layout before integer keys had a table of their own); and a
// view table of one row per group (a key that may be NULL: a rowid table and a unique index on the
// key) whose rows a batch replaces, through zload's view writer and through multi-row upserts with
// and without a statement journal. "keys/s" counts keys read or written.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "engine/error.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_job_store.h"
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

// Times `apply` on one batch an iteration, each made beforehand, untimed, by `make`; counts the
// batches' keys.
template <typename Make, typename Apply>
void RunBatches(benchmark::State& state, Make make, Apply apply) {
  int64_t keys = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = make();
    keys += static_cast<int64_t>(batch.size());
    state.ResumeTiming();
    apply(batch);
  }
  SetRate(state, keys);
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
  auto make = [&] {
    std::vector<Row> keys;
    for (int64_t k : BatchKeys(rng)) keys.push_back(Row{Value::Integer(k)});
    return keys;
  };
  RunBatches(state, make, [&](const std::vector<Row>& keys) {
    sqlite::Transaction tx(t.db);
    int64_t found = 0;
    t.table.Lookup(0, keys, [&](size_t, const Row&, int64_t) { ++found; });
    benchmark::DoNotOptimize(found);
  });
}

// One batch's new rows for its groups, written and committed.
void BM_ZloadReplace(benchmark::State& state) {
  ZloadTable t;
  std::mt19937_64 rng(2);
  double total = 2.0;
  auto make = [&] {
    std::vector<Row> rows;
    for (int64_t k : BatchKeys(rng)) rows.push_back(GroupRow(k, total));
    total += 1.0;
    return rows;
  };
  RunBatches(state, make, [&](std::vector<Row>& rows) {
    sqlite::Transaction tx(t.db);
    t.table.Replace(std::move(rows), {});
    tx.Commit();
  });
}

// A table of zload's layout through plain statements: reads by `key IN (128 keys)`, writes by
// upserts of 64 rows, as zload's statements are shaped. By integer: `k INTEGER PRIMARY KEY`
// (the rowid), keyed by the group's integer; else `identity BLOB PRIMARY KEY` (`WITHOUT ROWID`),
// keyed by a 16-byte identity.
struct RawTable {
  using Identity = std::array<unsigned char, 16>;
  static constexpr size_t kReadSlots = 128;  // keys a read statement takes
  static constexpr size_t kWriteRows = 64;   // rows an upsert statement takes
  ScratchFile file;
  sqlite::Database db{file.path()};
  bool by_integer;
  std::vector<Identity> ids;
  std::array<unsigned char, 12> data{};  // the size of an encoded (integer, real) row
  std::unique_ptr<sqlite::Statement> read_stmt, upsert_stmt;

  explicit RawTable(bool integer_keys) : by_integer(integer_keys) {
    const std::string key = by_integer ? "k" : "identity";
    db.Exec(by_integer ? "CREATE TABLE g (k INTEGER PRIMARY KEY, data BLOB NOT NULL, c INTEGER "
                         "NOT NULL)"
                       : "CREATE TABLE g (identity BLOB PRIMARY KEY, data BLOB NOT NULL, c "
                         "INTEGER NOT NULL) WITHOUT ROWID");
    std::mt19937_64 rng(3);
    ids.resize(kGroups);
    for (Identity& id : ids) {
      for (size_t i = 0; i < id.size(); i += 8) {
        const uint64_t x = rng();
        std::copy_n(reinterpret_cast<const unsigned char*>(&x), 8, id.begin() + i);
      }
    }
    std::string marks, rows;
    for (size_t i = 0; i < kReadSlots; ++i) marks += i ? ",?" : "?";
    for (size_t i = 0; i < kWriteRows; ++i) rows += i ? ",(?,?,1)" : "(?,?,1)";
    read_stmt = std::make_unique<sqlite::Statement>(
        db.handle(), "SELECT " + key + ", data, c FROM g WHERE " + key + " IN (" + marks + ")");
    upsert_stmt = std::make_unique<sqlite::Statement>(
        db.handle(), "INSERT INTO g (" + key + ", data, c) VALUES " + rows + " ON CONFLICT(" + key +
                         ") DO UPDATE SET data = excluded.data, c = excluded.c");
    sqlite::Transaction tx(db);
    std::vector<size_t> all(ids.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    Upsert(all);
    tx.Commit();
  }
  // The positions of a batch's keys, in key order (as zload sorts them).
  std::vector<size_t> Batch(std::mt19937_64& rng) const {
    std::vector<size_t> pos;
    for (int64_t k : BatchKeys(rng)) pos.push_back(static_cast<size_t>(k));
    if (!by_integer) {
      std::sort(pos.begin(), pos.end(), [&](size_t a, size_t b) { return ids[a] < ids[b]; });
    }
    return pos;
  }
  // Binds the key of group `pos` to parameter `param`.
  void BindKey(sqlite::Statement& stmt, int param, size_t pos) const {
    if (by_integer) {
      stmt.BindInt(param, static_cast<int64_t>(pos));
    } else {
      stmt.BindBlob(param, ids[pos].data(), ids[pos].size());
    }
  }
  int64_t Read(const std::vector<size_t>& pos) {
    int64_t found = 0;
    for (size_t start = 0; start < pos.size(); start += kReadSlots) {
      for (size_t k = 0; k < kReadSlots; ++k) {
        BindKey(*read_stmt, static_cast<int>(k + 1), pos[std::min(start + k, pos.size() - 1)]);
      }
      while (read_stmt->Step()) ++found;
      read_stmt->Reset();
    }
    return found;
  }
  // Upserts in statements of kWriteRows rows; a last partial statement repeats its last row.
  void Upsert(const std::vector<size_t>& pos) {
    for (size_t start = 0; start < pos.size(); start += kWriteRows) {
      for (size_t k = 0; k < kWriteRows; ++k) {
        BindKey(*upsert_stmt, static_cast<int>(2 * k + 1),
                pos[std::min(start + k, pos.size() - 1)]);
        upsert_stmt->BindBlob(static_cast<int>(2 * k + 2), data.data(), data.size());
      }
      upsert_stmt->Run();
    }
  }
};

// Arg 1: keyed by integer; 0: by a 16-byte identity.
void BM_RawSqliteLookup(benchmark::State& state) {
  RawTable t(state.range(0) == 1);
  std::mt19937_64 rng(1);
  RunBatches(
      state, [&] { return t.Batch(rng); },
      [&](const std::vector<size_t>& pos) {
        sqlite::Transaction tx(t.db);
        benchmark::DoNotOptimize(t.Read(pos));
      });
}

void BM_RawSqliteUpsert(benchmark::State& state) {
  RawTable t(state.range(0) == 1);
  std::mt19937_64 rng(2);
  auto make = [&] {
    ++t.data[0];
    return t.Batch(rng);
  };
  RunBatches(state, make, [&](const std::vector<size_t>& pos) {
    sqlite::Transaction tx(t.db);
    t.Upsert(pos);
    tx.Commit();
  });
}

// A view table of kGroups rows (basket_id INTEGER, total REAL, _count_), created by zload with
// the layout of a key that may be NULL, the rows inserted in random key order (rowids not in
// key order), as batches of a GROUP BY over random keys first meet them.
struct ViewTable {
  static constexpr size_t kWriteRows = 64;  // rows an upsert statement takes
  ScratchFile file;
  SqliteJobStore store{file.path()};
  std::vector<double> totals = std::vector<double>(kGroups, 1.0);
  ViewTable() {
    const Schema schema({{"basket_id", Type::kInteger}, {"total", Type::kReal}});
    store.CreateKeyedViewTable("totals", schema, {0});
    std::vector<int64_t> order(kGroups);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::shuffle(order.begin(), order.end(), std::mt19937_64(4));
    // One row a statement: the writer would sort the keys of one delta.
    sqlite::Statement insert(store.database().handle(),
                             "INSERT INTO totals (basket_id, total, _count_) VALUES (?1, 1.0, 1)");
    store.Begin();
    for (int64_t k : order) {
      insert.BindInt(1, k);
      insert.Run();
    }
    store.Commit();
  }
  // The delta of one batch: each key's row replaced by one of a new total.
  struct Batch {
    ZSet delta;
    size_t keys = 0;
    size_t size() const { return keys; }
  };
  Batch Replacements(std::mt19937_64& rng) {
    Batch batch;
    for (int64_t k : BatchKeys(rng)) {
      double& total = totals[static_cast<size_t>(k)];
      batch.delta.Add(GroupRow(k, total), -1);
      total += 1.0;
      batch.delta.Add(GroupRow(k, total), 1);
      ++batch.keys;
    }
    return batch;
  }
  // An upsert of kWriteRows rows (key, total, 1): `verb` INTO ... DO UPDATE SET `sets`.
  sqlite::Statement UpsertStatement(const std::string& verb, const std::string& sets) {
    std::string rows;
    for (size_t i = 0; i < kWriteRows; ++i) rows += i ? ",(?,?,1)" : "(?,?,1)";
    return sqlite::Statement(store.database().handle(),
                             verb + " INTO totals (basket_id, total, _count_) VALUES " + rows +
                                 " ON CONFLICT(basket_id) DO UPDATE SET " + sets);
  }
  // Upserts `keys` with new totals through `stmt` (from UpsertStatement); a last partial
  // statement repeats its last row.
  void Upsert(sqlite::Statement& stmt, const std::vector<int64_t>& keys) {
    for (size_t start = 0; start < keys.size(); start += kWriteRows) {
      for (size_t k = 0; k < kWriteRows; ++k) {
        const int64_t key = keys[std::min(start + k, keys.size() - 1)];
        double& total = totals[static_cast<size_t>(key)];
        total += 1.0;
        stmt.BindInt(static_cast<int>(2 * k + 1), key);
        stmt.Bind(static_cast<int>(2 * k + 2), Value::Real(total));
      }
      stmt.Run();
    }
  }
};

// One batch's replaced rows through zload's view writer, written and committed.
void BM_ZloadViewReplace(benchmark::State& state) {
  ViewTable t;
  std::mt19937_64 rng(5);
  RunBatches(
      state, [&] { return t.Replacements(rng); },
      [&](const ViewTable::Batch& batch) {
        t.store.Begin();
        t.store.ApplyToViewTable("totals", batch.delta);
        t.store.Commit();
      });
}

// The same rows by plain multi-row upserts, `verb` INTO ... DO UPDATE SET `sets`, each batch
// written and committed.
void RunRawViewUpserts(benchmark::State& state, const std::string& verb, const std::string& sets) {
  ViewTable t;
  sqlite::Statement stmt = t.UpsertStatement(verb, sets);
  std::mt19937_64 rng(5);
  RunBatches(
      state, [&] { return BatchKeys(rng); },
      [&](const std::vector<int64_t>& keys) {
        t.store.Begin();
        t.Upsert(stmt, keys);
        t.store.Commit();
      });
}

// Upserts that may abort halfway (they set the NOT NULL `_count_`), so that SQLite copies each
// page a statement changes into a statement journal.
void BM_RawSqliteViewUpsertJournaled(benchmark::State& state) {
  RunRawViewUpserts(state, "INSERT", "total = excluded.total, _count_ = excluded._count_");
}

// Upserts that cannot abort halfway (OR FAIL, `total` alone updated): no statement journal.
void BM_RawSqliteViewUpsert(benchmark::State& state) {
  RunRawViewUpserts(state, "INSERT OR FAIL", "total = excluded.total");
}

BENCHMARK(BM_ZloadLookup)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteLookup)
    ->ArgName("by_integer")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK(BM_ZloadReplace)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteUpsert)
    ->ArgName("by_integer")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK(BM_ZloadViewReplace)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteViewUpsertJournaled)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_RawSqliteViewUpsert)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace zload

BENCHMARK_MAIN();
