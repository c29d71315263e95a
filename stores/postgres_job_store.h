#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stores/job_store.h"
#include "stores/postgres_db.h"
#include "stores/postgres_store.h"

namespace zload {

// A JobStore in one PostgreSQL database, over one connection, with the semantics of
// SqliteJobStore. Layout (in the connection's current schema):
// - base tables: the source's columns typed INTEGER -> bigint, REAL -> double precision,
//   TEXT -> text, BOOLEAN -> boolean, TIMESTAMP -> timestamp (without time zone, microseconds),
//   a column of no declared type -> bytea holding the row codec encoding of a one-value row;
//   the primary key as declared. Rows are copies: no hidden columns.
// - view tables: the view's columns typed as above, `_count_ bigint` (the row's weight) and
//   `_identity_ bytea PRIMARY KEY` (the identity of the row, stores/row_codec.h), by which
//   deltas find their rows; a keyed view's table (CreateKeyedViewTable) has instead
//   `_key_identity_ bytea PRIMARY KEY`, the identity of the row's key, whose comment names the
//   key's columns, and a row replacing another of its key is an upsert in place.
// - zload_sources, zload_views, zload_files: the catalog and the file registry.
// - the state tables and last_update of PostgresStore.
// Table and column names over 63 bytes (PostgreSQL's limit) are shortened with
// postgres::FitIdentifier; a view whose name is over 45 bytes then loses DropView's match of
// its state tables by prefix. Outside Begin()/Commit() each call commits by itself. TIMESTAMP
// values outside PostgreSQL's range (4713 BC to 294276 AD) are rejected with Error(kConstraint).
// Outside a transaction, a journal entry "taken" and a file's progress (status "loading") commit
// without waiting for their WAL to reach the disk: a server crash may lose them, but only
// together with every later commit, so the journal never shows a batch done that it lost.
// Not thread-safe.
class PostgresJobStore : public JobStore {
 public:
  // Connects to `url` (postgresql://... or postgres://...) and creates the catalog tables unless
  // they exist. Throws Error(kIo) when it cannot connect.
  explicit PostgresJobStore(const std::string& url);
  ~PostgresJobStore() override;

  StateStore& state() override { return state_; }
  // 3: a join's sides and a MIN/MAX's values are read from the base tables
  // (PostgresBaseRelationState) instead of kept in state tables of their own.
  int StateLayoutVersion() const override { return 4; }
  void Begin() override;
  void Commit() override;
  void Rollback() override;

  void CreateBaseTable(const SourceDefinition& source, const Schema& schema, bool deletes) override;
  ZSet LookupBaseRows(const std::string& source, const std::vector<Row>& keys) override;
  std::vector<int64_t> CountBaseRows(const std::string& source,
                                     const std::vector<Row>& rows) override;
  void ApplyToBaseTable(const std::string& source, const ZSet& delta) override;
  void InsertBaseRows(const std::string& source, const std::vector<Row>& rows) override;
  std::unique_ptr<StateTable> OpenBaseRelationState(const BaseRelation& relation,
                                                    const StateTableSpec& spec) override;
  // Rows go to the server with COPY as they are added. Throws Error(kInternal) outside Begin().
  std::unique_ptr<BaseRowStream> StreamBaseRows(const std::string& source) override;
  // Sessions of one PostgreSQL database insert into one table at once without waiting.
  bool ConcurrentWriters() const override { return true; }

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
  // Ordered by name byte by byte (COLLATE "C"), as SQLite orders them.
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
  // One statement (a round trip fewer than the two calls).
  void CloseBatch(const std::vector<std::string>& tables, const JournalEntry& entry) override;

  postgres::Database& database() { return db_; }

 private:
  struct TableInfo;
  // The shape of `table` and its statement texts, read from the catalog on first use. Throws
  // Error(kSchema) when there is no such table.
  TableInfo& Info(const std::string& table);
  void Insert(const TableInfo& t, const std::vector<const Row*>& rows);
  // ApplyToViewTable for a keyed view's table.
  void ApplyToKeyedViewTable(const TableInfo& t, const ZSet& delta);

  postgres::Database db_;
  PostgresStore state_;
  std::map<std::string, std::unique_ptr<TableInfo>> tables_;
};

}  // namespace zload
