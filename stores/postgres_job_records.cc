// PostgresJobStore's bookkeeping: the catalog of sources and views, the file registry,
// last_update, the journal and the deltas of batches in flight. Its tables are created with the
// store (postgres_job_store.cc).
#include <fmt/format.h>

#include "engine/error.h"
#include "stores/postgres_job_store.h"
#include "stores/postgres_values.h"
#include "stores/row_codec.h"

namespace zload {
namespace {

using postgres::ArrayLiteral;

// A CTE that makes the commit of its statement's transaction return before its WAL is flushed
// to disk. WAL is flushed in order, so the next commit that waits for its flush (a file's end,
// a batch's failure) makes this one durable first.
constexpr const char* kRelaxedCommit =
    "relaxed AS (SELECT pg_catalog.set_config('synchronous_commit', 'off', true))";
// A journal entry from parameters $1 .. $10 (JournalEntry's fields in order), replacing the
// entry of its time: the INSERT's head (a FROM may follow) and its conflict clause.
constexpr const char* kJournalInsert =
    "INSERT INTO zload_journal (time, load_id, first_record, records, status, rows, error, "
    "inserts, deletes, frontier) SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, "
    "$5::text, $6::bigint, $7::text, $8::bigint, $9::bigint, $10::bigint";
constexpr const char* kJournalUpsert =
    "ON CONFLICT (time) DO UPDATE SET load_id = excluded.load_id, first_record = "
    "excluded.first_record, records = excluded.records, status = excluded.status, rows = "
    "excluded.rows, error = excluded.error, inserts = excluded.inserts, deletes = "
    "excluded.deletes, frontier = excluded.frontier, updated_at = clock_timestamp()";
// Moves the last_update of the tables named in the text[] parameter $N to the bigint parameter
// $T, unless later already (format with N, T and a FROM clause or "").
constexpr const char* kLastUpdateUpsert =
    "INSERT INTO last_update (table_name, t) SELECT unnest(${}::text[]), ${}::bigint {}ON "
    "CONFLICT (table_name) DO UPDATE SET t = GREATEST(last_update.t, excluded.t)";

}  // namespace

std::optional<SourceDefinition> PostgresJobStore::FindSource(const std::string& name) {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared("SELECT schema, primary_key FROM zload_sources WHERE name = $1"), name);
  });
  if (r.empty()) return std::nullopt;
  return SourceDefinition{name, r[0][0].c_str(), PrimaryKeyFromText(r[0][1].c_str())};
}

void PostgresJobStore::PutSource(const SourceDefinition& source) {
  db_.Write([&](pqxx::transaction_base& tx) {
    tx.exec_prepared(db_.Prepared("INSERT INTO zload_sources (name, schema, primary_key) VALUES "
                                  "($1, $2, $3) ON CONFLICT (name) DO UPDATE SET schema = "
                                  "excluded.schema, primary_key = excluded.primary_key"),
                     source.name, source.schema, PrimaryKeyText(source.primary_key));
  });
}

std::optional<ViewDefinition> PostgresJobStore::FindView(const std::string& name) {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(db_.Prepared("SELECT sql, shape FROM zload_views WHERE name = $1"),
                            name);
  });
  if (r.empty()) return std::nullopt;
  return ViewDefinition{name, r[0][0].c_str(), r[0][1].c_str()};
}

std::vector<ViewDefinition> PostgresJobStore::Views() {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared("SELECT name, sql, shape FROM zload_views ORDER BY name COLLATE \"C\""));
  });
  std::vector<ViewDefinition> out;
  for (const auto& row : r) out.push_back({row[0].c_str(), row[1].c_str(), row[2].c_str()});
  return out;
}

void PostgresJobStore::PutView(const ViewDefinition& view) {
  db_.Write([&](pqxx::transaction_base& tx) {
    tx.exec_prepared(
        db_.Prepared("INSERT INTO zload_views (name, sql, shape) VALUES ($1, $2, $3) ON CONFLICT "
                     "(name) DO UPDATE SET sql = excluded.sql, shape = excluded.shape"),
        view.name, view.sql, view.shape);
  });
}

namespace {

constexpr const char* kFileColumns = "id, source, path, size, hash, rows, status";

FileLoad FileLoadOf(const pqxx::row& r) {
  return {r[0].as<int64_t>(), r[1].c_str(),       r[2].c_str(), r[3].as<int64_t>(),
          r[4].c_str(),       r[5].as<int64_t>(), r[6].c_str()};
}

}  // namespace

std::optional<FileLoad> PostgresJobStore::FindFileLoad(const std::string& source,
                                                       const std::string& hash) {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared(fmt::format("SELECT {} FROM zload_files WHERE source = $1 AND hash = $2 "
                                 "ORDER BY id DESC LIMIT 1",
                                 kFileColumns)),
        source, hash);
  });
  if (r.empty()) return std::nullopt;
  return FileLoadOf(r[0]);
}

int64_t PostgresJobStore::StartFileLoad(const FileLoad& load) {
  return db_.Write([&](pqxx::transaction_base& tx) {
    return tx
        .exec_prepared(db_.Prepared("INSERT INTO zload_files (source, path, size, hash, rows, "
                                    "status) VALUES ($1, $2, $3, $4, 0, 'loading') RETURNING id"),
                       load.source, load.path, load.size, load.hash)[0][0]
        .as<int64_t>();
  });
}

void PostgresJobStore::UpdateFileLoad(int64_t id, int64_t rows, const std::string& status) {
  // Progress ("loading") outside a transaction: one statement that commits by itself, relaxed.
  const bool relaxed = status == "loading" && !db_.in_transaction();
  auto update = [&](pqxx::transaction_base& tx) {
    tx.exec_prepared(
        db_.Prepared(fmt::format("{}UPDATE zload_files SET rows = $2, status = $3, updated_at = "
                                 "clock_timestamp() {}WHERE id = $1",
                                 relaxed ? fmt::format("WITH {} ", kRelaxedCommit) : "",
                                 relaxed ? "FROM relaxed " : "")),
        id, rows, status);
  };
  if (relaxed) {
    db_.Read(update);
  } else {
    db_.Write(update);
  }
}

std::vector<FileLoad> PostgresJobStore::FileLoads() {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared(fmt::format("SELECT {} FROM zload_files ORDER BY id", kFileColumns)));
  });
  std::vector<FileLoad> out;
  for (const auto& row : r) out.push_back(FileLoadOf(row));
  return out;
}

std::map<std::string, int64_t> PostgresJobStore::LastUpdates() {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(db_.Prepared("SELECT table_name, t FROM last_update"));
  });
  std::map<std::string, int64_t> out;
  for (const auto& row : r) out.emplace(row[0].as<std::string>(), row[1].as<int64_t>());
  return out;
}

void PostgresJobStore::SetLastUpdates(const std::vector<std::string>& tables, int64_t time) {
  if (tables.empty()) return;
  postgres::ArrayLiteral names;
  for (const std::string& table : tables) names.Add(table);
  // Every batch's transaction moves last_update, so all of them commit relaxed (see
  // JobStore::SetLastUpdates).
  db_.Write([&](pqxx::transaction_base& tx) {
    tx.exec_prepared(
        db_.Prepared(fmt::format("WITH {} {}", kRelaxedCommit,
                                 fmt::format(kLastUpdateUpsert, 1, 2, "FROM relaxed "))),
        names.str(), time);
  });
}

void PostgresJobStore::PutJournalEntry(const JournalEntry& e) {
  // A "taken" entry outside a transaction: one statement that commits by itself, relaxed.
  const bool relaxed = e.status == "taken" && !db_.in_transaction();
  auto put = [&](pqxx::transaction_base& tx) {
    tx.exec_prepared(
        db_.Prepared(relaxed ? fmt::format("WITH {} {} FROM relaxed {}", kRelaxedCommit,
                                           kJournalInsert, kJournalUpsert)
                             : fmt::format("{} {}", kJournalInsert, kJournalUpsert)),
        e.time, e.load_id, e.first_record, e.records, e.status, e.rows, e.error, e.inserts,
        e.deletes, e.frontier);
  };
  if (relaxed) {
    db_.Read(put);
  } else {
    db_.Write(put);
  }
}

void PostgresJobStore::CloseBatch(const std::vector<std::string>& tables, const JournalEntry& e) {
  postgres::ArrayLiteral names;
  for (const std::string& table : tables) names.Add(table);
  db_.Write([&](pqxx::transaction_base& tx) {
    // A data-modifying WITH runs once, whole, whether or not the INSERT reads it.
    tx.exec_prepared(
        db_.Prepared(fmt::format("WITH {}, advanced AS ({}) {} FROM relaxed {}", kRelaxedCommit,
                                 fmt::format(kLastUpdateUpsert, 11, 1, ""), kJournalInsert,
                                 kJournalUpsert)),
        e.time, e.load_id, e.first_record, e.records, e.status, e.rows, e.error, e.inserts,
        e.deletes, e.frontier, names.str());
  });
}

std::vector<JournalEntry> PostgresJobStore::Journal() {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared("SELECT time, load_id, first_record, records, status, rows, error, "
                     "inserts, deletes, frontier FROM zload_journal ORDER BY time"));
  });
  std::vector<JournalEntry> out;
  for (const auto& row : r) {
    out.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                   row[3].as<int64_t>(), row[4].as<std::string>(), row[5].as<int64_t>(),
                   row[6].as<std::string>(), row[7].as<int64_t>(), row[8].as<int64_t>(),
                   row[9].as<int64_t>()});
  }
  return out;
}

void PostgresJobStore::PutBatchDelta(int64_t time, const std::string& name, const ZSet& delta) {
  // One row of weight 0 holding the whole delta as a Z-set block (an empty one says the vertex
  // ran and its delta was empty), sent as a binary parameter.
  std::string block;
  EncodeZSetBlock(delta, block);
  const pqxx::binarystring bytes(block);
  db_.Write([&](pqxx::transaction_base& tx) {
    tx.exec_prepared(db_.Prepared("INSERT INTO zload_batch_deltas (time, name, row, weight) "
                                  "VALUES ($1, $2, $3, 0)"),
                     time, name, bytes);
  });
}

std::optional<ZSet> PostgresJobStore::FindBatchDelta(int64_t time, const std::string& name) {
  pqxx::result r = db_.Read([&](pqxx::transaction_base& tx) {
    return tx.exec_prepared(
        db_.Prepared("SELECT row, weight FROM zload_batch_deltas WHERE time = $1 AND name = $2"),
        time, name);
  });
  std::optional<ZSet> out;
  for (const auto& row : r) {
    if (!out) out.emplace();
    // Weight 0: a Z-set block; otherwise one row of the delta (as stores written before blocks
    // keep them).
    const int64_t weight = row[1].as<int64_t>();
    const std::string bytes = postgres::FromByteaText({row[0].c_str(), row[0].size()});
    if (weight != 0) {
      out->Add(DecodeRow(bytes), weight);
    } else {
      for (auto& [entry, w] : DecodeZSetBlock(bytes)) out->Add(entry, w);
    }
  }
  return out;
}

void PostgresJobStore::DropBatchDeltas(int64_t time) {
  db_.Write([&](pqxx::transaction_base& tx) {
    tx.exec_prepared(db_.Prepared("DELETE FROM zload_batch_deltas WHERE time = $1"), time);
  });
}

}  // namespace zload
