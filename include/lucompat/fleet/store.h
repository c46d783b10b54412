// The fleet store: host reports in, per-build groups out. One store on two
// databases, SQLite (the embedded default) and PostgreSQL, which run the same
// schema, migrations and queries. Kernel builds are stored once per set of
// facts; hosts reference them, so queries work per build, not per host, and
// hosts are streamed, never held: a query's memory does not grow with the
// fleet.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lucompat/fleet/host_report.h"

namespace lucompat {

namespace sql {
class Connection;
}

struct IngestStats {
  size_t applied = 0;  // new hosts, or reports newer than the stored one
  size_t ignored = 0;  // duplicates, or older than the stored report
};

// A build as a set of facts: hosts of one build-id that report different
// strings (their modules differ) or evidence are judged each by their own,
// each set stored once; the first under the build's identity, the others as
// its variants.
struct StoredBuild {
  int64_t id = 0;
  KernelFacts facts;
  bool variant = false;  // another set of facts of a build stored before
};

struct LabelFilter {
  std::string key;
  std::string value;
};

// Hosts that share a running build, a staged build and pins: what every
// policy question depends on.
struct HostGroup {
  int64_t running = 0;
  std::optional<int64_t> staged;
  std::string emit;  // JSON object of pins
  size_t hosts = 0;
  std::string example;  // one host of the group, for humans
};

// One host as a query reads it; the views are valid during the call it is
// passed to.
struct HostRow {
  std::string_view name;
  std::string_view collected_at;  // as the report had it
  UtcTime collected;              // the same instant, for comparing
  int64_t running = 0;
  std::optional<int64_t> staged;
  std::string_view profile;
  std::string_view emit;                  // JSON object of pins
  std::optional<std::string_view> label;  // of HostQuery::label, if the host has it
  // The verdict predicted for the live update that booted the running
  // kernel and what it did (report's live_update.result); empty if unknown.
  std::string_view predicted;
  std::string_view outcome;
  // The verdict kernel-install recorded for the entry the host would boot
  // next, checked against the kernel it runs; empty if none.
  std::string_view staged_verdict;
};

struct HostQuery {
  std::vector<LabelFilter> where;
  std::string label;     // a label to read, or empty
  bool by_name = false;  // in name order, else in the store's
};

class Store {
 public:
  explicit Store(std::unique_ptr<sql::Connection> connection);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // As errors name the store: never with its password.
  const std::string& name() const;

  // One transaction: all of the batch or none of it. The newest
  // collected_at per host wins; re-ingesting is harmless.
  Result<IngestStats> ingest(const std::vector<HostReport>& batch);

  // While one is alive, every query reads one state of the store, whatever
  // ingesters commit meanwhile: a query made of several (builds, then hosts)
  // never sees a host whose build it did not read.
  class Snapshot {
   public:
    explicit Snapshot(sql::Connection& connection) : connection_(&connection) {}
    Snapshot(Snapshot&& other) noexcept : connection_(std::exchange(other.connection_, nullptr)) {}
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    Snapshot& operator=(Snapshot&&) = delete;
    ~Snapshot();

   private:
    sql::Connection* connection_;
  };
  Result<Snapshot> snapshot();

  Result<std::vector<StoredBuild>> builds();
  // Grouped by the database: a few hundred groups for a million hosts.
  Result<std::vector<HostGroup>> groups(const std::vector<LabelFilter>& where);
  // Every selected host, one at a time, to `each`; the first error `each`
  // returns stops the query and is returned.
  Result<void> hosts(const HostQuery& query,
                     const std::function<Result<void>(const HostRow&)>& each);

 private:
  struct BatchBuilds {
    std::vector<std::pair<int64_t, std::optional<int64_t>>> ids;  // of each report: running, staged
    std::map<std::string, int64_t> fresh;  // stored by this batch, by facts_key()
  };
  Result<BatchBuilds> build_ids(const std::vector<HostReport>& batch);
  Result<int64_t> store_build(const KernelFacts& k, const std::string& key);
  Result<IngestStats> ingest_once(const std::vector<HostReport>& batch, bool& retry);

  std::unique_ptr<sql::Connection> db_;
  // Ids of builds known to be committed, by facts_key(): builds are never
  // deleted, so they stay valid for later batches; an id from a transaction
  // that rolled back would not.
  std::map<std::string, int64_t> committed_builds_;
};

// Only ingest creates a store: a query on a mistyped path must fail, not
// answer for an empty fleet and leave a new file behind.
enum class StoreAccess { create, existing };

// "sqlite:PATH" or a PostgreSQL URL. Opening migrates the schema to the
// current version.
Result<std::unique_ptr<Store>> open_store(const std::string& url,
                                          StoreAccess access = StoreAccess::create);

// What errors and messages about the store at `url` name: its path for
// SQLite; for PostgreSQL the URL as libpq parses it (the key "pass%77ord" is
// its password too), rebuilt with every option libpq marks secret masked
// (user:***@, sslpassword=***), so no error line or log ever carries one. A
// URL libpq cannot parse, or cannot be loaded to, is not shown.
std::string store_name(const std::string& url);

// sqlite:/var/lib/lucompat/fleet.db as root, else under $XDG_DATA_HOME
// (~/.local/share/lucompat/fleet.db).
std::string default_store_url();

}  // namespace lucompat
