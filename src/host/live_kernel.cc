#include "lucompat/host/live_kernel.h"

#include <fmt/format.h>

#include <algorithm>

#include "lucompat/base/file.h"
#include "lucompat/base/printable.h"
#include "lucompat/derive/live_derivation.h"
#include "lucompat/elf/machine.h"
#include "lucompat/host/kcore.h"
#include "lucompat/host/proc_kallsyms.h"

namespace lucompat {
namespace {

// A distribution kernel's BTF is ~6 MB, its read-only data ~20 MB
// (/proc/kallsyms has limits of its own: proc_kallsyms.h).
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
  // A kernel address is no offset in an input, and would overflow the JSON
  // error's `offset` (a number): it goes in the message.
  return Error{ErrorKind::malformed,
               {},
               std::nullopt,
               fmt::format("no NUL within {} bytes at {:#x}", max, address)};
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

LiveEvidence live_evidence(const KernelMemory& memory, const ProcKallsyms& kallsyms,
                           const LiveQuery& q, std::string release) {
  LiveEvidence ev;
  ev.memory = &memory;
  ev.symbols = [&kallsyms](std::string_view n) { return kallsyms.kernel_address(n); };
  ev.release = std::move(release);
  ev.lists = {q.lists.file, q.lists.flb, q.lists.sessions};
  ev.max_nodes = q.max_nodes;
  ev.owner_name = [&kallsyms](uint64_t owner) { return owner_name(kallsyms, owner); };
  ev.symbol_at = [&kallsyms](uint64_t address) {
    const auto s = kallsyms.symbol_holding(address);
    return s ? std::pair{std::string(s->name), s->address} : std::pair<std::string, uint64_t>{};
  };
  return ev;
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

  LUCOMPAT_TRY(kallsyms, read_proc_kallsyms(kallsyms_path));
  if (kallsyms->size() == 0)
    return cannot(kallsyms_path, "lists no symbols: the kernel was built without CONFIG_KALLSYMS");
  if (kallsyms->addresses_hidden()) {
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

  // The build's own BTF: absent without CONFIG_DEBUG_INFO_BTF, and then the
  // documented layout of its release serves.
  std::optional<FileData> btf;
  if (auto b = read_file(q.root.path("/sys/kernel/btf/vmlinux"), kMaxBtf)) btf = std::move(*b);

  // Core strings: literals in the kernel's read-only data, as in its image.
  MemoryImage rodata_image;
  std::vector<std::byte> rodata;
  const auto ro_start = kallsyms->kernel_address("__start_rodata"),
             ro_end = kallsyms->kernel_address("__end_rodata");
  if (ro_start && ro_end && *ro_end > *ro_start) {
    if (*ro_end - *ro_start > kMaxRodata)
      return Error{ErrorKind::limit, kcore_path, std::nullopt,
                   fmt::format("the read-only data is {} bytes, more than {}", *ro_end - *ro_start,
                               kMaxRodata)};
    LUCOMPAT_TRY(bytes, memory.read(*ro_start, *ro_end - *ro_start));
    rodata = std::move(bytes).value();
    rodata_image.regions.push_back({*ro_start, *ro_start, rodata, RegionKind::rodata});
  }

  LiveEvidence ev = live_evidence(memory, *kallsyms, q, in.identity.release);
  if (btf) ev.btf = btf->bytes();
  ev.rodata = rodata_image.regions.empty() ? nullptr : &rodata_image;
  ev.btf_name = q.root.path("/sys/kernel/btf/vmlinux");
  auto set = derive_running(ev, q.core_forms);
  if (!set) return with_input(std::move(set).error(), kcore_path);
  in.derived = std::move(set).value();
  return in;
}

}  // namespace lucompat
