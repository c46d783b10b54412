// The PostgreSQL store, for fleets that many machines write to: the core's
// schema in PostgreSQL's types, migrations under an advisory lock (several
// hosts may open a new database at once), rows streamed one at a time
// (single-row mode: a result held whole was 500 MiB at a million hosts), and
// batches retried when two ingesters deadlock on the same new kernel builds.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <optional>

#include "fleet/stores.h"
#include "lucompat/base/shared_library.h"

namespace lucompat {
namespace {

// An arbitrary constant: the key of the lock that serializes migrations.
constexpr int64_t kMigrationLock = 0x6c75636f6d706174;

// Parameter types (pg_type OIDs, fixed in every server): a parameter whose
// type the server had to guess from a multi-row VALUES list would be text.
constexpr Oid kInt8 = 20, kBool = 16, kJsonb = 3802, kUnknown = 0;

// clang-format off: one symbol a line, which clang-format would reflow each run
#define LUCOMPAT_LIBPQ(X) \
  X(PQcancel)             \
  X(PQclear)              \
  X(PQcmdTuples)          \
  X(PQconnectdb)          \
  X(PQconninfoFree)       \
  X(PQconninfoParse)      \
  X(PQerrorMessage)       \
  X(PQexec)               \
  X(PQexecParams)         \
  X(PQfreemem)            \
  X(PQfinish)             \
  X(PQfreeCancel)         \
  X(PQgetCancel)          \
  X(PQgetisnull)          \
  X(PQgetlength)          \
  X(PQgetResult)          \
  X(PQgetvalue)           \
  X(PQresultErrorField)   \
  X(PQresultErrorMessage) \
  X(PQresultStatus)       \
  X(PQsendQueryParams)    \
  X(PQsetSingleRowMode)   \
  X(PQstatus)
// clang-format on

LUCOMPAT_SHARED_API(Libpq, LUCOMPAT_LIBPQ);

const Result<Libpq>& load_libpq() {
  static const Result<Libpq> loaded =
      load_shared_api<Libpq>("libpq.so.5", "a PostgreSQL fleet store");
  return loaded;
}

// Valid once open_postgres_store has loaded the library.
const Libpq& pq() { return load_libpq().value(); }

struct Finish {
  void operator()(PGconn* c) const { pq().PQfinish(c); }
};
struct Clear {
  void operator()(PGresult* r) const { pq().PQclear(r); }
};
struct FreeCancel {
  void operator()(PGcancel* c) const { pq().PQfreeCancel(c); }
};
using ConnectionPtr = std::unique_ptr<PGconn, Finish>;
using ResultPtr = std::unique_ptr<PGresult, Clear>;
using CancelPtr = std::unique_ptr<PGcancel, FreeCancel>;

// PostgreSQL adds DETAIL and HINT lines; an error is one line.
std::string one_line(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && m.back() == '\n') m.pop_back();
  for (size_t at = 0; (at = m.find('\n', at)) != std::string::npos;) m.replace(at, 1, "; ");
  return m;
}

Error failure(const std::string& store, std::string_view what, const char* message) {
  return Error{ErrorKind::io, store, std::nullopt, fmt::format("{}: {}", what, one_line(message))};
}

bool succeeded(const PGresult* r) {
  const auto s = pq().PQresultStatus(r);
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

// The core writes `?`; PostgreSQL numbers its parameters. Quoted text and
// names are left as they are.
std::string numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + sql.size() / 8);
  char quote = 0;
  int n = 0;
  for (const char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?') {
      out += fmt::format("${}", ++n);
      continue;
    }
    out += c;
  }
  return out;
}

// Parameters in libpq's form: text, and the type of each.
struct Parameters {
  explicit Parameters(std::span<const sql::Value> params) {
    text.reserve(params.size());
    for (const auto& p : params) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::optional<int64_t>>) {
              text.push_back(v ? std::to_string(*v) : std::string());
              null.push_back(!v);
              types.push_back(kInt8);
            } else if constexpr (std::is_same_v<T, bool>) {
              text.push_back(v ? "true" : "false");
              null.push_back(false);
              types.push_back(kBool);
            } else if constexpr (std::is_same_v<T, std::string_view>) {
              text.emplace_back(v);
              null.push_back(false);
              types.push_back(kUnknown);
            } else {
              text.emplace_back(v.text);
              null.push_back(false);
              types.push_back(kJsonb);
            }
          },
          p);
    }
    for (size_t i = 0; i < text.size(); ++i) values.push_back(null[i] ? nullptr : text[i].c_str());
  }
  int size() const { return static_cast<int>(values.size()); }

  std::vector<std::string> text;
  std::vector<bool> null;
  std::vector<Oid> types;
  std::vector<const char*> values;
};

class PostgresCursor final : public sql::Cursor {
 public:
  PostgresCursor(PGconn* conn, std::string store, std::string what)
      : conn_(conn), store_(std::move(store)), what_(std::move(what)) {}

  // Left early (a bad row, an error of the caller's): the server is asked to
  // stop, and what it sent meanwhile is read and dropped, so that the
  // connection can run the next statement.
  ~PostgresCursor() override {
    if (done_) return;
    if (CancelPtr cancel{pq().PQgetCancel(conn_)}) {
      char why[256];
      pq().PQcancel(cancel.get(), why, sizeof why);
    }
    drain();
  }

  Result<bool> next() override {
    if (done_) return false;
    row_.reset(pq().PQgetResult(conn_));
    const auto status = row_ ? pq().PQresultStatus(row_.get()) : PGRES_TUPLES_OK;
    if (status == PGRES_SINGLE_TUPLE) return true;
    // The end: a last result without rows, then none.
    Result<bool> out =
        status == PGRES_TUPLES_OK
            ? Result<bool>(false)
            : Result<bool>(failure(store_, what_, pq().PQresultErrorMessage(row_.get())));
    row_.reset();
    drain();
    return out;
  }
  bool null(int col) const override { return pq().PQgetisnull(row_.get(), 0, col) != 0; }
  std::string_view text(int col) const override {
    return {pq().PQgetvalue(row_.get(), 0, col),
            static_cast<size_t>(pq().PQgetlength(row_.get(), 0, col))};
  }
  std::optional<int64_t> integer(int col) const override {
    const std::string_view t = text(col);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
    return v;
  }
  std::optional<bool> boolean(int col) const override {
    const std::string_view t = text(col);
    if (t == "t") return true;
    if (t == "f") return false;
    return std::nullopt;
  }

 private:
  void drain() {
    while (ResultPtr r{pq().PQgetResult(conn_)}) {
    }
    done_ = true;
  }

  PGconn* conn_;
  std::string store_;
  std::string what_;
  ResultPtr row_;
  bool done_ = false;
};

class PostgresConnection final : public sql::Connection {
 public:
  // Errors name the store by store_name(): its password masked.
  PostgresConnection(ConnectionPtr conn, std::string name)
      : conn_(std::move(conn)), name_(std::move(name)) {}

  const std::string& name() const override { return name_; }
  sql::ColumnTypes types() const override {
    return {"BIGSERIAL PRIMARY KEY", "BIGINT", "BOOLEAN", "JSONB"};
  }
  std::string_view label_sql() const override { return "labels->>?"; }
  std::string label_key(std::string_view key) const override { return std::string(key); }
  size_t rows_per_statement() const override { return 1000; }
  std::string_view hosts_scan() const override { return "hosts"; }
  std::string_view begin_write() const override { return "BEGIN"; }
  std::string_view begin_read() const override {
    return "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  }
  std::string_view lock_schema() const override { return lock_; }

  Result<void> script(std::string_view what, std::string_view sql) override {
    return finished(what, ResultPtr(pq().PQexec(conn_.get(), std::string(sql).c_str())));
  }

  Result<std::unique_ptr<sql::Statement>> prepare(std::string_view what,
                                                  std::string_view sql) override;

  // A statement prepared by prepare(), with its parameters numbered.
  Result<int64_t> run(std::string_view what, const std::string& sql,
                      std::span<const sql::Value> params) {
    const Parameters p(params);
    ResultPtr r(pq().PQexecParams(conn_.get(), sql.c_str(), p.size(), p.types.data(),
                                  p.values.data(), nullptr, nullptr, 0));
    LUCOMPAT_CHECK(finished(what, std::move(r)));
    const std::string_view count = last_count_;
    int64_t n = 0;
    if (!count.empty() &&
        std::from_chars(count.data(), count.data() + count.size(), n).ec != std::errc())
      return failure(name_, what, "the server's count of changed rows is not a number");
    return n;
  }

  Result<sql::Rows> query(std::string_view what, std::string_view sql,
                          std::span<const sql::Value> params) override {
    retryable_ = false;
    const Parameters p(params);
    if (pq().PQsendQueryParams(conn_.get(), numbered(sql).c_str(), p.size(), p.types.data(),
                               p.values.data(), nullptr, nullptr, 0) == 0)
      return failure(name_, what, pq().PQerrorMessage(conn_.get()));
    auto cursor = std::make_unique<PostgresCursor>(conn_.get(), name_, std::string(what));
    // Else the result would come whole; the cursor drains it.
    if (pq().PQsetSingleRowMode(conn_.get()) == 0)
      return failure(name_, what, "cannot stream the rows");
    return sql::Rows(std::move(cursor), name_);
  }

  bool retryable() const override { return retryable_; }

 private:
  Result<void> finished(std::string_view what, ResultPtr r) {
    retryable_ = false;
    if (r && succeeded(r.get())) {
      last_count_ = pq().PQcmdTuples(r.get());
      return {};
    }
    // Deadlock or serialization failure.
    const char* state = r ? pq().PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    retryable_ =
        state && (std::string_view(state) == "40P01" || std::string_view(state) == "40001");
    return failure(name_, what,
                   r ? pq().PQresultErrorMessage(r.get()) : pq().PQerrorMessage(conn_.get()));
  }

  ConnectionPtr conn_;
  std::string name_;
  std::string lock_ = fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLock);
  std::string last_count_;
  bool retryable_ = false;
};

// Numbered once, sent with each run: a server-side plan would not pay for
// itself over a batch's few statements.
class PostgresStatement final : public sql::Statement {
 public:
  PostgresStatement(PostgresConnection& db, std::string sql, std::string what)
      : db_(db), sql_(std::move(sql)), what_(std::move(what)) {}
  Result<int64_t> execute(std::span<const sql::Value> params) override {
    return db_.run(what_, sql_, params);
  }

 private:
  PostgresConnection& db_;
  std::string sql_;
  std::string what_;
};

Result<std::unique_ptr<sql::Statement>> PostgresConnection::prepare(std::string_view what,
                                                                    std::string_view sql) {
  return std::unique_ptr<sql::Statement>(
      std::make_unique<PostgresStatement>(*this, numbered(sql), std::string(what)));
}

// A URL's value, with every byte but the unreserved ones percent-encoded:
// what is shown is what libpq read, unambiguously.
std::string url_encoded(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~')
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

// A host that reads as itself in a URL's authority: not a socket
// directory, not a list of hosts, not an IPv6 address.
bool plain_host(std::string_view host) {
  return !host.empty() && host.find_first_of("/,:@[]%?#") == std::string_view::npos;
}

using ConninfoPtr = std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)>;

}  // namespace

std::string postgres_store_name(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end + 3);
  if (!load_libpq()) return scheme + "*** (libpq, which reads the URL, is not installed)";
  char* error = nullptr;
  ConninfoPtr options(pq().PQconninfoParse(url.c_str(), &error),
                      [](PQconninfoOption* o) { pq().PQconninfoFree(o); });
  if (error != nullptr) pq().PQfreemem(error);  // it may quote the URL
  if (!options) return scheme + "*** (a URL libpq cannot parse)";
  // What libpq parsed, each option masked by libpq's own mark for a secret
  // (dispchar "*": password, sslpassword), however its key was spelled.
  std::map<std::string, std::string, std::less<>> set;
  std::vector<std::pair<std::string, std::string>> rest;  // in libpq's order
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const bool secret = o->dispchar != nullptr && std::string_view(o->dispchar) == "*";
    std::string value = secret ? "***" : url_encoded(o->val);
    set.emplace(o->keyword, value);
    rest.emplace_back(o->keyword, std::move(value));
  }
  const auto take = [&](std::string_view key) -> std::optional<std::string> {
    const auto it = set.find(key);
    if (it == set.end()) return std::nullopt;
    std::erase_if(rest, [&](const auto& kv) { return kv.first == key; });
    return it->second;
  };
  std::string out = scheme.empty() ? "postgresql://" : scheme;
  const auto user = take("user");
  const auto password = take("password");
  if (user || password) out += user.value_or("") + (password ? ":" + *password : "") + "@";
  if (const auto host = set.find("host"); host != set.end() && plain_host(host->second)) {
    out += *take("host");
    const auto port = set.find("port");
    if (port != set.end() && !port->second.empty() &&
        std::all_of(port->second.begin(), port->second.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
      out += ":" + *take("port");
  }
  if (const auto dbname = take("dbname")) out += "/" + *dbname;
  for (size_t i = 0; i < rest.size(); ++i)
    out += (i == 0 ? "?" : "&") + rest[i].first + "=" + rest[i].second;
  return out;
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, StoreAccess access) {
  if (const auto& loaded = load_libpq(); !loaded) return Error(loaded.error());
  ConnectionPtr conn(pq().PQconnectdb(url.c_str()));
  if (pq().PQstatus(conn.get()) != CONNECTION_OK)
    return failure(store_name(url), "cannot connect to the store", pq().PQerrorMessage(conn.get()));
  auto connection = std::make_unique<PostgresConnection>(std::move(conn), store_name(url));
  LUCOMPAT_CHECK(
      connection->script("cannot configure the connection", "SET client_min_messages = warning"));
  LUCOMPAT_CHECK(access == StoreAccess::create ? migrate(*connection) : check_schema(*connection));
  return std::make_unique<Store>(std::move(connection));
}

}  // namespace lucompat
