// The PostgreSQL store, for fleets too large for one file: the same tables as
// SQLite in PostgreSQL's dialect, migrations under an advisory lock (several
// hosts may open a new database at once), and batches retried when two
// ingesters deadlock on the same new kernel builds.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <array>
#include <map>
#include <memory>

#include "lucompat/base/shared_library.h"
#include "fleet/stores.h"

namespace lucompat {
namespace {

constexpr std::array kMigrations{
    R"sql(
      CREATE TABLE builds (
        id BIGSERIAL PRIMARY KEY,
        identity TEXT NOT NULL UNIQUE,
        release TEXT NOT NULL,
        banner TEXT NOT NULL,
        build_id TEXT NOT NULL,
        arch TEXT NOT NULL,
        has_table BOOLEAN NOT NULL,
        strings TEXT NOT NULL);
      CREATE TABLE hosts (
        name TEXT PRIMARY KEY,
        collected_at TEXT NOT NULL,
        running BIGINT NOT NULL REFERENCES builds(id),
        staged BIGINT REFERENCES builds(id),
        profile TEXT NOT NULL,
        vmm_features TEXT NOT NULL,
        emit TEXT NOT NULL,
        labels JSONB NOT NULL);
      CREATE INDEX hosts_by_build ON hosts(running, staged);
    )sql",
    // What each build's strings rest on, and why they cannot support a
    // verdict, if so: without it the fleet judged kernels check calls undecided.
    R"sql(
      ALTER TABLE builds ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
      ALTER TABLE builds ADD COLUMN undecided TEXT NOT NULL DEFAULT '';
    )sql",
};

// An arbitrary constant: the key of the lock that serializes migrations.
constexpr int64_t kMigrationLock = 0x6c75636f6d706174;

#define LUCOMPAT_LIBPQ(X)                                                                   \
  X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQerrorMessage) X(PQexec) X(PQexecParams)      \
  X(PQfinish) X(PQgetisnull) X(PQgetvalue) X(PQntuples) X(PQresultErrorField)              \
  X(PQresultErrorMessage) X(PQresultStatus) X(PQstatus)

LUCOMPAT_SHARED_API(Libpq, LUCOMPAT_LIBPQ);

const Result<Libpq>& load_libpq() {
  static const Result<Libpq> loaded = load_shared_api<Libpq>("libpq.so.5", "a PostgreSQL fleet store");
  return loaded;
}

// Valid once open_postgres_store has loaded the library.
const Libpq& pq() { return load_libpq().value(); }

using ResultPtr = std::unique_ptr<PGresult, decltype(Libpq::PQclear)>;

class PostgresStore final : public Store {
 public:
  // Errors name the store by store_name(): its password masked.
  PostgresStore(PGconn* conn, const std::string& url)
      : conn_(conn), url_(store_name(url)), stored_(store_name(url)) {}
  ~PostgresStore() override { pq().PQfinish(conn_); }

  Error error(const std::string& what, const PGresult* r = nullptr) const {
    const char* msg = r ? pq().PQresultErrorMessage(r) : pq().PQerrorMessage(conn_);
    return Error{ErrorKind::io, url_, std::nullopt, fmt::format("{}: {}", what, one_line(msg ? msg : ""))};
  }

  // PostgreSQL adds DETAIL and HINT lines; an error is one line.
  static std::string one_line(std::string m) {
    while (!m.empty() && m.back() == '\n') m.pop_back();
    for (size_t at = 0; (at = m.find('\n', at)) != std::string::npos;) m.replace(at, 1, "; ");
    return m;
  }

  // Every row through `read`, up to the first bad one.
  template <typename Row>
  Result<std::vector<Row>> read_rows(const ResultPtr& r,
                                     Result<Row> (PostgresStore::*read)(const ResultPtr&, int) const) const {
    std::vector<Row> out;
    for (int i = 0; i < pq().PQntuples(r.get()); ++i) {
      auto row = (this->*read)(r, i);
      if (!row) return std::move(row).error();
      out.push_back(std::move(row).value());
    }
    return out;
  }

  static std::string_view value(const ResultPtr& r, int row, int col) { return pq().PQgetvalue(r.get(), row, col); }
  Result<int64_t> integer(const ResultPtr& r, int row, int col, const std::string& what) const {
    return stored_.integer(value(r, row, col), what);
  }
  Result<std::optional<int64_t>> optional_integer(const ResultPtr& r, int row, int col, const std::string& what) const {
    if (pq().PQgetisnull(r.get(), row, col)) return std::optional<int64_t>();
    auto v = integer(r, row, col, what);
    if (!v) return std::move(v).error();
    return std::optional<int64_t>(*v);
  }

  ResultPtr run(const std::string& sql, const std::vector<std::string>& params = {},
                const std::vector<bool>& null = {}) {
    std::vector<const char*> values;
    for (size_t i = 0; i < params.size(); ++i)
      values.push_back(i < null.size() && null[i] ? nullptr : params[i].c_str());
    return ResultPtr(pq().PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0),
                     pq().PQclear);
  }
  // Several statements, no parameters: what a migration is.
  ResultPtr script(const char* sql) { return ResultPtr(pq().PQexec(conn_, sql), pq().PQclear); }

  static bool ok(const ResultPtr& r) {
    const auto s = pq().PQresultStatus(r.get());
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  // Deadlock or serialization failure: the batch may simply be retried.
  static bool retryable(const ResultPtr& r) {
    const char* state = pq().PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
    return state && (std::string_view(state) == "40P01" || std::string_view(state) == "40001");
  }

  Result<bool> migrate() {
    run("SET client_min_messages = warning");
    if (!ok(run("BEGIN"))) return error("cannot start the migration");
    auto lock = run(fmt::format("SELECT pg_advisory_xact_lock({})", kMigrationLock));
    auto table = run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    auto current = run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!ok(lock) || !ok(table) || !ok(current)) {
      Error e = error("cannot read the schema version", current.get());
      run("ROLLBACK");
      return e;
    }
    auto stored = integer(current, 0, 0, "schema_migrations.version");
    if (stored && (*stored < 0 || *stored > 1'000'000))
      stored = stored_.corrupt("schema_migrations.version", "out of range");
    if (!stored) {
      run("ROLLBACK");
      return std::move(stored).error();
    }
    version_ = static_cast<int>(*stored);
    if (version_ > static_cast<int>(kMigrations.size())) {
      run("ROLLBACK");
      return Error{ErrorKind::unsupported, url_, std::nullopt,
                   fmt::format("the store's schema is version {}, newer than this lucompat knows ({})",
                               version_, kMigrations.size())};
    }
    for (size_t v = version_; v < kMigrations.size(); ++v) {
      auto r = script(kMigrations[v]);
      if (!ok(r)) {
        Error e = error(fmt::format("migration to schema version {} failed", v + 1), r.get());
        run("ROLLBACK");
        return e;
      }
      auto recorded = run("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
                          {std::to_string(v + 1), utc_now()});
      if (!ok(recorded)) {
        Error e = error(fmt::format("cannot record schema version {}", v + 1), recorded.get());
        run("ROLLBACK");
        return e;
      }
    }
    if (!ok(run("COMMIT"))) return error("cannot commit the migration");
    version_ = static_cast<int>(kMigrations.size());
    return true;
  }


  Result<int64_t> build_id(const KernelFacts& k) {
    const std::string identity = k.identity();
    if (auto it = build_ids_.find(identity); it != build_ids_.end()) return it->second;
    auto ins = run(
        "INSERT INTO builds(identity, release, banner, build_id, arch, has_table, strings, evidence, undecided) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (identity) DO NOTHING",
        {identity, k.release, k.banner, k.build_id, k.arch, k.has_table ? "true" : "false",
         nlohmann::json(k.strings).dump(), k.evidence, k.undecided});
    if (!ok(ins)) {
      retry_ = retryable(ins);
      return error("cannot store a kernel build", ins.get());
    }
    auto sel = run("SELECT id FROM builds WHERE identity = $1", {identity});
    if (!ok(sel) || pq().PQntuples(sel.get()) != 1) return error("cannot find a kernel build", sel.get());
    auto id = integer(sel, 0, 0, "builds.id of " + identity);
    if (id) build_ids_[identity] = *id;
    return id;
  }

  // One statement for up to kChunk hosts: a round trip per host would make
  // the network, not the database, the limit. A statement may touch a row
  // once, so a host repeated in the chunk keeps only its newest report.
  static constexpr size_t kChunk = 1000;

  Result<IngestStats> upsert_hosts(const std::vector<const HostReport*>& chunk,
                                   const std::vector<std::pair<int64_t, std::optional<int64_t>>>& ids) {
    std::map<std::string, size_t> newest;
    for (size_t i = 0; i < chunk.size(); ++i) {
      auto [it, fresh] = newest.emplace(chunk[i]->host, i);
      if (!fresh && parse_utc(chunk[i]->collected_at) > parse_utc(chunk[it->second]->collected_at)) it->second = i;
    }
    std::string sql =
        "INSERT INTO hosts(name, collected_at, running, staged, profile, vmm_features, emit, labels) VALUES ";
    std::vector<std::string> params;
    std::vector<bool> null;
    for (const auto& [host, i] : newest) {
      const HostReport& r = *chunk[i];
      const size_t n = params.size();
      sql += fmt::format("{}(${}, ${}, ${}::bigint, ${}::bigint, ${}, ${}, ${}, ${}::jsonb)", n ? ", " : "", n + 1,
                         n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8);
      params.insert(params.end(), {r.host, r.collected_at, std::to_string(ids[i].first),
                                   ids[i].second ? std::to_string(*ids[i].second) : std::string(), r.profile,
                                   nlohmann::json(r.vmm_features).dump(), nlohmann::json(r.emit).dump(),
                                   nlohmann::json(r.labels).dump()});
      null.insert(null.end(), {false, false, false, !ids[i].second, false, false, false, false});
    }
    sql +=
        " ON CONFLICT (name) DO UPDATE SET collected_at = excluded.collected_at, "
        "running = excluded.running, staged = excluded.staged, profile = excluded.profile, "
        "vmm_features = excluded.vmm_features, emit = excluded.emit, labels = excluded.labels "
        "WHERE " + time_order_sql("excluded.collected_at") + " > " + time_order_sql("hosts.collected_at");
    auto up = run(sql, params, null);
    if (!ok(up)) {
      retry_ = retryable(up);
      return error("cannot store hosts", up.get());
    }
    auto applied = stored_.integer(pq().PQcmdTuples(up.get()), "the count of stored hosts");
    if (!applied) return std::move(applied).error();
    IngestStats stats;
    stats.applied = static_cast<size_t>(*applied);
    stats.ignored = chunk.size() - stats.applied;
    return stats;
  }

  Result<IngestStats> ingest_once(const std::vector<HostReport>& batch) {
    retry_ = false;
    build_ids_.clear();  // ids of a rolled-back transaction must not survive it
    if (!ok(run("BEGIN"))) return error("cannot start a transaction");
    IngestStats stats;
    const auto failed = [&](Error e) -> Result<IngestStats> {
      run("ROLLBACK");
      build_ids_.clear();
      return e;
    };
    for (size_t at = 0; at < batch.size(); at += kChunk) {
      std::vector<const HostReport*> chunk;
      std::vector<std::pair<int64_t, std::optional<int64_t>>> ids;
      for (size_t i = at; i < std::min(batch.size(), at + kChunk); ++i) {
        const HostReport& r = batch[i];
        auto running = build_id(r.running);
        if (!running) return failed(running.error());
        std::optional<int64_t> staged;
        if (r.staged) {
          auto s = build_id(*r.staged);
          if (!s) return failed(s.error());
          staged = *s;
        }
        chunk.push_back(&r);
        ids.emplace_back(*running, staged);
      }
      auto part = upsert_hosts(chunk, ids);
      if (!part) return failed(part.error());
      stats.applied += part->applied;
      stats.ignored += part->ignored;
    }
    auto commit = run("COMMIT");
    if (!ok(commit)) {
      retry_ = retryable(commit);
      return failed(error("cannot commit the batch", commit.get()));
    }
    return stats;
  }

  Result<IngestStats> ingest(const std::vector<HostReport>& batch) override {
    for (int attempt = 0;; ++attempt) {
      auto r = ingest_once(batch);
      if (r || !retry_ || attempt == 4) return r;
    }
  }

  Result<std::vector<StoredBuild>> builds() override {
    auto r = run(
        "SELECT id, release, banner, build_id, arch, has_table, strings, evidence, undecided FROM builds ORDER BY id");
    if (!ok(r)) return error("cannot read kernel builds", r.get());
    return read_rows(r, &PostgresStore::build_row);
  }

  Result<StoredBuild> build_row(const ResultPtr& r, int i) const {
    StoredBuild b;
    auto id = integer(r, i, 0, "builds.id");
    if (!id) return std::move(id).error();
    b.id = *id;
    b.facts.release = value(r, i, 1);
    b.facts.banner = value(r, i, 2);
    b.facts.build_id = value(r, i, 3);
    b.facts.arch = value(r, i, 4);
    b.facts.has_table = value(r, i, 5) == "t";
    auto strings = stored_.strings(value(r, i, 6), fmt::format("builds.strings of build {}", b.id));
    if (!strings) return std::move(strings).error();
    b.facts.strings = std::move(strings).value();
    b.facts.evidence = value(r, i, 7);
    b.facts.undecided = value(r, i, 8);
    return b;
  }

  static std::string where_sql(const std::vector<LabelFilter>& where, std::vector<std::string>& params) {
    std::string sql;
    for (const auto& w : where) {
      params.push_back(w.key);
      params.push_back(w.value);
      sql += fmt::format("{} labels->>${} = ${}", params.size() == 2 ? " WHERE" : " AND", params.size() - 1,
                         params.size());
    }
    return sql;
  }

  Result<std::vector<HostGroup>> groups(const std::vector<LabelFilter>& where) override {
    std::vector<std::string> params;
    auto r = run("SELECT running, staged, emit, profile, COUNT(*), MIN(name) FROM hosts" + where_sql(where, params) +
                     " GROUP BY running, staged, emit, profile ORDER BY running, staged",
                 params);
    if (!ok(r)) return error("cannot query host groups", r.get());
    return read_rows(r, &PostgresStore::group_row);
  }

  Result<HostGroup> group_row(const ResultPtr& r, int i) const {
    HostGroup g;
    g.example = value(r, i, 5);
    const std::string row = "host " + g.example;
    auto running = integer(r, i, 0, "hosts.running of " + row);
    auto staged = optional_integer(r, i, 1, "hosts.staged of " + row);
    auto emit = stored_.string_object(value(r, i, 2), "hosts.emit of " + row);
    auto hosts = integer(r, i, 4, "the host count of a group");
    for (const Error* e : {error_of(running), error_of(staged), error_of(emit), error_of(hosts)})
      if (e) return *e;
    g.running = *running;
    g.staged = *staged;
    g.emit = std::move(emit).value();
    g.profile = value(r, i, 3);
    g.hosts = static_cast<size_t>(*hosts);
    return g;
  }

  Result<std::vector<StoredHost>> hosts(const std::vector<LabelFilter>& where) override {
    std::vector<std::string> params;
    auto r = run("SELECT name, collected_at, running, staged, profile, emit, labels::text FROM hosts" + where_sql(where, params) +
                     " ORDER BY name",
                 params);
    if (!ok(r)) return error("cannot query hosts", r.get());
    return read_rows(r, &PostgresStore::host_row);
  }

  Result<StoredHost> host_row(const ResultPtr& r, int i) const {
    StoredHost h;
    h.name = value(r, i, 0);
    const std::string row = "host " + h.name;
    auto collected = stored_.time(value(r, i, 1), "hosts.collected_at of " + row);
    auto running = integer(r, i, 2, "hosts.running of " + row);
    auto staged = optional_integer(r, i, 3, "hosts.staged of " + row);
    auto emit = stored_.string_object(value(r, i, 5), "hosts.emit of " + row);
    auto labels = stored_.string_object(value(r, i, 6), "hosts.labels of " + row);
    for (const Error* e : {error_of(collected), error_of(running), error_of(staged), error_of(emit), error_of(labels)})
      if (e) return *e;
    h.collected_at = value(r, i, 1);
    h.collected = *collected;
    h.running = *running;
    h.staged = *staged;
    h.profile = value(r, i, 4);
    h.emit = std::move(emit).value();
    h.labels = std::move(labels).value();
    return h;
  }

 private:
  PGconn* conn_;
  std::string url_;
  StoredValues stored_;
  int version_ = 0;
  bool retry_ = false;  // the last failure was a deadlock: the batch may be retried
  std::map<std::string, int64_t> build_ids_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url) {
  if (const auto& loaded = load_libpq(); !loaded) return Error(loaded.error());
  PGconn* conn = pq().PQconnectdb(url.c_str());
  if (pq().PQstatus(conn) != CONNECTION_OK) {
    std::string m = PostgresStore::one_line(pq().PQerrorMessage(conn));
    pq().PQfinish(conn);
    return Error{ErrorKind::io, store_name(url), std::nullopt, "cannot connect to the store: " + m};
  }
  auto store = std::make_unique<PostgresStore>(conn, url);
  if (auto r = store->migrate(); !r) return std::move(r).error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace lucompat
