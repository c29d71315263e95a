// The line protocol between a coordinator and its workers: every message survives Encode then
// Decode field for field (raw input bytes exactly, whatever they hold), each encoding is one
// line, and anything that is not a message is refused with Error(kWorkerDied).
#include "loader/worker_messages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/error.h"

namespace zload::test {
namespace {

using namespace std::string_literals;

void ExpectSameError(const Error& got, const Error& want) {
  EXPECT_EQ(got.code(), want.code());
  EXPECT_EQ(got.message(), want.message());
  EXPECT_EQ(got.context().file, want.context().file);
  EXPECT_EQ(got.context().line, want.context().line);
  EXPECT_EQ(got.context().column, want.context().column);
  EXPECT_EQ(got.context().table, want.context().table);
  EXPECT_EQ(got.context().time, want.context().time);
  EXPECT_STREQ(got.what(), want.what());
}

void ExpectOneLine(const std::string& encoded) {
  EXPECT_EQ(encoded.find('\n'), std::string::npos) << encoded;
  EXPECT_EQ(encoded.find('\r'), std::string::npos) << encoded;
}

BatchOrder RoundTrip(const BatchOrder& order) {
  std::string line = EncodeOrder(order);
  ExpectOneLine(line);
  CoordinatorOrder back = DecodeOrder(line);
  const auto* o = std::get_if<BatchOrder>(&back);
  if (!o) {
    ADD_FAILURE() << "decoded as another order: " << line;
    return {};
  }
  return *o;
}

void ExpectSameOrder(const BatchOrder& got, const BatchOrder& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.source, want.source);
  EXPECT_EQ(got.file, want.file);
  EXPECT_EQ(got.header, want.header);
  EXPECT_EQ(got.begin, want.begin);
  EXPECT_EQ(got.end, want.end);
  EXPECT_EQ(got.first_line, want.first_line);
  EXPECT_EQ(got.time, want.time);
  EXPECT_EQ(got.frontier, want.frontier);
  EXPECT_EQ(got.frontier_closed, want.frontier_closed);
  EXPECT_EQ(got.load_id, want.load_id);
  EXPECT_EQ(got.first_record, want.first_record);
  EXPECT_EQ(got.records, want.records);
  EXPECT_EQ(got.skip, want.skip);
}

WorkerReport RoundTrip(const WorkerReport& report) {
  std::string line = EncodeReport(report);
  ExpectOneLine(line);
  return DecodeReport(line);
}

TEST(WorkerMessagesTest, BatchOrderRoundTrips) {
  BatchOrder order;
  order.id = 17;
  order.source = 3;
  order.file = "/tmp/dir with spaces/\"quoted\" \xc3\xa9t\xc3\xa9.csv";
  order.header = "basket_id,\"product\nname\",qty,op";
  order.begin = 1234;
  order.end = 98765;
  order.first_line = 42;
  order.time = 1001;
  order.frontier = 1000;
  order.load_id = 6;
  order.first_record = 400;
  order.records = 25;
  ExpectSameOrder(RoundTrip(order), order);
  order.frontier_closed = true;
  ExpectSameOrder(RoundTrip(order), order);
}

TEST(WorkerMessagesTest, BatchOrderKeepsExtremeNumbersAndEmptyText) {
  BatchOrder order;
  order.id = std::numeric_limits<int64_t>::max();
  order.source = 0;
  order.file = "";
  order.header = "";  // JSONL has no header
  order.begin = std::numeric_limits<uint64_t>::max() - 1;
  order.end = std::numeric_limits<uint64_t>::max();
  order.first_line = 1;
  order.time = std::numeric_limits<int64_t>::max();
  order.frontier = std::numeric_limits<int64_t>::min();
  order.load_id = std::numeric_limits<int64_t>::max();
  order.first_record = 0;
  order.records = 0;
  ExpectSameOrder(RoundTrip(order), order);
}

TEST(WorkerMessagesTest, BatchOrderToSkipRoundTrips) {
  BatchOrder order;
  order.id = 3;
  order.file = "items.csv";
  order.time = 12;
  order.frontier = 11;
  for (std::string reason : {"worker 2 exited with status 137 while applying batch 4", "",
                             "quotes \" and\nnewlines \xc3\xa9"}) {
    order.skip = reason;
    ExpectSameOrder(RoundTrip(order), order);
  }
  order.skip.reset();
  BatchOrder back = RoundTrip(order);
  EXPECT_FALSE(back.skip.has_value());
}

TEST(WorkerMessagesTest, GoAndStopDecisionsRoundTrip) {
  for (bool go : {true, false}) {
    for (int64_t id : {int64_t{0}, int64_t{5}, std::numeric_limits<int64_t>::max()}) {
      for (bool closed : {false, true}) {
        std::string line = EncodeOrder(BatchDecision{id, go, closed});
        ExpectOneLine(line);
        CoordinatorOrder back = DecodeOrder(line);
        const auto* d = std::get_if<BatchDecision>(&back);
        ASSERT_NE(d, nullptr) << line;
        EXPECT_EQ(d->id, id);
        EXPECT_EQ(d->go, go);
        EXPECT_EQ(d->frontier_closed, closed);
      }
    }
  }
}

TEST(WorkerMessagesTest, BatchReadyKeepsRawBytesExactly) {
  const std::vector<std::string> raws = {
      "2,tv,x1,+",
      "2,t\xff\xfe,1,+",                               // invalid UTF-8
      "a\0b\0\0c"s,                                    // NUL bytes
      "\"multi\nline\r\nfield\",1,2",                  // newlines inside a quoted field
      "\"\",\"\"\"\",'\\\"",                           // quotes and backslashes
      "",                                              // an empty record
      std::string("\x80\xc0\xc1\xf5\xed\xa0\x80", 7),  // bytes UTF-8 never holds
  };
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);

  BatchReady ready;
  ready.id = 9;
  int64_t line = 2;
  for (const std::string& raw : raws) {
    InputRow row;
    row.raw = raw;
    row.line = line;
    row.offset = static_cast<uint64_t>(line) * 100;
    row.weight = line % 2 == 0 ? 1 : -1;
    ready.rejects.push_back(
        {row, Error(ErrorCode::kParse, "bad record",
                    {.file = "items.csv", .line = line, .column = 3, .table = "", .time = {}})});
    ++line;
  }
  InputRow all;
  all.raw = every_byte;
  all.line = std::numeric_limits<int64_t>::max();
  all.offset = std::numeric_limits<uint64_t>::max();
  all.weight = -1;
  ready.rejects.push_back({all, Error(ErrorCode::kSchema, "every byte")});

  WorkerReport back = RoundTrip(ready);
  const auto* r = std::get_if<BatchReady>(&back);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, ready.id);
  ASSERT_EQ(r->rejects.size(), ready.rejects.size());
  for (size_t i = 0; i < ready.rejects.size(); ++i) {
    SCOPED_TRACE(i);
    const RejectedRow& want = ready.rejects[i];
    const RejectedRow& got = r->rejects[i];
    EXPECT_EQ(got.row.raw, want.row.raw);
    EXPECT_EQ(got.row.raw.size(), want.row.raw.size());
    EXPECT_EQ(got.row.line, want.row.line);
    EXPECT_EQ(got.row.offset, want.row.offset);
    EXPECT_EQ(got.row.weight, want.row.weight);
    EXPECT_TRUE(got.row.row.empty());  // values are not sent
    ExpectSameError(got.error, want.error);
  }
}

TEST(WorkerMessagesTest, BatchReadyWithoutRejectsRoundTrips) {
  WorkerReport back = RoundTrip(BatchReady{0, {}});
  const auto* r = std::get_if<BatchReady>(&back);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->id, 0);
  EXPECT_TRUE(r->rejects.empty());
}

TEST(WorkerMessagesTest, ErrorsKeepEveryCodeAndWhicheverContextTheyHave) {
  const std::vector<ErrorCode> codes = {
      ErrorCode::kParse,       ErrorCode::kSchema,     ErrorCode::kConstraint,
      ErrorCode::kUnsupported, ErrorCode::kConfig,     ErrorCode::kTransient,
      ErrorCode::kIo,          ErrorCode::kWorkerDied, ErrorCode::kInternal};
  const std::vector<ErrorContext> contexts = {
      {},
      {.file = "items.csv", .line = 3, .column = 6, .table = "", .time = {}},
      {.file = "items.csv", .line = 3, .column = {}, .table = "", .time = {}},
      {.file = "", .line = {}, .column = {}, .table = "shop__3_join__right", .time = 77},
      {.file = "f \"q\"\n.csv", .line = 0, .column = 0, .table = "t", .time = 0},
      {.file = "x",
       .line = -1,
       .column = std::numeric_limits<int64_t>::max(),
       .table = "",
       .time = std::numeric_limits<int64_t>::min()},
  };
  for (ErrorCode code : codes) {
    for (const ErrorContext& context : contexts) {
      Error e(code, "column 'qty': not an INTEGER: 'x1'\nsecond \"line\"\ttab \xc3\xa9", context);
      SCOPED_TRACE(e.what());
      WorkerReport back = RoundTrip(BatchFailed{4, e});
      const auto* f = std::get_if<BatchFailed>(&back);
      ASSERT_NE(f, nullptr);
      EXPECT_EQ(f->id, 4);
      ExpectSameError(f->error, e);
    }
  }
}

TEST(WorkerMessagesTest, ErrorMessageQuotingInvalidUtf8ArrivesWithReplacementCharacters) {
  // Documented in EncodeReport: JSON text must be UTF-8, so invalid bytes in a message (not in
  // raw input, which travels as hex) become U+FFFD.
  Error e(ErrorCode::kParse, "not an INTEGER: 'x\xff'", {.file = "items.csv", .line = 2});
  WorkerReport back = RoundTrip(BatchFailed{1, e});
  const auto* f = std::get_if<BatchFailed>(&back);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->error.message(), "not an INTEGER: 'x\xef\xbf\xbd'");
  EXPECT_EQ(f->error.context().line, 2);
}

TEST(WorkerMessagesTest, BatchDoneRoundTrips) {
  const std::vector<BatchDone> cases = {
      {12, 100, 90, 10, {3, 0, 7}, {0.125, 0, 2.5}},
      {0, 0, 0, 0, {}, {}},
      {std::numeric_limits<int64_t>::max(),
       std::numeric_limits<int64_t>::max(),
       1,
       -1,
       {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()},
       {0.1 + 0.2, 1.0 / 3}},
      {5, 1, 1, 0, {1}, {1e-300}},
  };
  for (const BatchDone& d : cases) {
    WorkerReport back = RoundTrip(d);
    const auto* got = std::get_if<BatchDone>(&back);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->id, d.id);
    EXPECT_EQ(got->rows, d.rows);
    EXPECT_EQ(got->inserts, d.inserts);
    EXPECT_EQ(got->deletes, d.deletes);
    EXPECT_EQ(got->view_changes, d.view_changes);
    EXPECT_EQ(got->view_seconds, d.view_seconds);  // exactly: doubles print round-trippably
  }
}

TEST(WorkerMessagesTest, BatchStoppedRoundTrips) {
  for (int64_t id : {int64_t{0}, int64_t{31}, std::numeric_limits<int64_t>::max()}) {
    WorkerReport back = RoundTrip(BatchStopped{id});
    const auto* s = std::get_if<BatchStopped>(&back);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->id, id);
  }
}

// Decoding `line` throws Error(kWorkerDied).
template <typename Decode>
void ExpectWorkerDied(Decode decode, const std::string& line) {
  SCOPED_TRACE(line);
  try {
    decode(line);
    ADD_FAILURE() << "decoded a line that is no message";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kWorkerDied) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than zload::Error: " << e.what();
  }
}

TEST(WorkerMessagesTest, MalformedOrdersAreRefused) {
  BatchOrder order;
  order.id = 1;
  order.file = "f.csv";
  order.header = "a,b";
  order.begin = 10;
  order.end = 20;
  order.first_line = 2;
  order.time = 5;
  order.frontier = 4;
  order.load_id = 1;
  order.records = 3;
  std::string batch = EncodeOrder(order);
  const std::vector<std::string> bad = {
      "",
      "hello",
      "{",
      "[1, 2]",
      "\"batch\"",
      "null",
      "{}",
      "{\"id\": 1}",
      "{\"type\": 5, \"id\": 1}",
      "{\"type\": \"launch\", \"id\": 1}",
      "{\"type\": \"ready\", \"id\": 1, \"rejects\": []}",  // a report, not an order
      "{\"type\": \"go\"}",
      "{\"type\": \"stop\", \"id\": \"one\"}",
      "{\"type\": \"batch\", \"id\": 1}",
      batch.substr(0, batch.size() / 2),
  };
  for (const std::string& line : bad) ExpectWorkerDied(DecodeOrder, line);
  // Each field of a batch order is required.
  for (const char* field : {"id", "source", "file", "header", "begin", "end", "first_line", "time",
                            "frontier", "load_id", "first_record", "records", "frontier_closed"}) {
    std::string line = batch;
    std::string key = std::string("\"") + field + "\":";
    size_t at = line.find(key);
    ASSERT_NE(at, std::string::npos) << line;
    line.replace(at, key.size(), std::string("\"no_") + field + "\":");
    ExpectWorkerDied(DecodeOrder, line);
  }
}

TEST(WorkerMessagesTest, MalformedReportsAreRefused) {
  InputRow row;
  row.raw = "1,2";
  std::string ready = EncodeReport(BatchReady{3, {{row, Error(ErrorCode::kParse, "bad")}}});
  std::string done = EncodeReport(BatchDone{3, 1, 1, 0, {1}, {0.5}});
  std::string failed = EncodeReport(BatchFailed{3, Error(ErrorCode::kIo, "gone")});
  const std::vector<std::string> bad = {
      "",
      "not json at all",
      "{\"type\": \"done\"",
      "42",
      "{\"id\": 3}",
      "{\"type\": \"exploded\", \"id\": 3}",
      "{\"type\": \"batch\", \"id\": 3}",  // an order, not a report
      "{\"type\": \"stopped\"}",
      "{\"type\": \"stopped\", \"id\": null}",
      "{\"type\": \"ready\", \"id\": 3}",
      "{\"type\": \"ready\", \"id\": 3, \"rejects\": [{\"raw\": \"31\"}]}",
      "{\"type\": \"done\", \"id\": 3, \"rows\": 1}",
      "{\"type\": \"done\", \"id\": 3, \"rows\": 1, \"inserts\": 1, \"deletes\": 0, "
      "\"view_changes\": \"many\", \"view_seconds\": []}",
      "{\"type\": \"done\", \"id\": 3, \"rows\": 1, \"inserts\": 1, \"deletes\": 0, "
      "\"view_changes\": [1], \"view_seconds\": 0.5}",
      "{\"type\": \"failed\", \"id\": 3}",
      "{\"type\": \"failed\", \"id\": 3, \"error\": {\"message\": \"m\"}}",
      ready.substr(0, ready.size() - 1),
      done.substr(0, 10),
      failed + "}",
  };
  for (const std::string& line : bad) ExpectWorkerDied(DecodeReport, line);
}

TEST(WorkerMessagesTest, MalformedHexInARejectIsRefused) {
  InputRow row;
  row.raw = "ab";  // hex "6162"
  std::string line = EncodeReport(BatchReady{1, {{row, Error(ErrorCode::kParse, "bad")}}});
  ASSERT_NE(line.find("\"6162\""), std::string::npos) << line;
  for (const char* hex : {"616", "61zz", "6G62", "61 2"}) {
    std::string broken = line;
    broken.replace(broken.find("\"6162\""), 6, std::string("\"") + hex + "\"");
    ExpectWorkerDied(DecodeReport, broken);
  }
}

}  // namespace
}  // namespace zload::test
