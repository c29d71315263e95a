#include "loader/worker_messages.h"

#include <nlohmann/json.hpp>

namespace zload {
namespace {

using nlohmann::json;

json ErrorJson(const Error& e) {
  const ErrorContext& c = e.context();
  json j = {{"code", static_cast<int>(e.code())},
            {"message", e.message()},
            {"file", c.file},
            {"table", c.table}};
  if (c.line) j["line"] = *c.line;
  if (c.column) j["column"] = *c.column;
  if (c.time) j["time"] = *c.time;
  return j;
}

Error ErrorOf(const json& j) {
  ErrorContext c;
  c.file = j.at("file").get<std::string>();
  c.table = j.at("table").get<std::string>();
  if (j.contains("line")) c.line = j["line"].get<int64_t>();
  if (j.contains("column")) c.column = j["column"].get<int64_t>();
  if (j.contains("time")) c.time = j["time"].get<int64_t>();
  return Error(static_cast<ErrorCode>(j.at("code").get<int>()), j.at("message").get<std::string>(),
               std::move(c));
}

// Raw input bytes travel as hex: JSON text must be UTF-8, a rejected record need not be.
std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string FromHex(const std::string& hex) {
  auto digit = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw Error(ErrorCode::kWorkerDied, "malformed hex in a worker message");
  };
  if (hex.size() % 2 != 0) throw Error(ErrorCode::kWorkerDied, "malformed hex in a worker message");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  }
  return out;
}

json Parse(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("type")) {
    throw Error(ErrorCode::kWorkerDied,
                "unreadable message between coordinator and worker: " + line.substr(0, 200));
  }
  return j;
}

template <typename F>
auto Decoding(const std::string& line, F&& f) {
  try {
    return f(Parse(line));
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kWorkerDied, std::string("malformed message between coordinator and "
                                                    "worker (") +
                                            e.what() + "): " + line.substr(0, 200));
  }
}

}  // namespace

std::string EncodeOrder(const CoordinatorOrder& order) {
  json j;
  if (const auto* o = std::get_if<BatchOrder>(&order)) {
    j = {{"type", "batch"},       {"id", o->id},
         {"source", o->source},   {"file", o->file},
         {"header", o->header},   {"begin", o->begin},
         {"end", o->end},         {"first_line", o->first_line},
         {"time", o->time},       {"frontier", o->frontier},
         {"load_id", o->load_id}, {"first_record", o->first_record},
         {"records", o->records}, {"frontier_closed", o->frontier_closed}};
    if (o->skip) j["skip"] = *o->skip;
  } else {
    const auto& d = std::get<BatchDecision>(order);
    j = {{"type", d.go ? "go" : "stop"}, {"id", d.id}, {"frontier_closed", d.frontier_closed}};
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

CoordinatorOrder DecodeOrder(const std::string& line) {
  return Decoding(line, [](const json& j) -> CoordinatorOrder {
    const std::string type = j.at("type").get<std::string>();
    if (type == "batch") {
      BatchOrder o;
      o.id = j.at("id").get<int64_t>();
      o.source = j.at("source").get<size_t>();
      o.file = j.at("file").get<std::string>();
      o.header = j.at("header").get<std::string>();
      o.begin = j.at("begin").get<uint64_t>();
      o.end = j.at("end").get<uint64_t>();
      o.first_line = j.at("first_line").get<int64_t>();
      o.time = j.at("time").get<int64_t>();
      o.frontier = j.at("frontier").get<int64_t>();
      o.load_id = j.at("load_id").get<int64_t>();
      o.first_record = j.at("first_record").get<int64_t>();
      o.records = j.at("records").get<int64_t>();
      o.frontier_closed = j.at("frontier_closed").get<bool>();
      if (j.contains("skip")) o.skip = j["skip"].get<std::string>();
      return o;
    }
    if (type == "go" || type == "stop") {
      return BatchDecision{j.at("id").get<int64_t>(), type == "go",
                           j.at("frontier_closed").get<bool>()};
    }
    throw Error(ErrorCode::kWorkerDied, "unknown order from the coordinator: " + type);
  });
}

std::string EncodeReport(const WorkerReport& report) {
  json j;
  if (const auto* r = std::get_if<BatchReady>(&report)) {
    json rejects = json::array();
    for (const RejectedRow& row : r->rejects) {
      rejects.push_back({{"raw", Hex(row.row.raw)},
                         {"line", row.row.line},
                         {"offset", row.row.offset},
                         {"weight", row.row.weight},
                         {"error", ErrorJson(row.error)}});
    }
    j = {{"type", "ready"}, {"id", r->id}, {"rejects", std::move(rejects)}};
  } else if (const auto* d = std::get_if<BatchDone>(&report)) {
    j = {{"type", "done"},
         {"id", d->id},
         {"rows", d->rows},
         {"inserts", d->inserts},
         {"deletes", d->deletes},
         {"view_changes", d->view_changes},
         {"view_seconds", d->view_seconds}};
  } else if (const auto* f = std::get_if<BatchFailed>(&report)) {
    j = {{"type", "failed"}, {"id", f->id}, {"error", ErrorJson(f->error)}};
  } else {
    j = {{"type", "stopped"}, {"id", std::get<BatchStopped>(report).id}};
  }
  // An error message quoting invalid UTF-8 is sent with replacement characters.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

WorkerReport DecodeReport(const std::string& line) {
  return Decoding(line, [](const json& j) -> WorkerReport {
    const std::string type = j.at("type").get<std::string>();
    const int64_t id = j.at("id").get<int64_t>();
    if (type == "ready") {
      BatchReady r{id, {}};
      for (const json& row : j.at("rejects")) {
        InputRow in;
        in.raw = FromHex(row.at("raw").get<std::string>());
        in.line = row.at("line").get<int64_t>();
        in.offset = row.at("offset").get<uint64_t>();
        in.weight = row.at("weight").get<int64_t>();
        r.rejects.push_back({std::move(in), ErrorOf(row.at("error"))});
      }
      return r;
    }
    if (type == "done") {
      return BatchDone{id,
                       j.at("rows").get<int64_t>(),
                       j.at("inserts").get<int64_t>(),
                       j.at("deletes").get<int64_t>(),
                       j.at("view_changes").get<std::vector<int64_t>>(),
                       j.at("view_seconds").get<std::vector<double>>()};
    }
    if (type == "failed") return BatchFailed{id, ErrorOf(j.at("error"))};
    if (type == "stopped") return BatchStopped{id};
    throw Error(ErrorCode::kWorkerDied, "unknown report from a worker: " + type);
  });
}

}  // namespace zload
