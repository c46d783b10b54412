#include "lucompat/host/live_kernel.h"

#include <fmt/format.h>

#include <algorithm>

#include "lucompat/base/file.h"
#include "lucompat/base/printable.h"
#include "lucompat/derive/registrations.h"
#include "lucompat/elf/machine.h"
#include "lucompat/host/kcore.h"
#include "lucompat/host/proc_kallsyms.h"

namespace lucompat {
namespace {

// /proc/kallsyms of a distribution kernel with its modules is ~15 MB, its
// BTF ~6 MB, its read-only data ~20 MB.
constexpr uint64_t kMaxKallsyms = uint64_t{256} << 20;
constexpr uint64_t kMaxBtf = uint64_t{64} << 20;
constexpr uint64_t kMaxRodata = uint64_t{64} << 20;
constexpr uint64_t kMaxBanner = 4096;

Error cannot(const std::string& input, std::string message) {
  return Error{ErrorKind::io, input, std::nullopt, std::move(message)};
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0')) s.pop_back();
  return s;
}

std::string text_of(const FileData& f) { return std::string(as_chars(f.bytes())); }

// The first of `names` the kernel has, with its address.
std::optional<std::pair<std::string, uint64_t>> first_symbol(
    const ProcKallsyms& k, const std::vector<std::string>& names) {
  for (const std::string& n : names)
    if (auto a = k.kernel_address(n)) return std::pair{n, *a};
  return std::nullopt;
}

// The NUL-terminated string at `address`, read in pieces: a banner may sit
// near the end of a mapping, where a fixed-size read would run off it.
Result<std::string> read_c_string(const KernelMemory& memory, uint64_t address, uint64_t max) {
  std::string out;
  constexpr uint64_t kPiece = 64;
  while (out.size() < max) {
    LUCOMPAT_TRY(piece, memory.read(address + out.size(), kPiece));
    const std::string_view s = as_chars(*piece);
    const size_t nul = s.find('\0');
    out += s.substr(0, nul);
    if (nul != std::string_view::npos) return out;
  }
  return Error{ErrorKind::malformed, {}, address, fmt::format("no NUL within {} bytes", max)};
}

// The registration layout of the running build: its BTF when it has one.
Result<RegistrationLayout> running_layout(const SystemRoot& root, unsigned pointer_size,
                                          std::string* source, bool* has_luo_structs) {
  const std::string path = root.path("/sys/kernel/btf/vmlinux");
  *has_luo_structs = false;
  auto btf = read_file(path, kMaxBtf);
  if (!btf) {
    *source = "documented layout";
    return documented_layout(pointer_size);
  }
  auto layout = layout_from_btf(btf->bytes(), pointer_size);
  if (!layout) {
    Error e = std::move(layout).error();
    e.input = path;
    return e;
  }
  *source = "BTF";
  *has_luo_structs = layout->has_value();
  return layout->has_value() ? **layout : documented_layout(pointer_size);
}

std::string owner_name(const ProcKallsyms& k, uint64_t owner) {
  if (owner == 0) return "vmlinux";
  if (auto m = k.module_at(owner)) return *m;
  return fmt::format("the module at {:#x}", owner);
}

}  // namespace

LiveQuery live_query_from(const Catalog& catalog, SystemRoot root) {
  LiveQuery q;
  q.root = std::move(root);
  q.lists = catalog.registration_lists();
  q.core_forms = catalog.core_forms();
  return q;
}

Result<Inspection> inspect_running(const LiveQuery& q) {
  const std::string version_path = q.root.path("/proc/version");
  const std::string kallsyms_path = q.root.path("/proc/kallsyms");
  const std::string kcore_path = q.root.path("/proc/kcore");
  LUCOMPAT_TRY(version, read_file(version_path, kMaxBanner));
  LUCOMPAT_TRY(release, read_file(q.root.path("/proc/sys/kernel/osrelease"), kMaxBanner));

  Inspection in;
  in.input = "running kernel";
  in.kind = InputKind::kernel;
  in.format = "memory read through /proc/kcore";
  in.identity.banner = trimmed(text_of(*version));
  in.identity.release = trimmed(text_of(*release));

  LUCOMPAT_TRY(kallsyms_file, read_file(kallsyms_path, kMaxKallsyms));
  LUCOMPAT_TRY(kallsyms, parse_proc_kallsyms(as_chars(kallsyms_file->bytes()), kallsyms_path));
  if (kallsyms->symbols.empty())
    return cannot(kallsyms_path, "lists no symbols: the kernel was built without CONFIG_KALLSYMS");
  if (kallsyms->addresses_hidden) {
    auto restrict = read_file(q.root.path("/proc/sys/kernel/kptr_restrict"), kMaxBanner);
    return cannot(
        kallsyms_path,
        fmt::format("every address reads 0: kernel.kptr_restrict{} hides them from this user "
                    "(run as root; kptr_restrict=2 hides them from root too)",
                    restrict ? " = " + trimmed(text_of(*restrict)) : ""));
  }

  LUCOMPAT_TRY(kcore, Kcore::open(kcore_path));
  const Kcore& memory = **kcore;
  in.arch = linux_arch(memory.machine(), memory.pointer_size() == 8 ? 64 : 32, memory.order());
  in.byte_order = memory.order();

  // Proof that kcore is this kernel's memory, as /proc/version is its banner.
  const auto banner_at = kallsyms->kernel_address("linux_banner");
  if (!banner_at)
    return cannot(kallsyms_path,
                  "has no linux_banner, which the proof of reading this kernel needs");
  LUCOMPAT_TRY(banner, read_c_string(memory, *banner_at, kMaxBanner));
  if (trimmed(*banner) != in.identity.banner)
    return Error{
        ErrorKind::malformed, kcore_path, std::nullopt,
        fmt::format("linux_banner reads \"{}\" through it, but {} says \"{}\": this is not the "
                    "running kernel's memory",
                    printable(trimmed(*banner)), version_path, printable(in.identity.banner))};

  std::string layout_source;
  bool has_luo_structs = false;
  LUCOMPAT_TRY(layout,
               running_layout(q.root, memory.pointer_size(), &layout_source, &has_luo_structs));
  const auto file_list = first_symbol(*kallsyms, q.lists.file);
  const auto flb_list = first_symbol(*kallsyms, q.lists.flb);
  in.registrations_searched = true;
  if (!file_list && !flb_list) {
    if (has_luo_structs)
      return Error{
          ErrorKind::unsupported, kallsyms_path, std::nullopt,
          fmt::format("the kernel's BTF has LUO's structs, but it has none of the list heads the "
                      "catalog names (file handlers: {}; FLBs: {}): name this kernel's in "
                      "[registration_lists] of a catalog",
                      fmt::join(q.lists.file, ", "), fmt::join(q.lists.flb, ", "))};
    return in;  // no LUO in this kernel
  }

  LocatedTable out;
  out.location.method = TableMethod::running;
  out.location.section = file_list ? file_list->first : flb_list->first;
  out.location.offset = file_list ? file_list->second : flb_list->second;
  out.location.evidence = fmt::format("kallsyms + {} + kcore", layout_source);

  // Core strings: literals in the kernel's read-only data, as in its image.
  const auto ro_start = kallsyms->kernel_address("__start_rodata"),
             ro_end = kallsyms->kernel_address("__end_rodata");
  if (ro_start && ro_end && *ro_end > *ro_start) {
    if (*ro_end - *ro_start > kMaxRodata)
      return Error{ErrorKind::limit, kcore_path, std::nullopt,
                   fmt::format("the read-only data is {} bytes, more than {}", *ro_end - *ro_start,
                               kMaxRodata)};
    LUCOMPAT_TRY(rodata, memory.read(*ro_start, *ro_end - *ro_start));
    MemoryImage image;
    image.regions.push_back({*ro_start, *ro_start, *rodata, RegionKind::rodata});
    add_core_strings(out, image, q.core_forms, {Evidence::kcore, "vmlinux", true});
    for (TableEntry& e : out.table.entries) {
      e.registration->address = e.offset;
      e.registration->module = "vmlinux";
    }
  }

  for (const auto& [list, kind] :
       {std::pair{file_list, EntryKind::file}, std::pair{flb_list, EntryKind::flb}}) {
    if (!list) continue;
    auto objects = read_registered(memory, list->second, kind, *layout, q.max_nodes);
    if (!objects) {
      Error e = std::move(objects).error();
      if (e.input.empty()) e.input = kcore_path;
      e.message = fmt::format("{} ({}): {}", list->first,
                              kind == EntryKind::file ? "file handlers" : "FLBs", e.message);
      return e;
    }
    for (RegisteredObject& o : *objects) {
      Registration reg{kind, kallsyms->data_symbol_at(o.address), o.address,
                       owner_name(*kallsyms, o.owner), Evidence::kcore};
      append_entry(out, std::move(o.compatible), o.address, std::move(reg));
    }
  }
  in.table = std::move(out);
  return in;
}

}  // namespace lucompat
