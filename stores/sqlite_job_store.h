#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "stores/job_store.h"
#include "stores/sqlite_db.h"
#include "stores/sqlite_store.h"

namespace zload {

// How often CheckpointInBackground() copies the log into the database: ten times a second keeps
// the log to the pages of a few batches, so a writer can restart it often.
inline constexpr std::chrono::milliseconds kBackgroundCheckpointPeriod{100};

// A JobStore in one SQLite file (layout in stores/FORMATS.md). Delay-vertex state is read and
// written through SQLite (not mirrored in memory), so memory stays flat in the state's size and
// a small delta reads only the keys it touches. Not thread-safe.
class SqliteJobStore : public JobStore {
 public:
  // Opens or creates the database file at `path`. Throws Error(kIo) when it cannot.
  explicit SqliteJobStore(const std::string& path);
  ~SqliteJobStore() override;

  StateStore& state() override { return state_; }
  int StateLayoutVersion() const override { return 4; }
  void Begin() override;
  void Commit() override;
  void Rollback() override;
  void BeginHoldingWrites() override;
  void WriteHeld() override;
  void WaitApart(const std::function<void()>& wait) override;
  void LeaveCheckpoints() override;
  // A SqliteLogCheckpointer of the store's file, every kBackgroundCheckpointPeriod.
  std::unique_ptr<BackgroundWork> CheckpointInBackground() override;

  void CreateBaseTable(const SourceDefinition& source, const Schema& schema, bool deletes) override;
  ZSet LookupBaseRows(const std::string& source, const std::vector<Row>& keys) override;
  std::vector<int64_t> CountBaseRows(const std::string& source,
                                     const std::vector<Row>& rows) override;
  void ApplyToBaseTable(const std::string& source, const ZSet& delta) override;
  void InsertBaseRows(const std::string& source, const std::vector<Row>& rows) override;
  std::unique_ptr<StateTable> OpenBaseRelationState(const BaseRelation& relation,
                                                    const StateTableSpec& spec) override;

  void CreateViewTable(const std::string& name, const Schema& schema) override;
  void CreateKeyedViewTable(const std::string& name, const Schema& schema,
                            const std::vector<size_t>& key) override;
  void ApplyToViewTable(const std::string& name, const ZSet& delta) override;
  void DropView(const std::string& name) override;

  ZSet ReadTable(const std::string& name, bool is_view) override;
  std::optional<Schema> TableSchema(const std::string& name) override;

  std::optional<SourceDefinition> FindSource(const std::string& name) override;
  void PutSource(const SourceDefinition& source) override;
  std::optional<ViewDefinition> FindView(const std::string& name) override;
  void PutView(const ViewDefinition& view) override;
  std::vector<ViewDefinition> Views() override;

  std::optional<FileLoad> FindFileLoad(const std::string& source, const std::string& hash) override;
  int64_t StartFileLoad(const FileLoad& load) override;
  void UpdateFileLoad(int64_t id, int64_t rows, const std::string& status) override;
  std::vector<FileLoad> FileLoads() override;
  void PutJournalEntry(const JournalEntry& entry) override;
  std::vector<JournalEntry> Journal() override;
  void PutBatchDelta(int64_t time, const std::string& name, const ZSet& delta) override;
  std::optional<ZSet> FindBatchDelta(int64_t time, const std::string& name) override;
  void DropBatchDeltas(int64_t time) override;
  std::map<std::string, int64_t> LastUpdates() override;
  void SetLastUpdates(const std::vector<std::string>& tables, int64_t time) override;

  sqlite::Database& database() { return db_; }

 private:
  struct TableStatements;
  TableStatements& Statements(const std::string& table);
  void Insert(TableStatements& s, const std::vector<const Row*>& rows);

  sqlite::Database db_;
  SqliteStore state_;
  bool in_transaction_ = false;
  std::map<std::string, std::unique_ptr<TableStatements>> statements_;
};

}  // namespace zload
