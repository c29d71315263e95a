#pragma once

#include <stdlib.h>

#include <string>

namespace zload::test {

// Sets an environment variable for the processes started while it lives (test hooks read by
// worker processes); unsets it when destroyed.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace zload::test
