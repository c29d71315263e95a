#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loader/batch_cutter.h"
#include "loader/file_hash.h"
#include "loader/job.h"
#include "loader/job_runner.h"
#include "loader/reconnecting_store.h"
#include "loader/spooled_stdin.h"
#include "stores/job_store.h"

namespace zload {

// One source's file as the cursor cuts it.
struct CutSource {
  Job::Source* source = nullptr;
  std::string file;                     // the path workers read (stdin's spool for "-")
  bool registered = false;              // its load is recorded in the file registry
  int64_t load_id = 0;                  // that load
  int64_t rows_before = 0;              // good rows applied by earlier runs (resume)
  bool complete_before = false;         // an earlier run loaded the whole file (resume)
  bool cut_all = false;                 // the file was cut to its end
  std::optional<uint64_t> total_bytes;  // the file's size, once registered
  std::string header;                   // CSV: the header text readers of its ranges need
};

// A job's input as a sequence of batch ranges: its sources' files one after another, each cut
// into ranges of whole records (at most batch_rows each), each file registered in the store's
// file registry before its first range (or, with options.resume, continued after the records
// the journal has as loaded; a file loaded completely is passed over), and at most
// options.limit records in all. Stdin is spooled to a file first. Not thread-safe.
class SourceCursor {
 public:
  // One range of one source, with the number of its first record in the file.
  struct Cut {
    size_t source = 0;
    BatchRange range;
    int64_t first_record = 0;
    std::string header;  // CSV: the header text the range's reader needs
  };

  // Prepares the sources of `job` (spooling stdin); registers files through `store` as their
  // turns come and then calls on_register(source). `job` and `store` must outlive the cursor
  // (what it needs of `options` is copied).
  SourceCursor(Job& job, const RunOptions& options, int64_t batch_rows, ReconnectingStore& store,
               std::function<void(size_t source)> on_register);
  ~SourceCursor();
  SourceCursor(const SourceCursor&) = delete;
  SourceCursor& operator=(const SourceCursor&) = delete;

  // The next range, registering its file first when it is that file's turn; nullopt once every
  // file is cut or the limit is used up. Throws Error as RegisterFile, FindResumePoint and
  // BatchCutter do, naming the file, and Error(kConfig) when a resumed file holds fewer records
  // than the journal has as loaded.
  std::optional<Cut> Next();

  // Cuts the next range ahead of time (and, once the current file is cut to its end, checks the
  // next file and cuts its first range), so that a later Next() does not scan for it. Not under a
  // limit, which sizes the last range, nor on resume for the next file. A failure reading ahead
  // is left for Next() to meet again and report.
  void CutAhead();

  // The range of `entry`'s batch (an earlier run's batch left partly applied; its load one of
  // `loads`), cut again from its source's file. Throws Error(kConfig) when the load is not of a
  // source of this job or the file holds fewer records now.
  Cut Recut(const JournalEntry& entry, const std::vector<FileLoad>& loads) const;

  // Source `i` (in job order) as cut so far.
  const CutSource& source(size_t i) const { return sources_.at(i); }
  // The number of sources.
  size_t size() const { return sources_.size(); }

 private:
  struct Cutting : CutSource {
    std::unique_ptr<SpooledStdin> spool;
    std::unique_ptr<BatchCutter> cutter;
    std::optional<std::optional<BatchRange>> precut;  // cut ahead (nullopt inside: the end)
    std::optional<FileFingerprint> fingerprint;       // read ahead of the file's turn
    bool read_ahead = false;                          // reading ahead was tried (once)
    int64_t records_cut = 0;  // records cut, or applied by earlier runs (resume)
  };

  std::unique_ptr<BatchCutter> NewCutter(const CutSource& s) const;
  void Register(Cutting& s);  // records s's load (or finds where to resume it)
  void ReadAhead(Cutting& s);

  const bool resume_;  // options.resume
  const bool reload_;  // options.reload
  const std::function<void(size_t)> on_register_;
  const int64_t batch_rows_;
  ReconnectingStore& store_;
  std::optional<int64_t> remaining_;  // records the limit leaves
  std::vector<Cutting> sources_;
  size_t current_ = 0;  // the source being cut
};

}  // namespace zload
