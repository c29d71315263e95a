#include "loader/file_registration.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "loader/file_hash.h"

namespace zload {

int64_t RegisterFile(JobStore& store, const SourceConfig& source, bool reload) {
  FileLoad load{0, source.name, source.file, 0, "stdin", 0, "loading"};
  if (source.file != "-") {
    FileFingerprint fp = FingerprintFile(source.file);
    load.size = static_cast<int64_t>(fp.size);
    load.hash = fp.hash;
    if (!reload) {
      std::optional<FileLoad> earlier = store.FindFileLoad(source.name, fp.hash);
      for (const FileLoad& l : store.FileLoads()) {
        if (l.source == source.name && l.path == source.file && l.status != "complete") earlier = l;
      }
      if (earlier && earlier->status == "complete") {
        throw Error(ErrorCode::kConfig,
                    fmt::format("this store already holds this file's {} rows in source '{}' "
                                "(loaded from {}); loading it again would apply them twice: use "
                                "--reload to load it again on purpose",
                                earlier->rows, source.name, earlier->path),
                    {.file = source.file});
      }
      if (earlier) {
        throw Error(ErrorCode::kConfig,
                    fmt::format("an earlier load of {} into source '{}' was interrupted after {} "
                                "rows; loading the file again would apply those rows twice: use "
                                "--reload to load it anyway",
                                earlier->path, source.name, earlier->rows),
                    {.file = source.file});
      }
    }
  }
  return store.StartFileLoad(load);
}

}  // namespace zload
