#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "loader/file_hash.h"
#include "loader/job_config.h"
#include "stores/job_store.h"

namespace zload {

// Records the start of a load of `source`'s file in `store` and returns its id. Refuses
// (Error(kConfig) naming the file) a file whose content this store has loaded completely, or
// whose earlier load was interrupted, unless `reload`. Stdin is never refused.
int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload);
// The same for a file whose fingerprint was read already. REQUIRES: source.file is not stdin.
int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload,
                     const FileFingerprint& fingerprint);

// Refuses, before a run loads anything, what RegisterFile would refuse of `sources` when their
// turn came: a file whose earlier load into its source was interrupted, and a file of the same
// path, size and content as a complete earlier load into its source (only such files are read
// to hash them here). The same content under another path is still refused at its turn.
void RefuseRepeatedFiles(JobStore& store, const std::vector<const SourceConfig*>& sources);

// Where a resumed run starts one source's file.
struct ResumePoint {
  bool complete = false;           // the file's latest load finished: nothing to do
  std::optional<int64_t> load_id;  // the unfinished load to continue; nullopt: a new load
  int64_t first_record = 0;        // records of the file applied (or rejected) already
  int64_t rows = 0;                // good rows of the file applied already
};

// What the store's file registry and journal say about `source`'s file for `zload resume`: its
// latest load is complete, unfinished (continue after the batches the journal has as done), or
// missing (load it anew). Throws Error(kConfig) naming the file when it changed (size or content
// hash) since that load, or when the source reads stdin, which cannot be read again.
ResumePoint FindResumePoint(JobStore& store, const SourceConfig& source);

// Marks the batches an earlier run took but never finished ("taken" or "applying" in the
// journal) and that left nothing in the store as failed: their transactions were rolled back.
// Returns, in time order, those it leaves alone because they were partly applied (a worker
// committing per delay vertex got part of the way: a table holds their time); `zload resume`
// finishes them at their times. REQUIRES: no other run of the job is active on the store.
std::vector<JournalEntry> CloseAbandonedBatches(JobStore& store);

// The latest logical time the store records (journal and last_update), 0 when none.
int64_t LatestTime(JobStore& store);

}  // namespace zload
