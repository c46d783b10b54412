// The SQLite store: WAL journal (a killed ingester leaves the last committed
// batch and nothing of the one in flight), a busy timeout so that several
// ingesters queue instead of failing, and migrations applied on open.
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>

#include "fleet/stores.h"

namespace lucompat {
namespace {

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
};

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
  void bind(int i, const std::string& s) { sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT); }
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  std::string text(int col) {
    const auto* t = sqlite3_column_text(stmt_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

std::string json_text(const nlohmann::json& j) { return j.dump(); }

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override { sqlite3_close(db_); }

  Error error(const std::string& what) const {
    return Error{ErrorKind::io, path_, std::nullopt, fmt::format("{}: {}", what, sqlite3_errmsg(db_))};
  }
  bool exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

  Result<bool> migrate() {
    // First: switching to WAL takes a lock that other ingesters may hold.
    sqlite3_busy_timeout(db_, 60000);
    if (!exec("PRAGMA journal_mode=WAL") || !exec("PRAGMA synchronous=NORMAL") ||
        !exec("PRAGMA foreign_keys=ON"))
      return error("cannot configure the database");
    if (!exec("BEGIN IMMEDIATE")) return error("cannot lock the database to migrate it");
    exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    version_ = 0;
    {
      Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      if (s && sqlite3_step(s.get()) == SQLITE_ROW) version_ = sqlite3_column_int(s.get(), 0);
    }
    if (version_ > static_cast<int>(kMigrations.size())) {
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
      sqlite3_step(s.get());
    }
    if (!exec("COMMIT")) return error("cannot commit the migration");
    version_ = static_cast<int>(kMigrations.size());
    return true;
  }

  int schema_version() override { return version_; }

  Result<int64_t> build_id(const KernelFacts& k) {
    const std::string identity = k.identity();
    if (auto it = build_ids_.find(identity); it != build_ids_.end()) return it->second;
    Statement ins(db_,
                  "INSERT INTO builds(identity, release, banner, build_id, arch, has_table, strings) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(identity) DO NOTHING");
    ins.bind(1, identity);
    ins.bind(2, k.release);
    ins.bind(3, k.banner);
    ins.bind(4, k.build_id);
    ins.bind(5, k.arch);
    ins.bind(6, static_cast<int64_t>(k.has_table));
    ins.bind(7, json_text(k.strings));
    if (sqlite3_step(ins.get()) != SQLITE_DONE) return error("cannot store a kernel build");
    Statement sel(db_, "SELECT id FROM builds WHERE identity = ?");
    sel.bind(1, identity);
    if (sqlite3_step(sel.get()) != SQLITE_ROW) return error("cannot find a kernel build");
    const int64_t id = sqlite3_column_int64(sel.get(), 0);
    build_ids_[identity] = id;
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
                 "WHERE excluded.collected_at > hosts.collected_at");
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
      if (sqlite3_step(up.get()) != SQLITE_DONE) return failed(error("cannot store a host"));
      (sqlite3_changes(db_) > 0 ? stats.applied : stats.ignored) += 1;
    }
    if (!exec("COMMIT")) return failed(error("cannot commit the batch"));
    return stats;
  }

  Result<std::vector<StoredBuild>> builds() override {
    std::vector<StoredBuild> out;
    Statement s(db_, "SELECT id, release, banner, build_id, arch, has_table, strings FROM builds ORDER BY id");
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      StoredBuild b;
      b.id = sqlite3_column_int64(s.get(), 0);
      b.facts.release = s.text(1);
      b.facts.banner = s.text(2);
      b.facts.build_id = s.text(3);
      b.facts.arch = s.text(4);
      b.facts.has_table = sqlite3_column_int(s.get(), 5) != 0;
      b.facts.strings = nlohmann::json::parse(s.text(6)).get<std::vector<std::string>>();
      out.push_back(std::move(b));
    }
    return out;
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
    std::vector<HostGroup> out;
    Statement s(db_, "SELECT running, staged, emit, profile, COUNT(*), MIN(name) FROM hosts" +
                         where_sql(where) + " GROUP BY running, staged, emit, profile ORDER BY running, staged");
    if (!s) return error("cannot query host groups");
    bind_where(s, where);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      HostGroup g;
      g.running = sqlite3_column_int64(s.get(), 0);
      if (sqlite3_column_type(s.get(), 1) != SQLITE_NULL) g.staged = sqlite3_column_int64(s.get(), 1);
      g.emit = s.text(2);
      g.profile = s.text(3);
      g.hosts = static_cast<size_t>(sqlite3_column_int64(s.get(), 4));
      g.example = s.text(5);
      out.push_back(std::move(g));
    }
    return out;
  }

  Result<std::vector<StoredHost>> hosts(const std::vector<LabelFilter>& where) override {
    std::vector<StoredHost> out;
    Statement s(db_, "SELECT name, collected_at, running, staged, profile, emit, labels FROM hosts" + where_sql(where) +
                         " ORDER BY name");
    if (!s) return error("cannot query hosts");
    bind_where(s, where);
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      StoredHost h;
      h.name = s.text(0);
      h.collected_at = s.text(1);
      h.running = sqlite3_column_int64(s.get(), 2);
      if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) h.staged = sqlite3_column_int64(s.get(), 3);
      h.profile = s.text(4);
      h.emit = s.text(5);
      h.labels = s.text(6);
      out.push_back(std::move(h));
    }
    return out;
  }

 private:
  sqlite3* db_;
  std::string path_;
  int version_ = 0;
  std::map<std::string, int64_t> build_ids_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url) {
  if (url.starts_with("sqlite:")) return open_sqlite_store(url.substr(7));
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return open_postgres_store(url);
  return Error{ErrorKind::usage, url, std::nullopt,
               "unsupported store URL: expected sqlite:PATH or postgresql://..."};
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e{ErrorKind::io, path, std::nullopt,
            fmt::format("cannot open the store: {}", db ? sqlite3_errmsg(db) : "out of memory")};
    sqlite3_close(db);
    return e;
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  if (auto r = store->migrate(); !r) return std::move(r).error();
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
