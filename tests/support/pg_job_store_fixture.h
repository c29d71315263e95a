#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "stores/postgres_job_store.h"
#include "tests/support/pg_cluster.h"

namespace zload::test {

// A PostgresJobStore on a fresh database of the shared throwaway cluster, reopened on demand.
class PostgresJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = test::PgCluster::Shared().FreshDatabase();
    store_ = std::make_unique<PostgresJobStore>(url_);
  }
  PostgresJobStore& store() { return *store_; }
  void Reopen() {
    store_.reset();
    store_ = std::make_unique<PostgresJobStore>(url_);
  }
  int64_t QueryInt(const std::string& sql) {
    return store_->database().Read(
        [&](pqxx::transaction_base& tx) { return tx.exec(sql)[0][0].as<int64_t>(); });
  }

  std::string url_;
  std::unique_ptr<PostgresJobStore> store_;
};

}  // namespace zload::test
