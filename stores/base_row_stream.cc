#include "stores/base_row_stream.h"

#include "stores/job_store.h"

namespace zload {

void BufferedBaseRowStream::Finish() {
  store_.InsertBaseRows(source_, rows_);
  rows_.clear();
}

}  // namespace zload
