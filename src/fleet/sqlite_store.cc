// The SQLite store: a rollback journal (a killed ingester leaves the last
// committed batch and nothing of the one in flight), a busy timeout so that
// several ingesters and readers queue instead of failing, and migrations
// applied on open by whoever may write it. Not WAL: a WAL database cannot be
// read by a user who may not create its -shm file, and a read-only query must
// work on a store its reader cannot write.
#include <fmt/format.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include "fleet/stores.h"

namespace lucompat {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

// Each entry moves the schema one version up; never edit one that shipped.
constexpr std::array kMigrations{
    R"sql(
      CREATE TABLE builds (
        id INTEGER PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,
        release TEXT NOT NULL,
        banner TEXT NOT NULL,
        build_id TEXT NOT NULL,
        arch TEXT NOT NULL,
        has_table INTEGER NOT NULL,
        strings TEXT NOT NULL);
      CREATE TABLE hosts (
        name TEXT PRIMARY KEY,
        collected_at TEXT NOT NULL,
        running INTEGER NOT NULL REFERENCES builds(id),
        staged INTEGER REFERENCES builds(id),
        profile TEXT NOT NULL,
        vmm_features TEXT NOT NULL,
        emit TEXT NOT NULL,
        labels TEXT NOT NULL);
      CREATE INDEX hosts_by_build ON hosts(running, staged);
    )sql",
    // What each build's strings rest on, and why they cannot support a
    // verdict, if so: without it the fleet judged kernels check calls undecided.
    R"sql(
      ALTER TABLE builds ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
      ALTER TABLE builds ADD COLUMN undecided TEXT NOT NULL DEFAULT '';
    )sql",
};

// A failed bind is kept and returned by the next step, so that a statement
// never runs with a parameter missing.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  explicit operator bool() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() { return stmt_; }
  void bind(int i, const std::string& s) {
    keep(sqlite3_bind_text64(stmt_, i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind(int i, int64_t v) { keep(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_null(int i) { keep(sqlite3_bind_null(stmt_, i)); }
  // SQLITE_ROW, SQLITE_DONE, or why neither.
  int step() {
    if (stmt_ == nullptr) return SQLITE_MISUSE;
    return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_);
  }
  std::string text(int col) {
    const auto* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  bool is_null(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<int64_t> integer(int col) {
    if (sqlite3_column_type(stmt_, col) != SQLITE_INTEGER) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    bind_rc_ = SQLITE_OK;
  }

 private:
  void keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

std::string json_text(const nlohmann::json& j) { return j.dump(); }

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(path), stored_(std::move(path)) {}
  ~SqliteStore() override { sqlite3_close(db_); }

  Error error(const std::string& what) const {
    return Error{ErrorKind::io, path_, std::nullopt, fmt::format("{}: {}", what, sqlite3_errmsg(db_))};
  }
  bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

  // A checked integer column: a hand-edited store may hold text there.
  Result<int64_t> integer(Statement& s, int col, const std::string& what) const {
    if (auto v = s.integer(col)) return *v;
    return stored_.corrupt(what, "not an integer");
  }
  Result<std::optional<int64_t>> optional_integer(Statement& s, int col, const std::string& what) const {
    if (s.is_null(col)) return std::optional<int64_t>();
    auto v = integer(s, col, what);
    if (!v) return std::move(v).error();
    return std::optional<int64_t>(*v);
  }
  // Every row through `read`, up to the first bad one. Rows end in
  // SQLITE_DONE; anything else is a read error, not the end.
  template <typename Row>
  Result<std::vector<Row>> read_rows(Statement& s, Result<Row> (SqliteStore::*read)(Statement&) const,
                                     const std::string& what) const {
    std::vector<Row> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      auto row = (this->*read)(s);
      if (!row) return std::move(row).error();
      out.push_back(std::move(row).value());
    }
    if (rc != SQLITE_DONE) return error(what);
    return out;
  }

  Result<bool> migrate() {
    // First: changing the journal mode (an earlier lucompat made WAL
    // stores) takes a lock that other ingesters may hold. FULL: in rollback
    // mode NORMAL may corrupt the store on a power loss.
    sqlite3_busy_timeout(db_, 60000);
    if (!exec("PRAGMA journal_mode=DELETE") || !exec("PRAGMA synchronous=FULL") ||
        !exec("PRAGMA foreign_keys=ON"))
      return error("cannot configure the database");
    if (!exec("BEGIN IMMEDIATE")) return error("cannot lock the database to migrate it");
    auto current = stored_version();
    if (!current) {
      exec("ROLLBACK");
      return std::move(current).error();
    }
    version_ = static_cast<int>(*current);
    if (*current > static_cast<int64_t>(kMigrations.size())) {
      exec("ROLLBACK");
      return Error{ErrorKind::unsupported, path_, std::nullopt,
                   fmt::format("the store's schema is version {}, newer than this lucompat knows ({})",
                               version_, kMigrations.size())};
    }
    for (size_t v = version_; v < kMigrations.size(); ++v) {
      if (!exec(kMigrations[v])) {
        Error e = error(fmt::format("migration to schema version {} failed", v + 1));
        exec("ROLLBACK");
        return e;
      }
      Statement s(db_, "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)");
      s.bind(1, static_cast<int64_t>(v + 1));
      s.bind(2, utc_now());
      if (s.step() != SQLITE_DONE) {
        Error e = error(fmt::format("cannot record schema version {}", v + 1));
        exec("ROLLBACK");
        return e;
      }
    }
    if (!exec("COMMIT")) return error("cannot commit the migration");
    version_ = static_cast<int>(kMigrations.size());
    return true;
  }

  // A store this user may read but not write (a copy, a 0640 file for a
  // readers' group): nothing can be migrated, so its schema must be current.
  Result<bool> check_current() {
    sqlite3_busy_timeout(db_, 60000);
    Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.step() != SQLITE_ROW) return error("cannot read the schema version (is it a lucompat store?)");
    auto v = integer(s, 0, "schema_migrations.version");
    if (!v) return std::move(v).error();
    const auto current = static_cast<int64_t>(kMigrations.size());
    if (*v != current)
      return Error{*v > current ? ErrorKind::unsupported : ErrorKind::io, path_, std::nullopt,
                   fmt::format("the store's schema is version {} and this lucompat's is {}, and this user "
                               "cannot write the store to migrate it: run `lucompat fleet ingest` as one who can",
                               *v, current)};
    version_ = static_cast<int>(current);
    return true;
  }

  Result<int64_t> stored_version() {
    if (!exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"))
      return error("cannot create the schema_migrations table");
    Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (s.step() != SQLITE_ROW) return error("cannot read the schema version");
    auto v = integer(s, 0, "schema_migrations.version");
    if (v && (*v < 0 || *v > 1'000'000)) return stored_.corrupt("schema_migrations.version", "out of range");
    return v;
  }


  Result<int64_t> build_id(const KernelFacts& k) {
    const std::string identity = k.identity();
    if (auto it = build_ids_.find(identity); it != build_ids_.end()) return it->second;
    Statement ins(db_,
                  "INSERT INTO builds(identity, release, banner, build_id, arch, has_table, strings, evidence, "
                  "undecided) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(identity) DO NOTHING");
    ins.bind(1, identity);
    ins.bind(2, k.release);
    ins.bind(3, k.banner);
    ins.bind(4, k.build_id);
    ins.bind(5, k.arch);
    ins.bind(6, static_cast<int64_t>(k.has_table));
    ins.bind(7, json_text(k.strings));
    ins.bind(8, k.evidence);
    ins.bind(9, k.undecided);
    if (ins.step() != SQLITE_DONE) return error("cannot store a kernel build");
    Statement sel(db_, "SELECT id FROM builds WHERE identity = ?");
    sel.bind(1, identity);
    if (sel.step() != SQLITE_ROW) return error("cannot find a kernel build");
    auto id = integer(sel, 0, "builds.id of " + identity);
    if (id) build_ids_[identity] = *id;
    return id;
  }

  Result<IngestStats> ingest(const std::vector<HostReport>& batch) override {
    if (!exec("BEGIN IMMEDIATE")) return error("cannot start a transaction");
    build_ids_.clear();  // ids of a rolled-back transaction must not survive it
    IngestStats stats;
    auto failed = [&](Error e) -> Result<IngestStats> {
      exec("ROLLBACK");
      build_ids_.clear();
      return e;
    };
    Statement up(db_,
                 "INSERT INTO hosts(name, collected_at, running, staged, profile, vmm_features, emit, labels) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT(name) DO UPDATE SET collected_at = excluded.collected_at, "
                 "running = excluded.running, staged = excluded.staged, profile = excluded.profile, "
                 "vmm_features = excluded.vmm_features, emit = excluded.emit, labels = excluded.labels "
                 "WHERE " + time_order_sql("excluded.collected_at") + " > " + time_order_sql("hosts.collected_at"));
    if (!up) return failed(error("cannot prepare the host upsert"));
    for (const auto& r : batch) {
      auto running = build_id(r.running);
      if (!running) return failed(running.error());
      std::optional<int64_t> staged;
      if (r.staged) {
        auto s = build_id(*r.staged);
        if (!s) return failed(s.error());
        staged = *s;
      }
      up.reset();
      up.bind(1, r.host);
      up.bind(2, r.collected_at);
      up.bind(3, *running);
      if (staged) up.bind(4, *staged);
      else up.bind_null(4);
      up.bind(5, r.profile);
      up.bind(6, json_text(r.vmm_features));
      up.bind(7, json_text(r.emit));
      up.bind(8, json_text(r.labels));
      if (up.step() != SQLITE_DONE) return failed(error("cannot store a host"));
      (sqlite3_changes(db_) > 0 ? stats.applied : stats.ignored) += 1;
    }
    if (!exec("COMMIT")) return failed(error("cannot commit the batch"));
    return stats;
  }

  Result<StoredBuild> build_row(Statement& s) const {
    StoredBuild b;
    auto id = integer(s, 0, "builds.id");
    if (!id) return std::move(id).error();
    b.id = *id;
    const std::string row = fmt::format("build {}", b.id);
    b.facts.release = s.text(1);
    b.facts.banner = s.text(2);
    b.facts.build_id = s.text(3);
    b.facts.arch = s.text(4);
    auto has_table = integer(s, 5, "builds.has_table of " + row);
    if (!has_table) return std::move(has_table).error();
    b.facts.has_table = *has_table != 0;
    auto strings = stored_.strings(s.text(6), "builds.strings of " + row);
    if (!strings) return std::move(strings).error();
    b.facts.strings = std::move(strings).value();
    b.facts.evidence = s.text(7);
    b.facts.undecided = s.text(8);
    return b;
  }

  Result<std::vector<StoredBuild>> builds() override {
    Statement s(db_, "SELECT id, release, banner, build_id, arch, has_table, strings, evidence, undecided FROM builds "
                    "ORDER BY id");
    return read_rows(s, &SqliteStore::build_row, "cannot read kernel builds");
  }

  // Label filters compare one key of the labels' JSON; the path is bound,
  // never spliced into the SQL.
  std::string where_sql(const std::vector<LabelFilter>& where) const {
    std::string sql;
    for (size_t i = 0; i < where.size(); ++i)
      sql += fmt::format("{} json_extract(labels, ?{}) = ?{}", i ? " AND" : " WHERE", 2 * i + 1, 2 * i + 2);
    return sql;
  }
  void bind_where(Statement& s, const std::vector<LabelFilter>& where) const {
    for (size_t i = 0; i < where.size(); ++i) {
      std::string key;
      for (char c : where[i].key) key += c == '"' ? std::string("\\\"") : std::string(1, c);
      s.bind(static_cast<int>(2 * i + 1), "$.\"" + key + "\"");
      s.bind(static_cast<int>(2 * i + 2), where[i].value);
    }
  }

  Result<std::vector<HostGroup>> groups(const std::vector<LabelFilter>& where) override {
    Statement s(db_, "SELECT running, staged, emit, profile, COUNT(*), MIN(name) FROM hosts" +
                         where_sql(where) + " GROUP BY running, staged, emit, profile ORDER BY running, staged");
    bind_where(s, where);
    return read_rows(s, &SqliteStore::group_row, "cannot query host groups");
  }

  Result<HostGroup> group_row(Statement& s) const {
    HostGroup g;
    g.example = s.text(5);
    const std::string row = "host " + g.example;
    auto running = integer(s, 0, "hosts.running of " + row);
    auto staged = optional_integer(s, 1, "hosts.staged of " + row);
    auto emit = stored_.string_object(s.text(2), "hosts.emit of " + row);
    for (const Error* e : {error_of(running), error_of(staged), error_of(emit)})
      if (e) return *e;
    g.running = *running;
    g.staged = *staged;
    g.emit = std::move(emit).value();
    g.profile = s.text(3);
    g.hosts = static_cast<size_t>(sqlite3_column_int64(s.get(), 4));
    return g;
  }

  Result<std::vector<StoredHost>> hosts(const std::vector<LabelFilter>& where) override {
    Statement s(db_, "SELECT name, collected_at, running, staged, profile, emit, labels FROM hosts" + where_sql(where) +
                         " ORDER BY name");
    bind_where(s, where);
    return read_rows(s, &SqliteStore::host_row, "cannot query hosts");
  }

  Result<StoredHost> host_row(Statement& s) const {
    StoredHost h;
    h.name = s.text(0);
    const std::string row = "host " + h.name;
    auto collected = stored_.time(s.text(1), "hosts.collected_at of " + row);
    auto running = integer(s, 2, "hosts.running of " + row);
    auto staged = optional_integer(s, 3, "hosts.staged of " + row);
    auto emit = stored_.string_object(s.text(5), "hosts.emit of " + row);
    auto labels = stored_.string_object(s.text(6), "hosts.labels of " + row);
    for (const Error* e : {error_of(collected), error_of(running), error_of(staged), error_of(emit), error_of(labels)})
      if (e) return *e;
    h.collected_at = s.text(1);
    h.collected = *collected;
    h.running = *running;
    h.staged = *staged;
    h.profile = s.text(4);
    h.emit = std::move(emit).value();
    h.labels = std::move(labels).value();
    return h;
  }

 private:
  sqlite3* db_;
  std::string path_;
  StoredValues stored_;
  int version_ = 0;
  std::map<std::string, int64_t> build_ids_;
};

Error os_error(const std::string& path, const char* what) {
  return Error{ErrorKind::io, path, std::nullopt, fmt::format("{}: {}", what, std::strerror(errno))};
}

// The store is the fleet's inventory: readable by its owner only, whatever
// the umask. Directories made for it are 0700 (existing ones are left as
// they are), and the file is 0600; SQLite gives its -wal and -shm files the
// database file's mode.
Result<bool> create_private(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> missing;
  for (auto p = fs::path(path).parent_path(); !p.empty() && !fs::exists(p, ec); p = p.parent_path())
    missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) == 0) ::chmod(it->c_str(), 0700);
    else if (errno != EEXIST) return os_error(it->string(), "cannot create the store's directory");
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno == EEXIST ? Result<bool>(true) : os_error(path, "cannot create the store");
  const bool ok = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!ok) return os_error(path, "cannot make the store private");
  return true;
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url, StoreAccess access) {
  if (url == "sqlite:")
    return Error{ErrorKind::usage, url, std::nullopt, "the store URL has no path: expected sqlite:PATH"};
  // Errors name the store as store_name() does: never with its password.
  if (url.starts_with(kSqlitePrefix)) return open_sqlite_store(store_name(url), access);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return open_postgres_store(url);
  return Error{ErrorKind::usage, store_name(url), std::nullopt,
               "unsupported store URL: expected sqlite:PATH or postgresql://..."};
}

std::string store_name(const std::string& url) {
  if (url.starts_with(kSqlitePrefix)) return url.substr(kSqlitePrefix.size());
  std::string out = url;
  // postgresql://user:SECRET@host/db
  if (const size_t scheme = out.find("://"); scheme != std::string::npos) {
    const size_t at = out.find('@', scheme + 3);
    const size_t colon = out.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=SECRET&...
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t begin = p + std::string_view("password=").size();
    const size_t end = std::min(out.find('&', begin), out.size());
    out.replace(begin, end - begin, "***");
  }
  return out;
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, StoreAccess access) {
  std::error_code ec;
  if (access == StoreAccess::existing && !std::filesystem::exists(path, ec))
    return Error{ErrorKind::io, path, std::nullopt, "no such store (fleet ingest creates it)"};
  if (access == StoreAccess::create)
    if (auto made = create_private(path); !made) return std::move(made).error();
  // A read-only command on a store this user cannot write reads it as it is.
  const bool read_only = access == StoreAccess::existing && ::access(path.c_str(), W_OK) != 0;
  const int mode = read_only ? SQLITE_OPEN_READONLY
                             : SQLITE_OPEN_READWRITE | (access == StoreAccess::create ? SQLITE_OPEN_CREATE : 0);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, mode | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    Error e{ErrorKind::io, path, std::nullopt,
            fmt::format("cannot open the store: {}", db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close(db);
    return e;
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  if (auto r = read_only ? store->check_current() : store->migrate(); !r) return std::move(r).error();
  return std::unique_ptr<Store>(std::move(store));
}

std::string default_store_url() {
  if (::geteuid() == 0) return "sqlite:/var/lib/lucompat/fleet.db";
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const std::string base = xdg && *xdg ? xdg : std::string(home ? home : ".") + "/.local/share";
  return "sqlite:" + base + "/lucompat/fleet.db";
}

}  // namespace lucompat
