#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/error.h"
#include "loader/input_row.h"

namespace zload {

// The lines a coordinator and its worker processes exchange over the workers' stdin and stdout:
// one JSON object per line, told apart by its "type".

// Coordinator -> worker: parse and apply one batch of one source at a logical time.
struct BatchOrder {
  int64_t id = 0;      // the batch's position in the job, from 0
  size_t source = 0;   // index of the [[source]] in the job config
  std::string file;    // the file to read (the config's, or a copy of stdin)
  std::string header;  // CSV: the header record's text; empty for JSONL
  uint64_t begin = 0;  // the batch's byte range: whole records in [begin, end)
  uint64_t end = 0;
  int64_t first_line = 1;  // the physical line where `begin` lies
  int64_t time = 0;        // input_time: the batch's logical time
  int64_t frontier = 0;    // the previous batch's time
  // The previous batch is known to have closed its time (every table's last_update is at least
  // the frontier): no need to wait for it.
  bool frontier_closed = false;
  int64_t load_id = 0;       // the file load it belongs to (for the journal)
  int64_t first_record = 0;  // records of the file before this batch
  int64_t records = 0;       // records in the batch
  // When set: do not apply the batch; close its time (every table's last_update) and journal it
  // as skipped with this reason.
  std::optional<std::string> skip;
};

// Coordinator -> worker: apply the batch that reported ready (go), or leave it unapplied.
struct BatchDecision {
  int64_t id = 0;
  bool go = false;
  bool frontier_closed = false;  // as BatchOrder::frontier_closed, known by now
};

// A row a worker found bad, with why.
struct RejectedRow {
  InputRow row;  // raw text, line and offset (values are not sent)
  Error error;
};

// Worker -> coordinator: parsed and checked against the store; waits for a decision.
struct BatchReady {
  int64_t id = 0;
  std::vector<RejectedRow> rejects;  // in file order
};

// Worker -> coordinator: applied and committed.
struct BatchDone {
  int64_t id = 0;
  int64_t rows = 0;  // good rows applied
  int64_t inserts = 0;
  int64_t deletes = 0;
  std::vector<int64_t> view_changes;  // rows of delta written to each view table, config order
  // Each view's share of the time spent applying the batch when views read it (ViewSeconds),
  // config order; empty when none does.
  std::vector<double> view_seconds;
};

// Worker -> coordinator: the batch failed; with flush_every_set = false nothing of it applied.
struct BatchFailed {
  int64_t id = 0;
  Error error;
};

// Worker -> coordinator: stopped without applying, as decided.
struct BatchStopped {
  int64_t id = 0;
};

using WorkerReport = std::variant<BatchReady, BatchDone, BatchFailed, BatchStopped>;
using CoordinatorOrder = std::variant<BatchOrder, BatchDecision>;

// One line (without its newline) for each message.
std::string EncodeOrder(const CoordinatorOrder& order);
std::string EncodeReport(const WorkerReport& report);
// Parses a line. Throws Error(kWorkerDied) naming the text for anything that is not a message.
CoordinatorOrder DecodeOrder(const std::string& line);
WorkerReport DecodeReport(const std::string& line);

}  // namespace zload
