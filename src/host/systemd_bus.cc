// read_systemd_stores(): PID 1's fd stores over D-Bus, with libsystemd's
// sd-bus opened on first use (base/shared_library.h), so that lucompat runs
// where libsystemd is not installed and only a systemd host pays for it.
#include <fmt/format.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "lucompat/base/shared_library.h"
#include "lucompat/host/systemd_fd_stores.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;

// clang-format off
#define LUCOMPAT_SD_BUS(X)               \
  X(sd_bus_new)                          \
  X(sd_bus_set_address)                  \
  X(sd_bus_set_bus_client)               \
  X(sd_bus_start)                        \
  X(sd_bus_flush_close_unref)            \
  X(sd_bus_call_method)                  \
  X(sd_bus_get_property_string)          \
  X(sd_bus_get_property_trivial)         \
  X(sd_bus_message_enter_container)      \
  X(sd_bus_message_exit_container)       \
  X(sd_bus_message_read)                 \
  X(sd_bus_message_unref)                \
  X(sd_bus_error_free)
// clang-format on

LUCOMPAT_SHARED_API(SdBus, LUCOMPAT_SD_BUS);

const Result<SdBus>& load_sd_bus() {
  static const Result<SdBus> loaded =
      load_shared_api<SdBus>("libsystemd.so.0", "reading systemd's file descriptor stores");
  return loaded;
}

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kService = "org.freedesktop.systemd1.Service";

// One connection and the calls lucompat makes on it; every failure becomes
// an Error that names the call and the reason.
class Bus {
 public:
  Bus(const SdBus& api, sd_bus* bus, std::string address)
      : api_(api), bus_(bus), address_(std::move(address)) {}
  Bus(const Bus&) = delete;
  Bus& operator=(const Bus&) = delete;
  ~Bus() { api_.sd_bus_flush_close_unref(bus_); }

  Result<std::string> string_property(const char* path, const char* interface, const char* member) {
    Reply error(api_);
    char* value = nullptr;
    const int r = api_.sd_bus_get_property_string(bus_, kDestination, path, interface, member,
                                                  &error.error, &value);
    if (r < 0) return failure(member, r, error);
    std::string out(value);
    std::free(value);  // NOLINT(cppcoreguidelines-no-malloc): sd-bus hands over malloc()ed text
    return out;
  }

  Result<uint32_t> u32_property(const char* path, const char* interface, const char* member) {
    Reply error(api_);
    uint32_t value = 0;
    const int r = api_.sd_bus_get_property_trivial(bus_, kDestination, path, interface, member,
                                                   &error.error, 'u', &value);
    if (r < 0) return failure(member, r, error);
    return value;
  }

  // Services loaded in PID 1, with their object paths: ListUnits() gives
  // every loaded unit, stopped ones included (a stopped service with
  // FileDescriptorStorePreserve=yes keeps its store).
  Result<std::vector<std::pair<std::string, std::string>>> services() {
    Reply reply(api_);
    int r = api_.sd_bus_call_method(bus_, kDestination, kManagerPath, kManager, "ListUnits",
                                    &reply.error, &reply.message, "");
    if (r < 0) return failure("ListUnits", r, reply);
    std::vector<std::pair<std::string, std::string>> out;
    if ((r = api_.sd_bus_message_enter_container(reply.message, 'a', "(ssssssouso)")) < 0)
      return failure("ListUnits", r, reply);
    for (;;) {
      const char *id = nullptr, *description = nullptr, *load = nullptr, *active = nullptr,
                 *sub = nullptr, *following = nullptr, *path = nullptr, *job_type = nullptr,
                 *job_path = nullptr;
      uint32_t job_id = 0;
      r = api_.sd_bus_message_read(reply.message, "(ssssssouso)", &id, &description, &load, &active,
                                   &sub, &following, &path, &job_id, &job_type, &job_path);
      if (r < 0) return failure("ListUnits", r, reply);
      if (r == 0) break;
      if (std::string_view(id).ends_with(".service")) out.emplace_back(id, path);
    }
    return out;
  }

  Result<std::vector<StoredFd>> store_of(const std::string& unit) {
    Reply reply(api_);
    int r = api_.sd_bus_call_method(bus_, kDestination, kManagerPath, kManager,
                                    "DumpUnitFileDescriptorStore", &reply.error, &reply.message,
                                    "s", unit.c_str());
    if (r < 0) return failure("DumpUnitFileDescriptorStore", r, reply);
    if ((r = api_.sd_bus_message_enter_container(reply.message, 'a', "(suuutuusu)")) < 0)
      return failure("DumpUnitFileDescriptorStore", r, reply);
    std::vector<StoredFd> out;
    for (;;) {
      const char *name = nullptr, *path = nullptr;
      uint32_t mode = 0, major = 0, minor = 0, rmajor = 0, rminor = 0, flags = 0;
      uint64_t inode = 0;
      r = api_.sd_bus_message_read(reply.message, "(suuutuusu)", &name, &mode, &major, &minor,
                                   &inode, &rmajor, &rminor, &path, &flags);
      if (r < 0) return failure("DumpUnitFileDescriptorStore", r, reply);
      if (r == 0) break;
      out.push_back(StoredFd{name, mode, path != nullptr ? path : ""});
    }
    return out;
  }

 private:
  struct Reply {
    explicit Reply(const SdBus& library) : api(library) {}
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply() {
      api.sd_bus_message_unref(message);
      api.sd_bus_error_free(&error);
    }
    const SdBus& api;
    sd_bus_message* message = nullptr;
    sd_bus_error error{};  // SD_BUS_ERROR_NULL, a C compound literal
  };

  Error failure(std::string_view call, int r, const Reply& reply) const {
    const char* why = reply.error.message != nullptr ? reply.error.message : std::strerror(-r);
    return Error{ErrorKind::io, address_, std::nullopt,
                 fmt::format("systemd's {} failed: {}", call, why)};
  }

  const SdBus& api_;
  sd_bus* bus_;
  std::string address_;
};

Result<std::unique_ptr<Bus>> connect(const SdBus& api, const std::string& socket, bool bus_client) {
  sd_bus* bus = nullptr;
  int r = api.sd_bus_new(&bus);
  if (r < 0)
    return Error{ErrorKind::io, socket, std::nullopt,
                 fmt::format("cannot make a D-Bus connection: {}", std::strerror(-r))};
  const std::string address = "unix:path=" + socket;
  if ((r = api.sd_bus_set_address(bus, address.c_str())) >= 0 &&
      (r = api.sd_bus_set_bus_client(bus, bus_client ? 1 : 0)) >= 0 &&
      (r = api.sd_bus_start(bus)) >= 0)
    return std::make_unique<Bus>(api, bus, socket);
  api.sd_bus_flush_close_unref(bus);
  return Error{ErrorKind::io, socket, std::nullopt,
               fmt::format("cannot talk to systemd: {}", std::strerror(-r))};
}

// As systemctl does: PID 1's own socket for root, which works without
// dbus-daemon; the system bus otherwise.
Result<std::unique_ptr<Bus>> connect_to_pid1(const SdBus& api, const SystemRoot& root) {
  const std::string private_socket = root.path("/run/systemd/private");
  std::error_code ec;
  if (::geteuid() == 0 && fs::exists(private_socket, ec))
    if (auto bus = connect(api, private_socket, false)) return bus;
  return connect(api, root.path("/run/dbus/system_bus_socket"), true);
}

bool pid1_is_systemd(const SystemRoot& root) {
  // sd_booted(): this directory exists only when systemd is PID 1.
  std::error_code ec;
  return fs::is_directory(root.path("/run/systemd/system"), ec);
}

}  // namespace

Result<std::optional<SystemdStores>> read_systemd_stores(const SystemRoot& root) {
  if (!pid1_is_systemd(root)) return std::optional<SystemdStores>();
  const Result<SdBus>& api = load_sd_bus();
  if (!api) return api.error();
  LUCOMPAT_TRY(bus, connect_to_pid1(*api, root));
  SystemdStores out;
  LUCOMPAT_TRY(version, (*bus)->string_property(kManagerPath, kManager, "Version"));
  out.version = *version;
  // v261 is the first to preserve fd stores through LUO.
  constexpr unsigned kFirstPreserving = 261;
  const auto major = systemd_major(out.version);
  out.preserves = !major || *major >= kFirstPreserving;
  if (!out.preserves) return std::optional<SystemdStores>(std::move(out));
  LUCOMPAT_TRY(services, (*bus)->services());
  for (const auto& [unit, path] : *services) {
    LUCOMPAT_TRY(preserve,
                 (*bus)->string_property(path.c_str(), kService, "FileDescriptorStorePreserve"));
    if (*preserve != "yes") continue;
    LUCOMPAT_TRY(count, (*bus)->u32_property(path.c_str(), kService, "NFileDescriptorStore"));
    if (*count == 0) continue;
    LUCOMPAT_TRY(fds, (*bus)->store_of(unit));
    out.stores.push_back(PreservedStore{unit, std::move(fds).value()});
  }
  return std::optional<SystemdStores>(std::move(out));
}

}  // namespace lucompat
