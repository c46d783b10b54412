// The fleet store: host reports in, per-build groups out. One interface, so
// SQLite (the embedded default) and, later, PostgreSQL run the same queries.
// Kernel builds are stored once; hosts reference them, so queries work per
// build, not per host.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/fleet/host_report.h"

namespace lucompat {

struct IngestStats {
  size_t applied = 0;  // new hosts, or reports newer than the stored one
  size_t ignored = 0;  // duplicates, or older than the stored report
};

struct StoredBuild {
  int64_t id = 0;
  KernelFacts facts;
};

struct LabelFilter {
  std::string key;
  std::string value;
};

// Hosts that share a running build, a staged build, pins and a profile: what
// every policy question depends on.
struct HostGroup {
  int64_t running = 0;
  std::optional<int64_t> staged;
  std::string emit;  // JSON object of pins
  std::string profile;
  size_t hosts = 0;
  std::string example;  // one host of the group, for humans
};

struct StoredHost {
  std::string name;
  std::string collected_at;  // as the report had it
  UtcTime collected;         // the same instant, for comparing
  int64_t running = 0;
  std::optional<int64_t> staged;
  std::string profile;
  std::string emit;    // JSON object of pins
  std::string labels;  // JSON object
};

class Store {
 public:
  virtual ~Store() = default;
  // One transaction: all of the batch or none of it. The newest
  // collected_at per host wins; re-ingesting is harmless.
  virtual Result<IngestStats> ingest(const std::vector<HostReport>& batch) = 0;
  virtual Result<std::vector<StoredBuild>> builds() = 0;
  virtual Result<std::vector<HostGroup>> groups(const std::vector<LabelFilter>& where) = 0;
  virtual Result<std::vector<StoredHost>> hosts(const std::vector<LabelFilter>& where) = 0;
};

// Only ingest creates a store: a query on a mistyped path must fail, not
// answer for an empty fleet and leave a new file behind.
enum class StoreAccess { create, existing };

// "sqlite:PATH" or a PostgreSQL URL. Opening migrates the schema to the
// current version.
Result<std::unique_ptr<Store>> open_store(const std::string& url, StoreAccess access = StoreAccess::create);

// What errors and messages about the store at `url` name: its path for
// SQLite; for PostgreSQL the URL with every password masked (user:***@,
// password=***), so no error line or log ever carries one.
std::string store_name(const std::string& url);

// sqlite:/var/lib/lucompat/fleet.db as root, else under $XDG_DATA_HOME
// (~/.local/share/lucompat/fleet.db).
std::string default_store_url();

}  // namespace lucompat
