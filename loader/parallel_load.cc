#include "loader/parallel_load.h"

#include "loader/batch_coordinator.h"

namespace zload {

void LoadWithWorkers(Job& job, JobStore& store, const RunConfig& run, const RunOptions& options,
                     ProgressBar& progress, RunSummary& summary,
                     const std::vector<JournalEntry>& partial) {
  BatchCoordinator(job, store, run, options, progress, summary, partial).Run();
}

}  // namespace zload
