#include "stores/postgres_db.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <pqxx/tablewriter>
#include <set>

namespace zload::postgres {
namespace {

// Hides the password of a postgresql:// URI or a password=... setting.
std::string Redact(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t at = out.find('@', scheme + 3);
    size_t colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  size_t pw = out.find("password=");
  if (pw != std::string::npos) {
    size_t end = out.find_first_of(" &", pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

// The advisory lock that serializes the creation of tables ("zload" in ASCII).
constexpr int64_t kDdlLockKey = 0x7a6c6f6164;
// The first key of the advisory locks that serialize the creation of one index each (the
// second key is a hash of its name): "zlix" in ASCII.
constexpr int32_t kIndexLockClass = 0x7a6c6978;

constexpr char kHex[] = "0123456789abcdef";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Trimmed(const char* what) {
  std::string s(what ? what : "");
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

ErrorCode CodeForSqlState(const std::string& state) {
  auto cls = state.substr(0, 2);
  if (cls == "08" || state == "40001" || state == "40P01" || state == "55P03" ||
      state.rfind("57P", 0) == 0) {
    return ErrorCode::kTransient;
  }
  if (cls == "53" || cls == "58") return ErrorCode::kIo;
  if (cls == "23" || cls == "22" || cls == "54") return ErrorCode::kConstraint;
  if (state == "42P01" || state == "42703" || state == "42P07" || state == "42701" ||
      state == "42804") {
    return ErrorCode::kSchema;
  }
  return ErrorCode::kInternal;
}

void ThrowTranslated(const std::exception& e, const ErrorContext& where) {
  if (auto* z = dynamic_cast<const Error*>(&e)) throw *z;
  std::string what = Trimmed(e.what());
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    throw Error(ErrorCode::kIo, "PostgreSQL: the outcome of a commit is unknown: " + what, where);
  }
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    ErrorCode code = state.empty() ? ErrorCode::kInternal : CodeForSqlState(state);
    if (dynamic_cast<const pqxx::broken_connection*>(&e)) code = ErrorCode::kTransient;
    std::string message = fmt::format("PostgreSQL: {}{}", what,
                                      state.empty() ? "" : fmt::format(" [SQLSTATE {}]", state));
    if (code == ErrorCode::kInternal && !sql->query().empty()) {
      message += " in: " + sql->query().substr(0, 300);
    }
    throw Error(code, message, where);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) ||
      dynamic_cast<const pqxx::transaction_rollback*>(&e)) {
    throw Error(ErrorCode::kTransient, "PostgreSQL: " + what, where);
  }
  throw Error(ErrorCode::kInternal, "PostgreSQL: " + what, where);
}

std::string QuoteIdentifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxIdentifier || name.find('\0') != std::string_view::npos) {
    throw Error(ErrorCode::kSchema,
                fmt::format("PostgreSQL cannot hold the name '{}': names must be 1 to {} bytes "
                            "without NUL",
                            name.substr(0, 100), kMaxIdentifier));
  }
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string FitIdentifier(std::string_view name) {
  if (name.size() <= kMaxIdentifier) return std::string(name);
  std::string suffix = fmt::format("__{:016x}", XXH3_64bits(name.data(), name.size()));
  size_t cut = kMaxIdentifier - suffix.size();
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return std::string(name.substr(0, cut)) + suffix;
}

std::string ByteaText(std::string_view bytes) {
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string FromByteaText(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw Error(ErrorCode::kInternal, "PostgreSQL returned BYTEA not in hex form");
  }
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (size_t i = 2; i < text.size(); i += 2) {
    int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) throw Error(ErrorCode::kInternal, "bad hex digit in BYTEA text");
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

void ArrayLiteral::Add(std::optional<std::string_view> element) {
  if (size_++) text_ += ',';
  if (!element) {
    text_ += "NULL";
    return;
  }
  text_ += '"';
  for (char c : *element) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void AppendCopyField(std::string& line, std::optional<std::string_view> field, bool first) {
  if (!first) line += '\t';
  if (!field) {
    line += "\\N";
    return;
  }
  std::string_view rest = *field;
  while (!rest.empty()) {
    const size_t special = rest.find_first_of("\\\n\r\t");
    line.append(rest.substr(0, special));
    if (special == std::string_view::npos) break;
    line += '\\';
    switch (rest[special]) {
      case '\n':
        line += 'n';
        break;
      case '\r':
        line += 'r';
        break;
      case '\t':
        line += 't';
        break;
      default:
        line += '\\';
    }
    rest.remove_prefix(special + 1);
  }
}

CopyWriter::CopyWriter(pqxx::transaction_base& tx, const std::string& table,
                       const std::vector<std::string>& columns)
    : writer_(std::make_unique<pqxx::tablewriter>(tx, table, columns.begin(), columns.end())) {}
#pragma GCC diagnostic pop

CopyWriter::~CopyWriter() = default;

void CopyWriter::WriteLine(std::string_view line) {
  pending_.append(line);
  pending_ += '\n';
  if (pending_.size() >= kSendBytes) Send();
}

void CopyWriter::Send() {
  if (pending_.empty()) return;
  pending_.pop_back();  // write_raw_line ends what it sends with a newline of its own
  writer_->write_raw_line(pending_);
  pending_.clear();
}

void CopyWriter::Finish() {
  Send();
  writer_->complete();
}

namespace {

// The first PostgreSQL release with the plan_cache_mode setting (12).
constexpr int kFirstVersionWithPlanCacheMode = 120000;

}  // namespace

Database::Database(const std::string& url) : url_(Redact(url)) {
  try {
    conn_ = std::make_unique<pqxx::connection>(url);
    conn_->set_variable("client_min_messages", "warning");
    conn_->set_variable("client_encoding", "'UTF8'");
    conn_->set_variable("DateStyle", "'ISO, YMD'");
    conn_->set_variable("extra_float_digits", "1");
    conn_->set_variable("bytea_output", "'hex'");
    conn_->set_variable("standard_conforming_strings", "on");
    // Plans zload's prepared statements for each execution's arguments: a plan cached for all
    // arguments is chosen from a table's first executions, while it is small, and keeps
    // scanning it whole as it grows (a view's look-ups 85 ms each where an index takes 4).
    if (conn_->server_version() >= kFirstVersionWithPlanCacheMode) {
      conn_->set_variable("plan_cache_mode", "force_custom_plan");
    }
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kIo,
                fmt::format("cannot connect to PostgreSQL at {}: {}", url_, Trimmed(e.what())),
                {.file = url_});
  }
}

Database::~Database() { Rollback(); }

void Database::Begin() {
  if (work_ || active_) throw Error(ErrorCode::kInternal, "a transaction is open already");
  try {
    work_ = std::make_unique<pqxx::work>(*conn_);
  } catch (const std::exception& e) {
    ThrowTranslated(e, {.file = url_});
  }
}

void Database::Commit() {
  if (!work_) throw Error(ErrorCode::kInternal, "no transaction to commit");
  std::unique_ptr<pqxx::work> work = std::move(work_);
  try {
    work->commit();
  } catch (const std::exception& e) {
    ThrowTranslated(e, {.file = url_});
  }
}

void Database::Rollback() {
  std::unique_ptr<pqxx::work> work = std::move(work_);
  if (!work) return;
  try {
    work->abort();
  } catch (const std::exception&) {
    // The connection is gone, and the transaction with it.
  }
}

void Database::Exec(const std::string& sql, const ErrorContext& where) {
  Write([&](pqxx::transaction_base& tx) { tx.exec(sql); }, where);
}

bool Database::TableExists(const std::string& table) {
  const std::string& sql = Prepared(
      "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind IN "
      "('r', 'p')");
  return Read([&](pqxx::transaction_base& tx) { return !tx.exec_prepared(sql, table).empty(); },
              {.table = table});
}

void Database::EnsureTable(const std::string& table, const std::vector<std::string>& ddl) {
  if (TableExists(table)) return;
  Write(
      [&](pqxx::transaction_base& tx) {
        tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kDdlLockKey));
        for (const std::string& sql : ddl) tx.exec(sql);
      },
      {.table = table});
}

void Database::EnsureTables(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& tables) {
  ArrayLiteral names;
  for (const auto& [table, ddl] : tables) names.Add(table);
  const std::string& sql = Prepared(
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relname = ANY($1::text[]) AND n.nspname = current_schema() AND "
      "c.relkind IN ('r', 'p')");
  std::set<std::string> existing;
  for (const auto& row :
       Read([&](pqxx::transaction_base& tx) { return tx.exec_prepared(sql, names.str()); })) {
    existing.insert(row[0].as<std::string>());
  }
  std::vector<const std::pair<std::string, std::vector<std::string>>*> missing;
  for (const auto& t : tables) {
    if (!existing.count(t.first)) missing.push_back(&t);
  }
  if (missing.empty()) return;
  Write(
      [&](pqxx::transaction_base& tx) {
        tx.exec(fmt::format("SELECT pg_advisory_xact_lock({})", kDdlLockKey));
        for (const auto* t : missing) {
          for (const std::string& ddl : t->second) tx.exec(ddl);
        }
      },
      {.table = missing.front()->first});
}

void Database::EnsureIndex(const std::string& index, const std::string& table,
                           const std::string& ddl) {
  const std::string& sql = Prepared(
      "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relname = $1 AND n.nspname = current_schema() AND c.relkind = 'i'");
  if (!Read([&](pqxx::transaction_base& tx) { return tx.exec_prepared(sql, index).empty(); },
            {.table = table})) {
    return;
  }
  Write(
      [&](pqxx::transaction_base& tx) {
        tx.exec_params("SELECT pg_advisory_xact_lock($1::integer, hashtext($2))", kIndexLockClass,
                       index);
        tx.exec(ddl);
      },
      {.table = table});
}

const std::string& Database::Prepared(const std::string& sql) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  std::string name = fmt::format("zload_{}", prepared_.size());
  try {
    conn_->prepare(name, sql);
  } catch (const std::exception& e) {
    ThrowTranslated(e, {.file = url_});
  }
  return prepared_.emplace(sql, std::move(name)).first->second;
}

pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name,
                          const std::vector<std::string>& params) {
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

void InsertRows(Database& db, pqxx::transaction_base& tx, const std::string& table,
                const std::vector<std::string>& columns, const std::string& insert_sql,
                size_t count, const std::function<RowFields(size_t)>& fields) {
  if (count >= kCopyRows) {
    CopyWriter copy(tx, table, columns);
    std::string line;
    for (size_t i = 0; i < count; ++i) {
      line.clear();
      bool first = true;
      for (const std::optional<std::string>& f : fields(i)) {
        AppendCopyField(line, f, first);
        first = false;
      }
      copy.WriteLine(line);
    }
    copy.Finish();
    return;
  }
  for (size_t start = 0; start < count; start += kWriteChunk) {
    std::vector<ArrayLiteral> arrays(columns.size());
    for (size_t i = start; i < std::min(count, start + kWriteChunk); ++i) {
      RowFields f = fields(i);
      for (size_t c = 0; c < f.size(); ++c) arrays[c].Add(f[c]);
    }
    std::vector<std::string> params;
    for (const ArrayLiteral& a : arrays) params.push_back(a.str());
    ExecPrepared(tx, db.Prepared(insert_sql), params);
  }
}

}  // namespace zload::postgres
