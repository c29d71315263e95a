// SqliteJobStore's bookkeeping: the catalog of sources and views, the file registry,
// last_update, the journal and the deltas of batches in flight. Its tables are created with the
// store (sqlite_job_store.cc).
#include "engine/error.h"
#include "stores/row_codec.h"
#include "stores/sqlite_job_store.h"

namespace zload {

using sqlite::Statement;

std::optional<SourceDefinition> SqliteJobStore::FindSource(const std::string& name) {
  Statement q(db_.handle(), "SELECT schema, primary_key FROM zload_sources WHERE name = ?1");
  q.BindText(1, name);
  if (!q.Step()) return std::nullopt;
  return SourceDefinition{name, std::string(q.ColumnText(0)), PrimaryKeyFromText(q.ColumnText(1))};
}

void SqliteJobStore::PutSource(const SourceDefinition& source) {
  Statement q(
      db_.handle(),
      "INSERT OR REPLACE INTO zload_sources (name, schema, primary_key) VALUES (?1, ?2, ?3)");
  q.BindText(1, source.name);
  q.BindText(2, source.schema);
  const std::string key = PrimaryKeyText(source.primary_key);
  q.BindText(3, key);
  q.Run();
}

std::optional<ViewDefinition> SqliteJobStore::FindView(const std::string& name) {
  Statement q(db_.handle(), "SELECT sql, shape FROM zload_views WHERE name = ?1");
  q.BindText(1, name);
  if (!q.Step()) return std::nullopt;
  return ViewDefinition{name, std::string(q.ColumnText(0)), std::string(q.ColumnText(1))};
}

void SqliteJobStore::PutView(const ViewDefinition& view) {
  Statement q(db_.handle(),
              "INSERT OR REPLACE INTO zload_views (name, sql, shape) VALUES (?1, ?2, ?3)");
  q.BindText(1, view.name);
  q.BindText(2, view.sql);
  q.BindText(3, view.shape);
  q.Run();
}

std::vector<ViewDefinition> SqliteJobStore::Views() {
  Statement q(db_.handle(), "SELECT name, sql, shape FROM zload_views ORDER BY name");
  std::vector<ViewDefinition> out;
  while (q.Step()) {
    out.push_back(
        {std::string(q.ColumnText(0)), std::string(q.ColumnText(1)), std::string(q.ColumnText(2))});
  }
  return out;
}

std::optional<FileLoad> SqliteJobStore::FindFileLoad(const std::string& source,
                                                     const std::string& hash) {
  for (auto it = FileLoads(); !it.empty(); it.pop_back()) {
    if (it.back().source == source && it.back().hash == hash) return it.back();
  }
  return std::nullopt;
}

int64_t SqliteJobStore::StartFileLoad(const FileLoad& load) {
  Statement q(db_.handle(),
              "INSERT INTO zload_files (source, path, size, hash, rows, status) "
              "VALUES (?1, ?2, ?3, ?4, 0, 'loading')");
  q.BindText(1, load.source);
  q.BindText(2, load.path);
  q.BindInt(3, load.size);
  q.BindText(4, load.hash);
  q.Run();
  return sqlite3_last_insert_rowid(db_.handle());
}

void SqliteJobStore::UpdateFileLoad(int64_t id, int64_t rows, const std::string& status) {
  Statement q(db_.handle(),
              "UPDATE zload_files SET rows = ?2, status = ?3, updated_at = datetime('now') "
              "WHERE id = ?1");
  q.BindInt(1, id);
  q.BindInt(2, rows);
  q.BindText(3, status);
  q.Run();
}

std::vector<FileLoad> SqliteJobStore::FileLoads() {
  Statement q(db_.handle(),
              "SELECT id, source, path, size, hash, rows, status FROM zload_files ORDER BY id");
  std::vector<FileLoad> out;
  while (q.Step()) {
    out.push_back({q.ColumnInt(0), std::string(q.ColumnText(1)), std::string(q.ColumnText(2)),
                   q.ColumnInt(3), std::string(q.ColumnText(4)), q.ColumnInt(5),
                   std::string(q.ColumnText(6))});
  }
  return out;
}

std::map<std::string, int64_t> SqliteJobStore::LastUpdates() {
  Statement q(db_.handle(), "SELECT table_name, t FROM last_update");
  std::map<std::string, int64_t> out;
  while (q.Step()) out.emplace(std::string(q.ColumnText(0)), q.ColumnInt(1));
  return out;
}

void SqliteJobStore::SetLastUpdates(const std::vector<std::string>& tables, int64_t time) {
  Statement set(db_.handle(),
                "INSERT INTO last_update (table_name, t) VALUES (?1, ?2) "
                "ON CONFLICT(table_name) DO UPDATE SET t = max(t, excluded.t)");
  for (const std::string& table : tables) {
    set.Reset();
    set.BindText(1, table);
    set.BindInt(2, time);
    set.Run();
  }
}

void SqliteJobStore::PutJournalEntry(const JournalEntry& e) {
  Statement q(
      db_.handle(),
      "INSERT OR REPLACE INTO zload_journal (time, load_id, first_record, records, status, "
      "rows, error, inserts, deletes, frontier) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10)");
  q.BindInt(1, e.time);
  q.BindInt(2, e.load_id);
  q.BindInt(3, e.first_record);
  q.BindInt(4, e.records);
  q.BindText(5, e.status);
  q.BindInt(6, e.rows);
  q.BindText(7, e.error);
  q.BindInt(8, e.inserts);
  q.BindInt(9, e.deletes);
  q.BindInt(10, e.frontier);
  q.Run();
}

std::vector<JournalEntry> SqliteJobStore::Journal() {
  Statement q(db_.handle(),
              "SELECT time, load_id, first_record, records, status, rows, error, inserts, deletes, "
              "frontier FROM zload_journal ORDER BY time");
  std::vector<JournalEntry> out;
  while (q.Step()) {
    out.push_back({q.ColumnInt(0), q.ColumnInt(1), q.ColumnInt(2), q.ColumnInt(3),
                   std::string(q.ColumnText(4)), q.ColumnInt(5), std::string(q.ColumnText(6)),
                   q.ColumnInt(7), q.ColumnInt(8), q.ColumnInt(9)});
  }
  return out;
}

void SqliteJobStore::PutBatchDelta(int64_t time, const std::string& name, const ZSet& delta) {
  // One row of weight 0 holding the whole delta as a Z-set block (an empty one says the vertex
  // ran and its delta was empty), encoded at once and written with the held writes, if any.
  std::string block;
  EncodeZSetBlock(delta, block);
  auto write = [this, time, name, block = std::move(block)] {
    Statement q(db_.handle(),
                "INSERT INTO zload_batch_deltas (time, name, row, weight) VALUES (?1, ?2, ?3, 0)");
    q.BindInt(1, time);
    q.BindText(2, name);
    q.BindBlob(3, block.data(), block.size());
    q.Run();
  };
  HeldWrites& held = state_.held_writes();
  if (held.holding()) {
    held.Add(&statements_, std::move(write));
  } else {
    write();
  }
}

std::optional<ZSet> SqliteJobStore::FindBatchDelta(int64_t time, const std::string& name) {
  state_.held_writes().BeforeRead(&statements_);  // stands for zload_batch_deltas
  Statement q(db_.handle(),
              "SELECT row, weight FROM zload_batch_deltas WHERE time = ?1 AND name = ?2");
  q.BindInt(1, time);
  q.BindText(2, name);
  std::optional<ZSet> out;
  while (q.Step()) {
    if (!out) out.emplace();
    // Weight 0: a Z-set block; otherwise one row of the delta (as stores written before blocks
    // keep them).
    const int64_t weight = q.ColumnInt(1);
    if (weight != 0) {
      out->Add(DecodeRow(q.ColumnBlob(0)), weight);
    } else {
      for (auto& [row, w] : DecodeZSetBlock(q.ColumnBlob(0))) out->Add(row, w);
    }
  }
  return out;
}

void SqliteJobStore::DropBatchDeltas(int64_t time) {
  Statement q(db_.handle(), "DELETE FROM zload_batch_deltas WHERE time = ?1");
  q.BindInt(1, time);
  q.Run();
}

}  // namespace zload
