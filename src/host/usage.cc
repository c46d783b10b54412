#include "lucompat/host/usage.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "lucompat/catalog/toml_config.h"

namespace lucompat {
namespace {

namespace fs = std::filesystem;

std::optional<Error> check_family(const Catalog& catalog, const std::string& family,
                                  const std::string& origin, const toml::node& where) {
  if (catalog.find(family) != nullptr) return std::nullopt;
  return config_error(
      origin, where.source(),
      fmt::format("unknown family \"{}\" (the catalog has no such family)", family));
}

}  // namespace

void merge_uses(std::map<std::string, FamilyUse>& into,
                const std::map<std::string, FamilyUse>& from) {
  for (const auto& [family, use] : from) {
    FamilyUse& u = into[family];
    u.used_by.insert(u.used_by.end(), use.used_by.begin(), use.used_by.end());
    if (use.required && (!u.required || *use.required)) u.required = use.required;
  }
}

Result<std::map<std::string, FamilyUse>> families_of_pid(const SystemRoot& root, int pid,
                                                         const Catalog& catalog) {
  const std::string dir = root.path(fmt::format("/proc/{}/fd", pid));
  std::error_code ec;
  std::vector<std::pair<int, std::string>> fds;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    int fd = 0;
    const std::string name = e.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    std::error_code link_ec;
    const fs::path target = fs::read_symlink(e.path(), link_ec);
    if (!link_ec) fds.emplace_back(fd, target.string());
  }
  if (ec)
    return Error{ErrorKind::io, dir, std::nullopt,
                 ec == std::errc::no_such_file_or_directory
                     ? fmt::format("no process {}", pid)
                     : fmt::format("cannot list the fds of process {}: {}", pid, ec.message())};
  std::sort(fds.begin(), fds.end());
  std::string comm;
  if (auto c = read_text(root.path(fmt::format("/proc/{}/comm", pid)))) {
    comm = *c;
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  }
  std::map<std::string, FamilyUse> out;
  for (const auto& [fd, link] : fds)
    if (const Family* f = catalog.family_of_fd(link))
      out[f->name].used_by.push_back(
          fmt::format("pid {}{} fd {} {}", pid, comm.empty() ? "" : " (" + comm + ")", fd, link));
  return out;
}

Result<std::vector<int>> pids_of_process(const SystemRoot& root, const std::string& name) {
  // TASK_COMM_LEN is 16 with the NUL.
  constexpr size_t kCommLength = 15;
  const std::string want = name.substr(0, kCommLength);
  const std::string proc = root.path("/proc");
  std::error_code ec;
  std::vector<int> out;
  for (const auto& e : fs::directory_iterator(proc, ec)) {
    const std::string pid_text = e.path().filename().string();
    int pid = 0;
    const auto [end, pec] =
        std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (pec != std::errc() || end != pid_text.data() + pid_text.size()) continue;
    // A process may exit while we look: it is simply not there.
    auto comm = read_text((e.path() / "comm").string());
    if (!comm) continue;
    while (!comm->empty() && comm->back() == '\n') comm->pop_back();
    if (*comm == want) out.push_back(pid);
  }
  if (ec)
    return Error{ErrorKind::io, proc, std::nullopt,
                 fmt::format("cannot list processes: {}", ec.message())};
  if (out.empty())
    return Error{ErrorKind::io, proc, std::nullopt,
                 fmt::format("no process named \"{}\" (matched against /proc/PID/comm)", name)};
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::map<std::string, FamilyUse>> read_manifest(std::string_view text,
                                                       const std::string& origin,
                                                       const Catalog& catalog) {
  LUCOMPAT_TRY(doc, parse_toml(text, origin));
  std::map<std::string, FamilyUse> out;
  for (const auto& [key, value] : *doc)
    if (key.str() != "session")
      return config_error(
          origin, value.source(),
          fmt::format("unknown key \"{}\": a manifest holds [[session]] tables", key.str()));
  const toml::array* sessions = doc->get_as<toml::array>("session");
  if (sessions == nullptr) return out;
  for (const auto& node : *sessions) {
    const toml::table* s = node.as_table();
    if (s == nullptr)
      return config_error(origin, node.source(), "session must be [[session]] tables");
    const std::string name = (*s)["name"].value_or(std::string("(unnamed)"));
    for (const auto& [key, value] : *s) {
      const std::string k(key.str());
      if (k == "name") continue;
      if (k != "uses" && k != "optional" && k != "required")
        return config_error(
            origin, value.source(),
            fmt::format("unknown key \"{}\" (known: name, uses, optional, required)", k));
      const toml::array* list = value.as_array();
      if (list == nullptr)
        return config_error(origin, value.source(),
                            fmt::format("{} must be an array of family names", k));
      for (const auto& item : *list) {
        const auto family = item.value<std::string>();
        if (!family)
          return config_error(origin, item.source(),
                              fmt::format("{} must be an array of family names", k));
        if (auto e = check_family(catalog, *family, origin, item)) return *e;
        FamilyUse& use = out[*family];
        use.used_by.push_back(fmt::format("manifest session {}", name));
        if (k == "required") use.required = true;
        if (k == "optional" && !use.required) use.required = false;
      }
    }
  }
  return out;
}

Result<HostConfig> read_host_config(std::string_view text, const std::string& origin,
                                    const Catalog& catalog) {
  LUCOMPAT_TRY(doc, parse_toml(text, origin));
  HostConfig config;
  for (const auto& [key, value] : *doc) {
    if (key.str() == "profile") {
      const auto name = value.value<std::string>();
      if (!name || name->empty())
        return config_error(origin, value.source(), "profile must be a profile name");
      config.profile = *name;
      config.profile_at = toml_position(origin, value.source());
    } else if (key.str() != "emit") {
      return config_error(origin, value.source(),
                          fmt::format("unknown key \"{}\" (known: profile, emit)", key.str()));
    }
  }
  auto& out = config.emit;
  const toml::node* emit = doc->get("emit");
  if (emit == nullptr) return config;
  if (!emit->is_table()) return config_error(origin, emit->source(), "emit must be a table");
  for (const auto& [key, value] : *emit->as_table()) {
    const std::string family(key.str());
    if (auto e = check_family(catalog, family, origin, value)) return *e;
    const auto s = value.value<std::string>();
    if (!s) return config_error(origin, value.source(), "an emit pin is a compatible string");
    const ParsedCompatible p = catalog.parse(*s);
    if (!p.known || p.family != family)
      return config_error(origin, value.source(),
                          fmt::format("\"{}\" is not a {} compatible string", *s, family));
    out[family] = *s;
  }
  return config;
}

}  // namespace lucompat
