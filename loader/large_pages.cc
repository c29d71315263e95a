// The allocator's options for 2 MiB pages, set before anything allocates.
#ifdef ZLOAD_WITH_MIMALLOC
#include <mimalloc.h>

#include <cstring>

namespace zload {
namespace {

// True when the environment `envp` holds `name_eq` ("NAME=") at the start of an entry.
bool IsSet(char** envp, const char* name_eq) {
  const size_t n = std::strlen(name_eq);
  for (char** e = envp; *e != nullptr; ++e) {
    if (std::strncmp(*e, name_eq, n) == 0) return true;
  }
  return false;
}

// Unless MIMALLOC_LARGE_OS_PAGES is set, the allocator grows the heap in 2 MiB transparent huge
// pages where the kernel gives them on request (transparent_hugepage "madvise" or "always"), so
// the first touch of new memory faults once per 2 MiB instead of once per 4 KiB page; where page
// faults are costly, as on some virtual machines, that takes a tenth or more off a load with
// views (bench/README). Unless MIMALLOC_EAGER_COMMIT_DELAY is set as well, every thread's first
// heap segment asks for those pages too (by default it is committed piece by piece, in 4 KiB
// pages). The variables, when set, keep their meaning: the allocator reads them itself.
void PreferLargePages(int /*argc*/, char** /*argv*/, char** envp) {
  if (envp == nullptr || IsSet(envp, "MIMALLOC_LARGE_OS_PAGES=")) return;
  mi_option_enable(mi_option_large_os_pages);
  if (!IsSet(envp, "MIMALLOC_EAGER_COMMIT_DELAY=")) mi_option_set(mi_option_eager_commit_delay, 0);
}

// The program's pre-initializers run before any shared library's initializer, so the options
// hold from the allocator's start on: it reads them, and takes the heap's first segment, before
// main(). A pointer the dynamic loader calls; never written.
using PreInitializer = void (*)(int, char**, char**);
[[gnu::used, gnu::section(".preinit_array")]] const PreInitializer kPreferLargePages =
    &PreferLargePages;

}  // namespace
}  // namespace zload
#endif
