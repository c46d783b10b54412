// The store written once for both databases: schema, migrations, ingest and
// the queries, over sql::Connection.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

#include "fleet/stores.h"
#include "lucompat/base/json_dump.h"

namespace lucompat {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";

// Each entry moves the schema one version up; never change what one does
// once it shipped. {id}, {integer}, {boolean} and {json} are the dialect's
// column types.
constexpr std::array<std::string_view, 3> kMigrations{
    R"sql(
      CREATE TABLE builds (
        id {id},
        identity TEXT NOT NULL UNIQUE,
        release TEXT NOT NULL,
        banner TEXT NOT NULL,
        build_id TEXT NOT NULL,
        arch TEXT NOT NULL,
        has_table {boolean} NOT NULL,
        strings TEXT NOT NULL);
      CREATE TABLE hosts (
        name TEXT PRIMARY KEY,
        collected_at TEXT NOT NULL,
        running {integer} NOT NULL REFERENCES builds(id),
        staged {integer} REFERENCES builds(id),
        profile TEXT NOT NULL,
        vmm_features TEXT NOT NULL,
        emit TEXT NOT NULL,
        labels {json} NOT NULL);
      CREATE INDEX hosts_by_build ON hosts(running, staged);
    )sql",
    // What each build's strings rest on, and why they cannot support a
    // verdict, if so: without it the fleet judged kernels check calls undecided.
    R"sql(
      ALTER TABLE builds ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
      ALTER TABLE builds ADD COLUMN undecided TEXT NOT NULL DEFAULT '';
    )sql",
    // What was predicted for the live update that booted each host's running
    // kernel, beside what it did: the kernel-install record of the entry the
    // host would boot (staged_*), carried to predicted when a report of a new
    // boot (boot_id) runs that entry's kernel; outcome is the report's.
    R"sql(
      ALTER TABLE hosts ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE hosts ADD COLUMN staged_verdict TEXT NOT NULL DEFAULT '';
      ALTER TABLE hosts ADD COLUMN staged_banner TEXT NOT NULL DEFAULT '';
      ALTER TABLE hosts ADD COLUMN predicted TEXT NOT NULL DEFAULT '';
      ALTER TABLE hosts ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
    )sql",
};
constexpr auto kSchemaVersion = static_cast<int64_t>(kMigrations.size());

std::string migration_sql(const sql::Connection& db, size_t index) {
  const sql::ColumnTypes t = db.types();
  return fmt::format(fmt::runtime(kMigrations[index]), fmt::arg("id", t.id),
                     fmt::arg("integer", t.integer), fmt::arg("boolean", t.boolean),
                     fmt::arg("json", t.json));
}

// The integer in the first column of a query's one row (a version, an id),
// the rows read to their end so that the connection is free again.
Result<int64_t> one_integer(sql::Connection& db, std::string_view what, std::string_view sql,
                            std::span<const sql::Value> params, std::string_view column,
                            std::string_view of = {},
                            int64_t most = std::numeric_limits<int64_t>::max()) {
  LUCOMPAT_TRY(rows, db.query(what, sql, params));
  LUCOMPAT_TRY(row, rows->next());
  if (!*row) return Error{ErrorKind::io, db.name(), std::nullopt, fmt::format("{}: no row", what)};
  auto v = rows->integer(0, column, of);
  if (v && (*v < 0 || *v > most)) return rows->corrupt(column, of, "out of range");
  if (auto end = rows->next(); !end || *end)
    return end ? Error{ErrorKind::io, db.name(), std::nullopt,
                       fmt::format("{}: more than one row", what)}
               : std::move(end).error();
  return v;
}

Result<int64_t> read_version(sql::Connection& db, std::string_view what) {
  return one_integer(db, what, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                     "schema_migrations.version", {}, 1'000'000);
}

// Ends the transaction a failure left open; the failure is what is returned.
Error rolled_back(sql::Connection& db, Error e) {
  (void)db.script("cannot roll back", "ROLLBACK");
  return e;
}

// An SQL expression over a collected_at column whose text order is the
// instants' order: the fraction padded to nine digits, so "...:00.5Z" sorts
// after "...:00Z". Stored text stays as sent.
std::string time_order_sql(std::string_view c) {
  return fmt::format(
      "(substr({0}, 1, 19) || substr(CASE WHEN length({0}) > 20 THEN substr({0}, 20, length({0}) - "
      "20) "
      "ELSE '.' END || '000000000', 1, 10))",
      c);
}

// A host's first report predicts nothing; a later one of the same boot keeps
// what was predicted; one of a new boot into the kernel of the entry whose
// verdict the previous report carried takes that verdict.
constexpr std::string_view kPredictedSql =
    "CASE WHEN excluded.boot_id = '' THEN '' "
    "WHEN excluded.boot_id = hosts.boot_id THEN hosts.predicted "
    "WHEN hosts.staged_banner <> '' AND hosts.staged_banner = "
    "(SELECT banner FROM builds WHERE builds.id = excluded.running) "
    "THEN hosts.staged_verdict ELSE '' END";

std::string upsert_sql(size_t rows) {
  std::string sql =
      "INSERT INTO hosts(name, collected_at, running, staged, profile, vmm_features, emit, labels, "
      "boot_id, staged_verdict, staged_banner, predicted, outcome) VALUES ";
  for (size_t i = 0; i < rows; ++i)
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)"
                  : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)";
  return sql +
         " ON CONFLICT (name) DO UPDATE SET collected_at = excluded.collected_at, running = "
         "excluded.running, "
         "staged = excluded.staged, profile = excluded.profile, vmm_features = "
         "excluded.vmm_features, "
         "emit = excluded.emit, labels = excluded.labels, boot_id = excluded.boot_id, "
         "staged_verdict = excluded.staged_verdict, "
         "staged_banner = excluded.staged_banner, outcome = excluded.outcome, predicted = " +
         std::string(kPredictedSql) + " WHERE " + time_order_sql("excluded.collected_at") + " > " +
         time_order_sql("hosts.collected_at");
}

// What a report says of the staged entry's recorded verdict, if it was made
// against the kernel the report's host runs.
std::pair<std::string_view, std::string_view> staged_prediction(const HostReport& r) {
  // "", not a view of nothing: the database layer binds that as NULL.
  if (!r.installed_check || !r.installed_check->against_running) return {"", ""};
  return {r.installed_check->verdict, r.installed_check->next_banner};
}

// Every fact a build's row holds, as one text, its identity first: the
// order in which a batch stores new builds (see ingest_once).
std::string facts_key(const KernelFacts& k) {
  return dump_json(nlohmann::json::array({k.identity(), k.release, k.banner, k.build_id, k.arch,
                                          k.has_version_set, k.strings, k.evidence, k.undecided}));
}

// FNV-1a: a variant's identity must not change with the compiler or the
// library that hashes it, as std::hash may. A collision costs one more
// probe, never a wrong build: stored facts are compared whole.
uint64_t fnv1a(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  return h;
}

// How many rows may claim one variant's identity before ingest gives up:
// only facts made to collide in 64 bits get past the first.
constexpr int kMaxProbes = 16;

constexpr std::string_view kBuildColumns =
    "id, release, banner, build_id, arch, has_table, strings, evidence, undecided";

// A row of kBuildColumns, checked.
Result<StoredBuild> read_build(const sql::Rows& rows) {
  StoredBuild b;
  LUCOMPAT_TRY(id, rows.integer(0, "builds.id"));
  b.id = *id;
  const std::string of = std::to_string(b.id);
  auto release = rows.text(1, "builds.release of build", of);
  auto banner = rows.text(2, "builds.banner of build", of);
  auto build_id = rows.text(3, "builds.build_id of build", of);
  auto arch = rows.text(4, "builds.arch of build", of);
  auto has_table = rows.boolean(5, "builds.has_table of build", of);
  auto strings = rows.strings(6, "builds.strings of build", of);
  auto evidence = rows.text(7, "builds.evidence of build", of);
  auto undecided = rows.text(8, "builds.undecided of build", of);
  for (const Error* e :
       {error_of(release), error_of(banner), error_of(build_id), error_of(arch),
        error_of(has_table), error_of(strings), error_of(evidence), error_of(undecided)})
    if (e) return *e;
  b.facts = KernelFacts{std::string(*release),
                        std::string(*banner),
                        std::string(*build_id),
                        std::string(*arch),
                        *has_table,
                        std::move(strings).value(),
                        std::string(*evidence),
                        std::string(*undecided)};
  return b;
}

// " WHERE label = ? AND ...", and its parameters.
struct Where {
  std::string sql;
  std::vector<std::string> keys;  // what the parameters view
  std::vector<sql::Value> params;
};

Where where_sql(const sql::Connection& db, const std::vector<LabelFilter>& where) {
  Where w;
  w.keys.reserve(where.size());
  for (const auto& f : where) {
    w.sql += fmt::format("{} {} = ?", w.sql.empty() ? " WHERE" : " AND", db.label_sql());
    w.keys.push_back(db.label_key(f.key));
    w.params.emplace_back(std::string_view(w.keys.back()));
    w.params.emplace_back(std::string_view(f.value));
  }
  return w;
}

}  // namespace

Result<void> migrate(sql::Connection& db) {
  LUCOMPAT_CHECK(db.script("cannot lock the store to migrate it", db.begin_write()));
  if (!db.lock_schema().empty())
    if (auto r = db.script("cannot lock the store to migrate it", db.lock_schema()); !r)
      return rolled_back(db, std::move(r).error());
  if (auto r =
          db.script("cannot create the schema_migrations table",
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "applied_at TEXT NOT NULL)");
      !r)
    return rolled_back(db, std::move(r).error());
  auto current = read_version(db, "cannot read the schema version");
  if (!current) return rolled_back(db, std::move(current).error());
  if (*current > kSchemaVersion)
    return rolled_back(
        db,
        Error{ErrorKind::unsupported, db.name(), std::nullopt,
              fmt::format("the store's schema is version {}, newer than this lucompat knows ({})",
                          *current, kSchemaVersion)});
  for (auto v = static_cast<size_t>(*current); v < kMigrations.size(); ++v) {
    if (auto r = db.script(fmt::format("migration to schema version {} failed", v + 1),
                           migration_sql(db, v));
        !r)
      return rolled_back(db, std::move(r).error());
    const std::string now = utc_now();
    const std::array<sql::Value, 2> params{static_cast<int64_t>(v + 1), std::string_view(now)};
    if (auto r =
            db.execute(fmt::format("cannot record schema version {}", v + 1),
                       "INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)", params);
        !r)
      return rolled_back(db, std::move(r).error());
  }
  return db.script("cannot commit the migration", "COMMIT");
}

Result<void> check_schema(sql::Connection& db) {
  LUCOMPAT_TRY(v, read_version(db, "cannot read the schema version (is it a lucompat store?)"));
  if (*v != kSchemaVersion)
    return Error{
        *v > kSchemaVersion ? ErrorKind::unsupported : ErrorKind::io, db.name(), std::nullopt,
        fmt::format("the store's schema is version {} and this lucompat's is {}; queries never "
                    "migrate a store: `lucompat fleet ingest` does, run by a user who may write it",
                    *v, kSchemaVersion)};
  return {};
}

Store::Store(std::unique_ptr<sql::Connection> connection) : db_(std::move(connection)) {}
Store::~Store() = default;

const std::string& Store::name() const { return db_->name(); }

Store::Snapshot::~Snapshot() {
  if (connection_ != nullptr) (void)connection_->script("cannot end a read", "COMMIT");
}

Result<Store::Snapshot> Store::snapshot() {
  LUCOMPAT_CHECK(db_->script("cannot start a read", db_->begin_read()));
  return Snapshot(*db_);
}

// The id of the row holding exactly these facts, stored if none does. The
// first set of facts of a build takes its identity; another set (a host
// whose modules differ) takes the identity with a hash of its facts, and
// the next free one should two sets collide. Each probe inserts, then reads
// the row back whole: a concurrent ingester that stored the same facts
// first is found, and a row of other facts is never taken for these.
Result<int64_t> Store::store_build(const KernelFacts& k, const std::string& key) {
  const std::string base = k.identity();
  const std::string strings = dump_json(k.strings);
  for (int probe = 0; probe < kMaxProbes; ++probe) {
    std::string identity = base;
    if (probe > 0) identity += fmt::format(" facts {:016x}", fnv1a(key));
    if (probe > 1) identity += fmt::format("/{}", probe);
    const std::array<sql::Value, 9> build{
        std::string_view(identity),   std::string_view(k.release),  std::string_view(k.banner),
        std::string_view(k.build_id), std::string_view(k.arch),     k.has_version_set,
        std::string_view(strings),    std::string_view(k.evidence), std::string_view(k.undecided)};
    LUCOMPAT_CHECK(db_->execute(
        "cannot store a kernel build",
        "INSERT INTO builds(identity, release, banner, build_id, arch, has_table, strings, "
        "evidence, undecided) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (identity) DO NOTHING",
        build));
    const std::array<sql::Value, 1> param{std::string_view(identity)};
    LUCOMPAT_TRY(
        rows,
        db_->query("cannot find a kernel build",
                   fmt::format("SELECT {} FROM builds WHERE identity = ?", kBuildColumns), param));
    LUCOMPAT_TRY(row, rows->next());
    if (!*row)
      return Error{ErrorKind::io, db_->name(), std::nullopt,
                   fmt::format("cannot find a kernel build: no row of {}", identity)};
    LUCOMPAT_TRY(stored, read_build(*rows));
    // Read to the end (identity is unique), so that the connection is free.
    if (auto end = rows->next(); !end) return std::move(end).error();
    if (stored->facts == k) return stored->id;
  }
  return Error{ErrorKind::malformed, db_->name(), std::nullopt,
               fmt::format("{} sets of facts of {} collide in the store: not reports of kernels",
                           kMaxProbes, base)};
}

// The ids of each report's running and staged builds. Builds new to the
// store are stored first, in the order of their facts (identities first).
Result<Store::BatchBuilds> Store::build_ids(const std::vector<HostReport>& batch) {
  BatchBuilds out;
  // Where each report's ids are, or will be once stored: map nodes stay put.
  std::map<std::string, std::pair<const KernelFacts*, int64_t>> fresh;
  std::vector<std::pair<const int64_t*, const int64_t*>> where;
  where.reserve(batch.size());
  const auto place = [&](const KernelFacts& k) -> const int64_t* {
    std::string key = facts_key(k);
    if (auto it = committed_builds_.find(key); it != committed_builds_.end()) return &it->second;
    return &fresh.try_emplace(std::move(key), &k, 0).first->second.second;
  };
  for (const auto& r : batch)
    where.emplace_back(place(r.running), r.staged ? place(*r.staged) : nullptr);
  for (auto& [key, stored] : fresh) {
    LUCOMPAT_TRY(id, store_build(*stored.first, key));
    stored.second = *id;
    out.fresh.emplace(key, *id);
  }
  out.ids.reserve(batch.size());
  for (const auto& [running, staged] : where)
    out.ids.emplace_back(*running, staged ? std::optional<int64_t>(*staged) : std::nullopt);
  return out;
}

Result<IngestStats> Store::ingest_once(const std::vector<HostReport>& batch, bool& retry) {
  retry = false;
  LUCOMPAT_CHECK(db_->script("cannot start a transaction", db_->begin_write()));
  // Whether the statement that failed may pass if run again, asked before
  // the rollback is the last statement.
  const auto failed = [&](Error e) {
    retry = db_->retryable();
    return rolled_back(*db_, std::move(e));
  };
  auto builds = build_ids(batch);
  if (!builds) return failed(std::move(builds).error());
  // Builds, then hosts, each taken in one order (identities, names) by every
  // transaction: two ingesters never wait for each other in a circle, which
  // on PostgreSQL is a deadlock that fails one of them.
  std::vector<size_t> order(batch.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return batch[a].host < batch[b].host; });
  IngestStats stats;
  const size_t per_statement = db_->rows_per_statement();
  std::unique_ptr<sql::Statement> upsert;
  size_t upsert_rows = 0;
  std::vector<size_t> newest;
  std::vector<std::string> json;  // what the parameters view: reserved, never moved
  std::vector<sql::Value> params;
  for (size_t at = 0; at < order.size(); at += per_statement) {
    const size_t end = std::min(order.size(), at + per_statement);
    // A statement may change a row once: a host repeated in the chunk keeps
    // its newest report, and the others count as older.
    newest.clear();
    for (size_t i = at; i < end; ++i) {
      const HostReport& r = batch[order[i]];
      if (newest.empty() || batch[newest.back()].host != r.host)
        newest.push_back(order[i]);
      else if (parse_utc(r.collected_at) > parse_utc(batch[newest.back()].collected_at))
        newest.back() = order[i];
    }
    json.clear();
    json.reserve(3 * newest.size());
    params.clear();
    for (const size_t i : newest) {
      const HostReport& r = batch[i];
      json.push_back(dump_json(r.vmm_features));
      json.push_back(dump_json(r.emit));
      json.push_back(dump_json(r.labels));
      params.insert(params.end(),
                    {std::string_view(r.host), std::string_view(r.collected_at),
                     builds->ids[i].first, builds->ids[i].second, std::string_view(r.profile),
                     std::string_view(json[json.size() - 3]),
                     std::string_view(json[json.size() - 2]), sql::Json{json.back()}});
      const auto [staged_verdict, staged_banner] = staged_prediction(r);
      params.insert(params.end(),
                    {std::string_view(r.boot_id), staged_verdict, staged_banner,
                     r.live_update ? result_name(r.live_update->result) : std::string_view("")});
    }
    if (upsert_rows != newest.size()) {
      auto prepared = db_->prepare("cannot store hosts", upsert_sql(newest.size()));
      if (!prepared) return failed(std::move(prepared).error());
      upsert = std::move(prepared).value();
      upsert_rows = newest.size();
    }
    auto applied = upsert->execute(params);
    if (!applied) return failed(std::move(applied).error());
    stats.applied += static_cast<size_t>(*applied);
    stats.ignored += end - at - static_cast<size_t>(*applied);
  }
  if (auto r = db_->script("cannot commit the batch", "COMMIT"); !r)
    return failed(std::move(r).error());
  committed_builds_.merge(builds->fresh);
  return stats;
}

Result<IngestStats> Store::ingest(const std::vector<HostReport>& batch) {
  // Another writer (an older lucompat, a script) may still deadlock with
  // this one on PostgreSQL: the batch the server fails is run again.
  for (int attempt = 1;; ++attempt) {
    bool retry = false;
    auto r = ingest_once(batch, retry);
    if (r || attempt == 5 || !retry) return r;
  }
}

Result<std::vector<StoredBuild>> Store::builds() {
  LUCOMPAT_TRY(
      rows,
      db_->query("cannot read kernel builds",
                 fmt::format("SELECT {}, identity FROM builds ORDER BY id", kBuildColumns), {}));
  std::vector<StoredBuild> out;
  for (;;) {
    LUCOMPAT_TRY(more, rows->next());
    if (!*more) return out;
    LUCOMPAT_TRY(b, read_build(*rows));
    LUCOMPAT_TRY(identity, rows->text(9, "builds.identity of build", std::to_string(b->id)));
    b->variant = *identity != b->facts.identity();
    out.push_back(std::move(b).value());
  }
}

Result<std::vector<HostGroup>> Store::groups(const std::vector<LabelFilter>& where) {
  const Where w = where_sql(*db_, where);
  LUCOMPAT_TRY(rows,
               db_->query("cannot query host groups",
                          fmt::format("SELECT running, staged, emit, COUNT(*), MIN(name) FROM {}{} "
                                      "GROUP BY running, staged, emit",
                                      db_->hosts_scan(), w.sql),
                          w.params));
  std::vector<HostGroup> out;
  for (;;) {
    LUCOMPAT_TRY(more, rows->next());
    if (!*more) break;
    LUCOMPAT_TRY(example, rows->text(4, "hosts.name"));
    auto running = rows->integer(0, "hosts.running of host", *example);
    auto staged = rows->optional_integer(1, "hosts.staged of host", *example);
    auto emit = rows->string_object(2, "hosts.emit of host", *example);
    auto hosts = rows->integer(3, "the host count of a group");
    for (const Error* e : {error_of(running), error_of(staged), error_of(emit), error_of(hosts)})
      if (e) return *e;
    out.push_back({*running, *staged, std::string(*emit), static_cast<size_t>(*hosts),
                   std::string(*example)});
  }
  // The databases order NULLs apart: the same store lists alike on both.
  std::sort(out.begin(), out.end(), [](const HostGroup& a, const HostGroup& b) {
    return std::tie(a.running, a.staged, a.emit) < std::tie(b.running, b.staged, b.emit);
  });
  return out;
}

Result<void> Store::hosts(const HostQuery& q,
                          const std::function<Result<void>(const HostRow&)>& each) {
  Where w = where_sql(*db_, q.where);
  std::string label_key;
  std::string label_column;
  if (!q.label.empty()) {
    label_key = db_->label_key(q.label);
    label_column = fmt::format(", {}", db_->label_sql());
    w.params.insert(w.params.begin(), std::string_view(label_key));
  }
  LUCOMPAT_TRY(
      rows, db_->query(
                "cannot query hosts",
                fmt::format("SELECT name, collected_at, running, staged, profile, emit, predicted, "
                            "outcome, staged_verdict{} FROM hosts{}{}",
                            label_column, w.sql, q.by_name ? " ORDER BY name" : ""),
                w.params));
  const std::string label_what = fmt::format("the label {} of host", q.label);
  // Hosts mostly share their pins: the JSON is checked once per value.
  std::string checked_emit;
  for (;;) {
    LUCOMPAT_TRY(more, rows->next());
    if (!*more) return {};
    LUCOMPAT_TRY(name, rows->text(0, "hosts.name"));
    auto collected_at = rows->text(1, "hosts.collected_at of host", *name);
    auto collected = rows->time(1, "hosts.collected_at of host", *name);
    auto running = rows->integer(2, "hosts.running of host", *name);
    auto staged = rows->optional_integer(3, "hosts.staged of host", *name);
    auto profile = rows->text(4, "hosts.profile of host", *name);
    auto emit = rows->text(5, "hosts.emit of host", *name);
    if (emit && *emit != checked_emit) {
      emit = rows->string_object(5, "hosts.emit of host", *name);
      if (emit) checked_emit = *emit;
    }
    auto predicted = rows->text(6, "hosts.predicted of host", *name);
    auto outcome = rows->text(7, "hosts.outcome of host", *name);
    auto staged_verdict = rows->text(8, "hosts.staged_verdict of host", *name);
    auto label = q.label.empty() ? Result<std::optional<std::string_view>>(std::nullopt)
                                 : rows->optional_text(9, label_what, *name);
    for (const Error* e : {error_of(collected_at), error_of(collected), error_of(running),
                           error_of(staged), error_of(profile), error_of(emit), error_of(predicted),
                           error_of(outcome), error_of(staged_verdict), error_of(label)})
      if (e) return *e;
    LUCOMPAT_CHECK(each(HostRow{*name, *collected_at, *collected, *running, *staged, *profile,
                                *emit, *label, *predicted, *outcome, *staged_verdict}));
  }
}

Result<std::unique_ptr<Store>> open_store(const std::string& url, StoreAccess access) {
  if (url == "sqlite:")
    return Error{ErrorKind::usage, url, std::nullopt,
                 "the store URL has no path: expected sqlite:PATH"};
  // Errors name the store as store_name() does: never with its password.
  if (url.starts_with(kSqlitePrefix)) return open_sqlite_store(store_name(url), access);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return open_postgres_store(url, access);
  return Error{ErrorKind::usage, store_name(url), std::nullopt,
               "unsupported store URL: expected sqlite:PATH or postgresql://..."};
}

std::string store_name(const std::string& url) {
  if (url.starts_with(kSqlitePrefix)) return url.substr(kSqlitePrefix.size());
  return postgres_store_name(url);
}

std::string default_store_url() {
  if (::geteuid() == 0) return "sqlite:/var/lib/lucompat/fleet.db";
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  const std::string base = xdg && *xdg ? xdg : std::string(home ? home : ".") + "/.local/share";
  return "sqlite:" + base + "/lucompat/fleet.db";
}

}  // namespace lucompat
