#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/schema.h"
#include "engine/state_store.h"
#include "engine/zset.h"
#include "stores/base_relation.h"
#include "stores/base_row_stream.h"

namespace zload {

// A view as recorded in a store's catalog.
struct ViewDefinition {
  std::string name;
  std::string sql;    // the SELECT as written
  std::string shape;  // the compiled graph's rendering: a change means old state is unusable
};

// A source (base table) as recorded in a store's catalog.
struct SourceDefinition {
  std::string name;
  std::string schema;                    // the schema text, normalized
  std::vector<std::string> primary_key;  // column names
};

// A primary key as the catalog's zload_sources.primary_key holds it: the column names joined
// by commas ("" for none), and back.
std::string PrimaryKeyText(const std::vector<std::string>& columns);
std::vector<std::string> PrimaryKeyFromText(std::string_view text);

// One input file's load as recorded in a store.
struct FileLoad {
  int64_t id = 0;
  std::string source;
  std::string path;
  int64_t size = 0;
  std::string hash;    // hex content hash
  int64_t rows = 0;    // rows applied so far
  std::string status;  // "loading", "complete" or "interrupted"
};

// One batch as the journal records it.
struct JournalEntry {
  int64_t time = 0;          // the batch's logical time: unique in a store
  int64_t load_id = 0;       // the file load (FileLoad::id) it belongs to
  int64_t first_record = 0;  // records of that file before the batch's first
  int64_t records = 0;       // records in the batch, good and bad
  std::string status;        // "taken", "done", "skipped" or "failed"
  int64_t rows = 0;          // good rows applied ("done")
  std::string error;         // why it failed or was skipped
  int64_t inserts = 0;       // of `rows`: inserts
  int64_t deletes = 0;       // of `rows`: deletes
  int64_t frontier = 0;      // the previous batch's time when it was handed out
};

// Work a store does in the background while this lives; destroying it stops the work.
class BackgroundWork {
 public:
  virtual ~BackgroundWork() = default;
};

// Everything a job keeps in its store besides delay-vertex state: typed base tables holding the
// loaded rows, typed view tables (the view's columns plus `_count_`, the row's weight), a catalog
// of source and view definitions, and a registry of loaded files. Writes between Begin() and
// Commit() are atomic; Rollback() undoes them. Implemented by SQLite (and PostgreSQL) stores.
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Where delay vertices keep their state, in this store.
  virtual StateStore& state() = 0;
  // The version of the layout of its state tables: a view whose state was written under
  // another one is recomputed, not misread (2: group accumulators keyed by group, join sides
  // read from base tables on SQLite; SQLite 3: keyed tables ordered by key; PostgreSQL 3: join
  // sides and MIN/MAX values read from base tables; 4: keys of one INTEGER value in a table keyed
  // by that integer; stores/FORMATS.md).
  virtual int StateLayoutVersion() const { return 2; }

  virtual void Begin() = 0;
  virtual void Commit() = 0;
  // Undoes everything since Begin(); any in-memory caches of state are dropped.
  virtual void Rollback() = 0;
  // Opens a transaction (as Begin()) for a step that reads delay-vertex state and then writes
  // it. Where writers exclude one another for a whole transaction (SQLite), it reads without the
  // write lock and holds the state's writes back until WriteHeld(), so that other connections
  // write meanwhile; what it reads must not be written by others before its commit.
  virtual void BeginHoldingWrites() { Begin(); }
  // Takes the write lock for a transaction BeginHoldingWrites() opened and applies the held
  // writes in order; later writes go to the store at once. Nothing elsewhere.
  virtual void WriteHeld() {}
  // Runs `wait` (which polls for other connections' commits) so that the open transaction's
  // later reads see what they committed: within it where every statement reads the latest
  // commits (PostgreSQL); a transaction of BeginHoldingWrites() that has not yet written (SQLite)
  // ends its reads before and reads again after.
  virtual void WaitApart(const std::function<void()>& wait) { wait(); }

  // Creates the base table for `source` unless it exists. With a primary key, the key columns
  // are indexed and unique; with `deletes`, rows can be found by all their columns quickly.
  virtual void CreateBaseTable(const SourceDefinition& source, const Schema& schema,
                               bool deletes) = 0;
  // The stored rows whose primary-key columns equal one of `keys` (each key in primary-key
  // order), with their weights. REQUIRES: the source has a primary key.
  virtual ZSet LookupBaseRows(const std::string& source, const std::vector<Row>& keys) = 0;
  // The number of stored copies of each row, in order.
  virtual std::vector<int64_t> CountBaseRows(const std::string& source,
                                             const std::vector<Row>& rows) = 0;
  // Applies a delta to a base table: weight w > 0 inserts w copies, w < 0 deletes -w copies.
  // REQUIRES: enough copies exist for every delete.
  virtual void ApplyToBaseTable(const std::string& source, const ZSet& delta) = 0;

  // Inserts one copy of each row (a faster ApplyToBaseTable for a delta of inserts only).
  virtual void InsertBaseRows(const std::string& source, const std::vector<Row>& rows) = 0;
  // Inserts rows into `source`'s table as they are added to the stream returned (no other call
  // on this store until its Finish()). REQUIRES: a transaction opened by Begin().
  virtual std::unique_ptr<BaseRowStream> StreamBaseRows(const std::string& source) {
    return std::make_unique<BufferedBaseRowStream>(*this, source);
  }
  // True when other connections can write to the store while this one holds a transaction with
  // writes open, so that a transaction may wait for another one's commit without blocking it.
  virtual bool ConcurrentWriters() const { return false; }
  // From now on this connection's commits leave the copying of a write-ahead log into the
  // database to another connection's CheckpointInBackground() (SQLite); nothing elsewhere.
  virtual void LeaveCheckpoints() {}
  // Copies the store's write-ahead log into the database from a thread of this process until
  // the result is destroyed, for writers that LeaveCheckpoints(); nullptr for a store whose
  // server does that itself (PostgreSQL).
  virtual std::unique_ptr<BackgroundWork> CheckpointInBackground() { return nullptr; }

  // State described by `spec` served by the base tables `relation` reads (the state is that
  // relation's integral), or nullptr when this store keeps such state in a table of its own.
  // Reads see the base tables; Apply() writes nothing, so the caller must apply each delta to
  // its base table after the iteration that read it. REQUIRES: spec.arity is the relation's
  // width.
  virtual std::unique_ptr<StateTable> OpenBaseRelationState(const BaseRelation& relation,
                                                            const StateTableSpec& spec) {
    (void)relation;
    (void)spec;
    return nullptr;
  }

  // Creates the table of view `name` with `schema` plus `_count_` unless it exists.
  virtual void CreateViewTable(const std::string& name, const Schema& schema) = 0;
  // Like CreateViewTable, for a view whose rows are identified by the columns at `key` (no two
  // rows share them; each has weight 1): a store may keep the table unique by them and replace
  // rows in place.
  virtual void CreateKeyedViewTable(const std::string& name, const Schema& schema,
                                    const std::vector<size_t>& key) {
    (void)key;
    CreateViewTable(name, schema);
  }
  // Adds `delta`'s weights to the view table's `_count_`; rows reaching 0 are removed.
  virtual void ApplyToViewTable(const std::string& name, const ZSet& delta) = 0;
  // Drops a view's table and every state table whose name starts with "<name>__".
  virtual void DropView(const std::string& name) = 0;

  // Reads a whole table: for a view, rows with their `_count_` as weight; for a base table,
  // each stored copy adds 1.
  virtual ZSet ReadTable(const std::string& name, bool is_view) = 0;
  // The column names and declared types of a table, or nullopt when it does not exist.
  virtual std::optional<Schema> TableSchema(const std::string& name) = 0;

  virtual std::optional<SourceDefinition> FindSource(const std::string& name) = 0;
  virtual void PutSource(const SourceDefinition& source) = 0;
  virtual std::optional<ViewDefinition> FindView(const std::string& name) = 0;
  virtual void PutView(const ViewDefinition& view) = 0;
  // Every view in the catalog, ordered by name.
  virtual std::vector<ViewDefinition> Views() = 0;

  // The most recent load of a file with this content hash into `source`, if any.
  virtual std::optional<FileLoad> FindFileLoad(const std::string& source,
                                               const std::string& hash) = 0;
  // Records a new load (status "loading") and returns its id.
  virtual int64_t StartFileLoad(const FileLoad& load) = 0;
  // Updates the rows applied and the status of load `id`.
  virtual void UpdateFileLoad(int64_t id, int64_t rows, const std::string& status) = 0;
  // Every recorded load, oldest first.
  virtual std::vector<FileLoad> FileLoads() = 0;

  // Records `entry`, replacing the entry of the same time.
  virtual void PutJournalEntry(const JournalEntry& entry) = 0;
  // Every journal entry, by time.
  virtual std::vector<JournalEntry> Journal() = 0;
  // Keeps the delta `name` (a vertex's output, or a source's input) of the batch at `time`, so
  // that the batch run again at that time can use it instead of recomputing what was committed.
  virtual void PutBatchDelta(int64_t time, const std::string& name, const ZSet& delta) = 0;
  // The delta kept for (`time`, `name`), or nullopt.
  virtual std::optional<ZSet> FindBatchDelta(int64_t time, const std::string& name) = 0;
  // Drops every delta kept for the batch at `time`.
  virtual void DropBatchDeltas(int64_t time) = 0;

  // Every table's last_update: the time of the last batch done with it (state, view and base
  // tables alike), by table name. Sees committed data (and this connection's own writes).
  virtual std::map<std::string, int64_t> LastUpdates() = 0;
  // Sets the last_update of each of `tables` to `time`, unless it holds a later time already.
  // The transaction doing so (a batch's) may return from its commit before that commit is
  // durable, as a WAL-mode SQLite store with synchronous=NORMAL does: a crash of the machine or
  // of the server can lose the last such commits, each with its journal entry, never one
  // without those before it; a load's final status (UpdateFileLoad) makes them all durable.
  virtual void SetLastUpdates(const std::vector<std::string>& tables, int64_t time) = 0;
  // SetLastUpdates(tables, entry.time) and PutJournalEntry(entry), in the open transaction: what
  // a batch writes last before its commit.
  virtual void CloseBatch(const std::vector<std::string>& tables, const JournalEntry& entry) {
    SetLastUpdates(tables, entry.time);
    PutJournalEntry(entry);
  }
};

}  // namespace zload
