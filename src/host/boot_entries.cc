#include "lucompat/host/boot_entries.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "lucompat/base/file.h"
#include "lucompat/base/printable.h"
#include "lucompat/base/version_compare.h"
#include "lucompat/container/pe.h"

namespace lucompat {
namespace fs = std::filesystem;
namespace {

// systemd-boot's vendor GUID, under which its EFI variables live.
constexpr std::string_view kLoaderGuid = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f";
// A UKI is a kernel, an initrd and more: more than this is not one.
constexpr uint64_t kMaxUki = uint64_t{1} << 30;
// An entry, loader.conf or an EFI variable is a few lines.
constexpr uint64_t kMaxConfig = uint64_t{1} << 20;

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// A path of an entry, relative to its partition: "/vmlinuz-7.3.4" or
// "vmlinuz-7.3.4" under `root`.
std::string under(const std::string& root, std::string_view path) {
  while (path.starts_with('/')) path.remove_prefix(1);
  return root + "/" + std::string(path);
}

bool directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

// A file the choice of the entry depends on: nullopt when it is absent. One
// that is there but cannot be read (or is larger than `max`) is an error:
// passing over it could make another entry the default than the one
// systemctl kexec loads, and the wrong kernel would be checked.
Result<std::optional<FileData>> file_if_present(const std::string& path, uint64_t max) {
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() == fs::file_type::not_found)
    return std::optional<FileData>{};
  LUCOMPAT_TRY(file, read_file(path, max));
  return std::optional<FileData>(std::move(file).value());
}

// A UKI's entry: its command line and its os-release (.cmdline, .osrel);
// nullopt for a file that is no UKI, which bootctl does not list either.
Result<std::optional<BootEntry>> unified_entry(const std::string& path, std::string id) {
  LUCOMPAT_TRY(file, read_file(path, kMaxUki));
  PeFile pe;
  try {
    if (!has_pe_signature(file->bytes())) return std::optional<BootEntry>{};
    pe = parse_pe(file->bytes());
  } catch (const ParseError&) {
    return std::optional<BootEntry>{};
  }
  if (pe.find(".linux") == nullptr) return std::optional<BootEntry>{};
  BootEntry e;
  e.type = 2;
  e.id = std::move(id);
  e.path = path;
  e.kernel = path;
  e.options = section_text(pe, ".cmdline");
  const std::string osrel = section_text(pe, ".osrel");
  e.title = os_release_value(osrel, "PRETTY_NAME");
  e.sort_key = os_release_value(osrel, "IMAGE_ID");
  if (e.sort_key.empty()) e.sort_key = os_release_value(osrel, "ID");
  e.version = os_release_value(osrel, "IMAGE_VERSION");
  if (e.version.empty()) e.version = os_release_value(osrel, "VERSION_ID");
  return std::optional<BootEntry>(std::move(e));
}

Result<void> read_partition(const std::string& dir, std::vector<BootEntry>& out) {
  std::error_code ec;
  const std::string entries = dir + "/loader/entries";
  if (directory(entries))
    for (const auto& f : fs::directory_iterator(entries, ec)) {
      const std::string name = f.path().filename().string();
      if (!name.ends_with(".conf") || !f.is_regular_file(ec)) continue;
      LUCOMPAT_TRY(file, read_file(f.path().string(), kMaxConfig));
      std::optional<unsigned> tries;
      BootEntry e =
          parse_type1_entry(as_chars(file->bytes()), strip_boot_counter(name, &tries), dir);
      e.path = f.path().string();
      e.tries_left = tries;
      out.push_back(std::move(e));
    }
  const std::string unified = dir + "/EFI/Linux";
  if (directory(unified))
    for (const auto& f : fs::directory_iterator(unified, ec)) {
      const std::string name = f.path().filename().string();
      if (!name.ends_with(".efi") || !f.is_regular_file(ec)) continue;
      std::optional<unsigned> tries;
      const std::string id = strip_boot_counter(name, &tries);
      LUCOMPAT_TRY(e, unified_entry(f.path().string(), id));
      if (*e) {
        (*e)->tries_left = tries;
        out.push_back(std::move(**e));
      }
    }
  return {};
}

// An EFI variable of systemd-boot's: 4 bytes of attributes, then UTF-16LE.
Result<std::string> loader_variable(const SystemRoot& root, std::string_view name) {
  LUCOMPAT_TRY(
      file,
      file_if_present(root.path(fmt::format("/sys/firmware/efi/efivars/{}-{}", name, kLoaderGuid)),
                      kMaxConfig));
  if (!*file) return std::string();
  const Bytes b = (*file)->bytes();
  std::string out;
  for (size_t i = 4; i + 1 < b.size(); i += 2) {
    const auto unit = static_cast<unsigned>(b[i]) | static_cast<unsigned>(b[i + 1]) << 8;
    if (unit == 0) break;
    out += unit < 0x80 ? static_cast<char>(unit) : '?';  // entry ids are ASCII
  }
  return out;
}

std::optional<size_t> find(const std::vector<BootEntry>& entries, std::string pattern,
                           const std::string& selected) {
  if (pattern.empty()) return std::nullopt;
  if (pattern.starts_with('@')) {
    if (pattern != "@saved" || selected.empty()) return std::nullopt;
    pattern = selected;
  }
  for (size_t i = 0; i < entries.size(); ++i)
    if (::fnmatch(pattern.c_str(), entries[i].id.c_str(), FNM_CASEFOLD) == 0) return i;
  return std::nullopt;
}

}  // namespace

BootEntry parse_type1_entry(std::string_view text, std::string id, const std::string& root) {
  BootEntry e;
  e.id = std::move(id);
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = trim(text.substr(at, end - at));
    at = end + 1;
    if (line.empty() || line.front() == '#') continue;
    const size_t gap = line.find_first_of(" \t");
    const std::string_view key = line.substr(0, gap);
    const std::string value(gap == std::string_view::npos ? "" : trim(line.substr(gap)));
    if (key == "title")
      e.title = value;
    else if (key == "version")
      e.version = value;
    else if (key == "machine-id")
      e.machine_id = value;
    else if (key == "sort-key")
      e.sort_key = value;
    else if (key == "linux")
      e.kernel = under(root, value);
    else if (key == "initrd")
      e.initrds.push_back(under(root, value));
    else if (key == "options")
      e.options += (e.options.empty() ? "" : " ") + value;
  }
  return e;
}

std::string strip_boot_counter(std::string_view name, std::optional<unsigned>* tries_left) {
  *tries_left = std::nullopt;
  const size_t dot = std::min(name.rfind('.'), name.size());
  const std::string_view stem = name.substr(0, dot), suffix = name.substr(dot);
  const size_t plus = stem.rfind('+');
  if (plus == std::string_view::npos) return std::string(name);
  const std::string_view counter = stem.substr(plus + 1);
  const size_t dash = counter.find('-');
  const std::string_view left = counter.substr(0, dash);
  const std::string_view done = dash == std::string_view::npos ? "0" : counter.substr(dash + 1);
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 6 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(left) || !digits(done)) return std::string(name);
  *tries_left = static_cast<unsigned>(std::stoul(std::string(left)));
  return std::string(stem.substr(0, plus)) + std::string(suffix);
}

void sort_boot_entries(std::vector<BootEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const BootEntry& a, const BootEntry& b) {
    const bool a_spent = a.tries_left == 0u, b_spent = b.tries_left == 0u;
    if (a_spent != b_spent) return b_spent;
    if (a.sort_key.empty() != b.sort_key.empty()) return b.sort_key.empty();
    if (!a.sort_key.empty()) {
      if (const int c = a.sort_key.compare(b.sort_key); c != 0) return c < 0;
      if (const int c = a.machine_id.compare(b.machine_id); c != 0) return c < 0;
      if (const int c = compare_versions(a.version, b.version); c != 0) return c > 0;
    }
    return compare_versions(a.id, b.id) > 0;
  });
}

std::optional<size_t> default_boot_entry(const std::vector<BootEntry>& entries,
                                         const EntryPointers& p, std::string* why) {
  if (entries.empty()) return std::nullopt;
  const std::pair<const std::string*, std::string_view> pointers[] = {
      {&p.oneshot, "the EFI variable LoaderEntryOneShot"},
      {&p.preferred, "the EFI variable LoaderEntryPreferred"},
      {&p.default_entry, "the EFI variable LoaderEntryDefault"},
      {&p.default_pattern, "loader.conf's default"},
  };
  for (const auto& [pattern, name] : pointers)
    if (const auto i = find(entries, *pattern, p.selected)) {
      *why = fmt::format("{} ({})", name, printable(*pattern));
      return i;
    }
  *why = "the first entry in the boot menu's order";
  return 0;
}

Result<BootEntries> load_boot_entries(const SystemRoot& root) {
  BootEntries out;
  std::vector<std::string> partitions;
  if (const std::string run = root.path("/run/boot-loader-entries"); directory(run)) {
    partitions.push_back(run);
  } else {
    for (std::string_view esp : {"/efi", "/boot/efi", "/boot"})
      if (const std::string d = root.path(esp); directory(d + "/loader") || directory(d + "/EFI")) {
        partitions.push_back(d);
        break;
      }
    const std::string boot = root.path("/boot");
    if ((partitions.empty() || partitions.front() != boot) &&
        (directory(boot + "/loader/entries") || directory(boot + "/EFI/Linux")))
      partitions.push_back(boot);
  }
  if (partitions.empty()) return out;  // nothing read: no entries
  LUCOMPAT_TRY(loader_conf,
               file_if_present(partitions.front() + "/loader/loader.conf", kMaxConfig));
  if (*loader_conf)
    out.pointers.default_pattern = [&] {
      const std::string_view conf = as_chars((*loader_conf)->bytes());
      for (size_t at = 0; at < conf.size();) {
        const size_t end = std::min(conf.find('\n', at), conf.size());
        const std::string_view line = trim(conf.substr(at, end - at));
        at = end + 1;
        if (line.starts_with("default") && line.size() > 7 && (line[7] == ' ' || line[7] == '\t'))
          return std::string(trim(line.substr(7)));
      }
      return std::string();
    }();
  const std::pair<std::string*, std::string_view> variables[] = {
      {&out.pointers.oneshot, "LoaderEntryOneShot"},
      {&out.pointers.preferred, "LoaderEntryPreferred"},
      {&out.pointers.default_entry, "LoaderEntryDefault"},
      {&out.pointers.selected, "LoaderEntrySelected"},
  };
  for (const auto& [value, name] : variables) {
    LUCOMPAT_TRY(v, loader_variable(root, name));
    *value = std::move(v).value();
  }
  for (const std::string& p : partitions) LUCOMPAT_CHECK(read_partition(p, out.entries));
  out.read = partitions;
  sort_boot_entries(out.entries);
  return out;
}

Result<ChosenEntry> choose_boot_entry(const SystemRoot& root, const std::string& which) {
  LUCOMPAT_TRY(loaded, load_boot_entries(root));
  const BootEntries& b = *loaded;
  if (b.read.empty())
    return Error{ErrorKind::io, root.path("/boot"), std::nullopt,
                 "no boot loader entries: no ESP (/efi, /boot/efi, /boot) with loader/ or EFI/, "
                 "and no /run/boot-loader-entries"};
  std::string known;
  for (const auto& e : b.entries) known += (known.empty() ? "" : ", ") + printable(e.id);
  if (b.entries.empty())
    return Error{ErrorKind::io, b.read.front(), std::nullopt,
                 "no boot loader entries (loader/entries/*.conf, EFI/Linux/*.efi)"};
  std::optional<size_t> i;
  std::string why;
  if (which == "default") {
    i = default_boot_entry(b.entries, b.pointers, &why);
    why = "the default entry, as systemctl kexec picks it: " + why;
  } else {
    i = find(b.entries, which, b.pointers.selected);
    why = "named by --next-entry";
  }
  if (!i)
    return Error{ErrorKind::usage, "", std::nullopt,
                 fmt::format("--next-entry {}: no such boot loader entry (entries: {})",
                             printable(which), known)};
  const BootEntry& e = b.entries[*i];
  // What systemctl kexec itself refuses.
  if (e.kernel.empty())
    return Error{ErrorKind::unsupported, e.path, std::nullopt,
                 "the boot entry has no Linux kernel (no linux line), which systemctl kexec "
                 "cannot load"};
  if (e.initrds.size() > 1)
    return Error{ErrorKind::unsupported, e.path, std::nullopt,
                 "the boot entry names several initrds, which systemctl kexec cannot load"};
  return ChosenEntry{e, why};
}

}  // namespace lucompat
