// The SQLite store: a rollback journal (a killed ingester leaves the last
// committed batch and nothing of the one in flight), a busy timeout so that
// several ingesters and readers queue instead of failing, and migrations
// applied on open by whoever may write it. Not WAL: a WAL database cannot be
// read by a user who may not create its -shm file, and a read-only query must
// work on a store its reader cannot write.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "fleet/stores.h"

namespace lucompat {
namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, CloseDatabase>;

struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, Finalize>;

Error failure(sqlite3* db, const std::string& path, std::string_view what) {
  return Error{ErrorKind::io, path, std::nullopt, fmt::format("{}: {}", what, sqlite3_errmsg(db))};
}

// Every parameter bound, or the statement is not run: a failed bind never
// leaves one missing.
Result<void> bind_all(sqlite3_stmt* s, sqlite3* db, const std::string& path, std::string_view what,
                      std::span<const sql::Value> params) {
  if (static_cast<size_t>(sqlite3_bind_parameter_count(s)) != params.size())
    return Error{ErrorKind::io, path, std::nullopt,
                 fmt::format("{}: the statement has {} parameters, not {}", what,
                             sqlite3_bind_parameter_count(s), params.size())};
  for (size_t i = 0; i < params.size(); ++i) {
    const int at = static_cast<int>(i + 1);
    const int bound = std::visit(
        [&](const auto& v) -> int {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::optional<int64_t>>)
            return v ? sqlite3_bind_int64(s, at, *v) : sqlite3_bind_null(s, at);
          else if constexpr (std::is_same_v<T, bool>)
            return sqlite3_bind_int(s, at, v ? 1 : 0);
          else if constexpr (std::is_same_v<T, std::string_view>)
            return sqlite3_bind_text64(s, at, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
          else
            return sqlite3_bind_text64(s, at, v.text.data(), v.text.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
        },
        params[i]);
    if (bound != SQLITE_OK) return failure(db, path, what);
  }
  return {};
}

class SqliteStatement final : public sql::Statement {
 public:
  SqliteStatement(StatementPtr statement, sqlite3* db, std::string path, std::string what)
      : statement_(std::move(statement)), db_(db), path_(std::move(path)), what_(std::move(what)) {}

  Result<int64_t> execute(std::span<const sql::Value> params) override {
    // Reset whatever happens, so that the next run starts afresh and this
    // one holds no lock.
    const auto reset = [](sqlite3_stmt* s) {
      sqlite3_reset(s);
      sqlite3_clear_bindings(s);
    };
    std::unique_ptr<sqlite3_stmt, decltype(reset)> running(statement_.get(), reset);
    LUCOMPAT_CHECK(bind_all(running.get(), db_, path_, what_, params));
    if (sqlite3_step(running.get()) != SQLITE_DONE) return failure(db_, path_, what_);
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

 private:
  StatementPtr statement_;
  sqlite3* db_;
  std::string path_;
  std::string what_;
};

class SqliteCursor final : public sql::Cursor {
 public:
  SqliteCursor(StatementPtr statement, sqlite3* db, std::string path, std::string what)
      : statement_(std::move(statement)), db_(db), path_(std::move(path)), what_(std::move(what)) {}

  // Rows end in SQLITE_DONE; anything else is a failure, not the end.
  Result<bool> next() override {
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return failure(db_, path_, what_);
  }
  bool null(int col) const override {
    return sqlite3_column_type(statement_.get(), col) == SQLITE_NULL;
  }
  std::string_view text(int col) const override {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(statement_.get(), col));
    return t ? std::string_view(t, static_cast<size_t>(sqlite3_column_bytes(statement_.get(), col)))
             : std::string_view();
  }
  std::optional<int64_t> integer(int col) const override {
    if (sqlite3_column_type(statement_.get(), col) != SQLITE_INTEGER) return std::nullopt;
    return sqlite3_column_int64(statement_.get(), col);
  }
  // SQLite has no booleans: the schema's are integers, 0 or not.
  std::optional<bool> boolean(int col) const override {
    if (auto v = integer(col)) return *v != 0;
    return std::nullopt;
  }

 private:
  StatementPtr statement_;
  sqlite3* db_;
  std::string path_;
  std::string what_;
};

class SqliteConnection final : public sql::Connection {
 public:
  SqliteConnection(DatabasePtr db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  const std::string& name() const override { return path_; }
  sql::ColumnTypes types() const override {
    return {"INTEGER PRIMARY KEY", "INTEGER", "INTEGER", "TEXT"};
  }
  std::string_view label_sql() const override { return "json_extract(labels, ?)"; }
  // A JSON path, the key quoted; the path is bound, never spliced into SQL.
  std::string label_key(std::string_view key) const override {
    std::string path = "$.\"";
    for (char c : key) path += c == '"' ? std::string("\\\"") : std::string(1, c);
    return path + "\"";
  }
  size_t rows_per_statement() const override { return 1; }
  std::string_view hosts_scan() const override { return "hosts NOT INDEXED"; }
  std::string_view begin_write() const override { return "BEGIN IMMEDIATE"; }
  std::string_view begin_read() const override { return "BEGIN"; }
  std::string_view lock_schema() const override { return {}; }

  Result<void> script(std::string_view what, std::string_view sql) override {
    const std::string text(sql);
    if (sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      return failure(db_.get(), path_, what);
    return {};
  }

  Result<std::unique_ptr<sql::Statement>> prepare(std::string_view what,
                                                  std::string_view sql) override {
    LUCOMPAT_TRY(s, compile(what, sql));
    return std::unique_ptr<sql::Statement>(std::make_unique<SqliteStatement>(
        std::move(s).value(), db_.get(), path_, std::string(what)));
  }

  Result<sql::Rows> query(std::string_view what, std::string_view sql,
                          std::span<const sql::Value> params) override {
    LUCOMPAT_TRY(s, compile(what, sql));
    LUCOMPAT_CHECK(bind_all(s->get(), db_.get(), path_, what, params));
    return sql::Rows(
        std::make_unique<SqliteCursor>(std::move(s).value(), db_.get(), path_, std::string(what)),
        path_);
  }

  // Writers take the lock when they begin and wait for it: no deadlock.
  bool retryable() const override { return false; }

 private:
  Result<StatementPtr> compile(std::string_view what, std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    StatementPtr s(raw);
    if (rc != SQLITE_OK || s == nullptr) return failure(db_.get(), path_, what);
    return s;
  }

  DatabasePtr db_;
  std::string path_;
};

Error os_error(const std::string& path, const char* what) {
  return Error{ErrorKind::io, path, std::nullopt,
               fmt::format("{}: {}", what, std::strerror(errno))};
}

// The store is the fleet's inventory: readable by its owner only, whatever
// the umask. Directories made for it are 0700 (existing ones are left as
// they are), and the file is 0600; SQLite gives its journal the database
// file's mode.
Result<void> create_private(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> missing;
  for (auto p = fs::path(path).parent_path(); !p.empty() && !fs::exists(p, ec); p = p.parent_path())
    missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) == 0)
      ::chmod(it->c_str(), 0700);
    else if (errno != EEXIST)
      return os_error(it->string(), "cannot create the store's directory");
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno == EEXIST ? Result<void>() : os_error(path, "cannot create the store");
  const bool ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!ok) return os_error(path, "cannot make the store private");
  return {};
}

}  // namespace

Result<std::unique_ptr<sql::Connection>> connect_sqlite(const std::string& path,
                                                        StoreAccess access) {
  std::error_code ec;
  if (access == StoreAccess::existing && !std::filesystem::exists(path, ec))
    return Error{ErrorKind::io, path, std::nullopt, "no such store (fleet ingest creates it)"};
  if (access == StoreAccess::create) LUCOMPAT_CHECK(create_private(path));
  // A read-only command on a store this user cannot write reads it as it is.
  const bool writable = access == StoreAccess::create || ::access(path.c_str(), W_OK) == 0;
  const int mode =
      !writable ? SQLITE_OPEN_READONLY
                : SQLITE_OPEN_READWRITE | (access == StoreAccess::create ? SQLITE_OPEN_CREATE : 0);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, mode | SQLITE_OPEN_FULLMUTEX, nullptr);
  DatabasePtr db(raw);  // a handle that failed to open is closed too
  if (rc != SQLITE_OK)
    return Error{
        ErrorKind::io, path, std::nullopt,
        fmt::format("cannot open the store: {}", db ? sqlite3_errmsg(db.get()) : "out of memory")};
  sqlite3_busy_timeout(db.get(), 60000);
  auto connection = std::make_unique<SqliteConnection>(std::move(db), path);
  // Changing the journal mode (an earlier lucompat made WAL stores) takes a
  // lock that other ingesters may hold: hence the timeout first. FULL: in
  // rollback mode NORMAL may corrupt the store on a power loss. A query
  // writes nothing, not even that: it opens a store that may write only to
  // roll back what a killed ingester left.
  if (access == StoreAccess::create)
    LUCOMPAT_CHECK(connection->script(
        "cannot configure the database",
        "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  return std::unique_ptr<sql::Connection>(std::move(connection));
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, StoreAccess access) {
  LUCOMPAT_TRY(db, connect_sqlite(path, access));
  LUCOMPAT_CHECK(access == StoreAccess::create ? migrate(**db) : check_schema(**db));
  return std::make_unique<Store>(std::move(db).value());
}

}  // namespace lucompat
