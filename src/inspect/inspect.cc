#include "lucompat/inspect/inspect.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "inspect/kallsyms_registrations.h"
#include "lucompat/inspect/kernel_bytes.h"
#include "lucompat/policy/catalog.h"
#include "lucompat/raw/raw_reader.h"

namespace lucompat {
namespace {

Error with_input(Error e, const std::string& input) {
  if (e.input.empty()) e.input = input;
  return e;
}

InputKind kind_of(const ElfReading& r) {
  if (!r.identity.banner.empty() || r.elf.type == ET_EXEC) return InputKind::kernel;
  if (!r.identity.vermagic.empty() || !r.identity.module_name.empty()) return InputKind::module;
  return InputKind::object;
}

std::string raw_arch(std::optional<ContainerKind> kind, std::optional<ByteOrder> order) {
  if (kind == ContainerKind::arm64_image) return order == ByteOrder::big ? "arm64be" : "arm64";
  if (kind == ContainerKind::riscv_image) return "riscv64";
  return {};
}

// The core ABI string forms to look for: the built-in catalog's core
// families (data/catalog.toml), parsed once.
const std::vector<CompatibleForm>& core_forms() {
  static std::vector<CompatibleForm> forms;
  static std::once_flag once;
  std::call_once(once, [] {
    Catalog catalog;
    if (catalog.add(builtin_catalog(), "catalog.toml (built in)")) forms = catalog.core_forms();
  });
  return forms;
}

// The second, whole reading keeps the innermost image in memory, within the
// process-wide budget for data kept whole (SparseBuffer::kMaxKeptWhole,
// 64 MiB: Debian's amd64 vmlinux is 63 MiB). A larger kernel is left
// undecided rather than let a small bomb take gigabytes; deriving during the
// first reading would lift this (docs/performance.md).
constexpr uint64_t kMaxDerivedImage = uint64_t{64} << 20;

uint64_t innermost_size(const Inspection& in, Bytes data) {
  uint64_t size = data.size();
  for (const auto& l : in.chain)
    if (l.decompressed_size) size = *l.decompressed_size;
  return size;
}

Result<Inspection> inspect_unwrapped(const std::string& input, Bytes data, Unwrapped u,
                                     const InspectOptions& options) {
  Inspection out;
  out.input = input;
  out.input_size = data.size();
  if (u.kind == Innermost::elf) {
    Result<ElfReading> r = read_elf(u.bytes, {u.cut, u.present, core_forms(), options.base_layout});
    if (!r) return relocate(std::move(r).error(), u);
    out.format = r->elf.describe();
    out.kind = kind_of(*r);
    out.arch = r->elf.arch;
    out.byte_order = r->elf.order;
    out.elf = std::move(r->elf);
    out.identity = std::move(r->identity);
    out.table = std::move(r->table);
    out.registrations = std::move(r->registrations);
    out.layout = std::move(r->layout);
    out.registrations_searched = r->registrations_searched;
    if (!out.table) std::swap(out.table, out.registrations);
  } else {
    Result<RawReading> r = read_raw(u.bytes, u.raw_order, u.present);
    if (!r) return relocate(std::move(r).error(), u);
    if (u.chain.empty() && !r->table && r->identity.banner.empty())
      return Error{ErrorKind::unsupported, input, std::nullopt,
                   "unrecognised format: not ELF, no known kernel container or compression, and "
                   "neither a version table nor a Linux banner inside"};
    out.format = "raw binary image";
    out.kind = InputKind::kernel;
    out.arch = raw_arch(u.raw_kind, r->order);
    out.byte_order = r->order;
    out.identity = std::move(r->identity);
    out.table = std::move(r->table);
  }
  if (out.identity.release.empty()) out.identity.release = u.version_hint;
  out.chain = std::move(u.chain);
  return out;
}

}  // namespace

std::string_view name(InputKind k) {
  switch (k) {
    case InputKind::kernel:
      return "kernel";
    case InputKind::module:
      return "module";
    case InputKind::object:
      return "object";
  }
  return "unknown";
}

std::string Inspection::describe_chain() const {
  std::string out;
  for (const auto& l : chain) out += l.format + " ▸ ";
  return out + format;
}

std::string Inspection::compression() const {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    if (!it->compression.empty()) return it->compression;
  return {};
}

Result<Inspection> inspect_bytes(const std::string& input, Bytes data,
                                 const InspectOptions& options) {
  if (data.empty())
    return Error{ErrorKind::malformed, input, std::nullopt,
                 "empty file; expected a kernel image, module or object file"};
  auto u = catch_parse_errors([&] { return unwrap(data, options.unwrap); });
  if (!u) return with_input(std::move(u).error(), input);
  auto r = inspect_unwrapped(input, data, std::move(u).value(), options);
  if (!r) return with_input(std::move(r).error(), input);
  // A kernel with neither a table nor a symbol table may be a mainline LUO
  // kernel all the same: its own kallsyms name its objects. That takes the
  // image whole, so it is read a second time (docs/performance.md).
  if (r->kind == InputKind::kernel && !r->table && !r->registrations_searched &&
      !options.unwrap.early_exit && innermost_size(*r, data) <= kMaxDerivedImage) {
    // The first reading succeeded, so a failed second one is a resource
    // limit; that, and kallsyms this reader cannot decode (a 32-bit ARM
    // zImage's, a layout newer than it knows), leave the kernel as it was:
    // readable, its registrations unsearched, so undecided, never compatible.
    auto k = unwrap_kernel_bytes(input, data, options);
    if (!k) return r;
    if (auto d = registrations_by_kallsyms(*k, core_forms())) {
      r->registrations_searched = d->searched;
      r->table = std::move(d->table);
    }
    // No kallsyms either: the weakest evidence, a scan of the bytes, which
    // check accepts only with --trust-scan.
    if (!r->registrations_searched && k->elf)
      if (auto s = registrations_by_scan(k->bytes(), core_forms()); s && *s) {
        r->registrations_searched = true;
        r->table = std::move(**s);
      }
  }
  if (r->table && r->table->table.entries.size() > options.max_entries)
    return Error{ErrorKind::limit, input, r->table->location.offset,
                 fmt::format("the table has {} entries, more than the limit of {} (--max-entries)",
                             r->table->table.entries.size(), options.max_entries)};
  return r;
}

std::vector<std::string> registration_disagreements(const Inspection& in) {
  std::vector<std::string> out;
  if (!in.table || !in.registrations) return out;
  const auto& rfc = in.table->table.entries;
  const auto& regs = in.registrations->table.entries;
  // Without a single handler object of mainline's layout, the kernel's
  // handlers are of another shape (the RFC's own examples): nothing to compare.
  if (std::none_of(regs.begin(), regs.end(), [](const TableEntry& e) {
        return e.registration && e.registration->kind == EntryKind::file;
      }))
    return out;
  const auto has = [](const std::vector<TableEntry>& v, const std::string& s) {
    return std::any_of(v.begin(), v.end(), [&](const TableEntry& e) { return e.compatible == s; });
  };
  for (const auto& e : rfc)
    if (!has(regs, e.compatible))
      out.push_back(
          fmt::format("the version table lists {}, but no registered object or core string has it",
                      e.compatible));
  for (const auto& e : regs)
    if (e.registration && e.registration->kind == EntryKind::file && !has(rfc, e.compatible))
      out.push_back(fmt::format(
          "the file handler {} ({}) is registered, but the version table does not list it",
          e.compatible, e.registration->symbol));
  return out;
}

std::string evidence_of(const Inspection& in) {
  if (!in.table) return "none";
  const TableLocation& l = in.table->location;
  if (is_derived(l.method)) return fmt::format("{} ({})", name(l.method), l.evidence);
  return fmt::format(
      "version table ({}){}", name(l.method),
      in.registrations ? fmt::format(" and registrations ({})", in.registrations->location.evidence)
                       : "");
}

bool rests_on_scan_only(const Inspection& in) {
  if (!in.table || in.table->location.method != TableMethod::registrations) return false;
  const auto& entries = in.table->table.entries;
  return !entries.empty() && std::all_of(entries.begin(), entries.end(), [](const TableEntry& e) {
    return e.registration && e.registration->evidence == Evidence::scan;
  });
}

Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  return inspect_bytes(path, data->bytes(), options);
}

}  // namespace lucompat
