#include "lucompat/inspect/inspect.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "inspect/kallsyms_registrations.h"
#include "lucompat/catalog/catalog.h"
#include "lucompat/elf/elf_records.h"
#include "lucompat/inspect/kernel_bytes.h"
#include "lucompat/inspect/kernel_capture_rules.h"
#include "lucompat/raw/raw_reader.h"

namespace lucompat {
namespace {

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

// The core ABI string forms to look for: the site's catalog's, else the
// built-in catalog's core families (data/catalog.toml), parsed once.
const std::vector<CompatibleForm>& core_forms(const InspectOptions& options) {
  static std::vector<CompatibleForm> builtin;
  static std::once_flag once;
  std::call_once(once, [] {
    Catalog catalog;
    if (catalog.add(builtin_catalog(), "catalog.toml (built in)")) builtin = catalog.core_forms();
  });
  return options.core_forms.empty() ? builtin : options.core_forms;
}

// A kernel's set is derived from every byte of its innermost image, kept
// whole by the first reading when its headers say it ends within this bound
// (Debian's amd64 vmlinux is 63 MiB), within the process-wide budget for data
// kept whole (SparseBuffer::kMaxKeptWhole, 64 MiB). A larger kernel is left
// undecided rather than let a small bomb take gigabytes
// (docs/performance.md).
constexpr uint64_t kMaxDerivedImage = uint64_t{64} << 20;

uint64_t innermost_size(const Inspection& in, Bytes data) {
  uint64_t size = data.size();
  for (const auto& l : in.chain)
    if (l.decompressed_size) size = *l.decompressed_size;
  return size;
}

Result<Inspection> inspect_unwrapped(const std::string& input, Bytes data, const Unwrapped& u,
                                     const InspectOptions& options) {
  Inspection out;
  out.input = input;
  out.input_size = data.size();
  if (u.kind == Innermost::file) {
    Result<ElfReading> r =
        read_elf(u.bytes, {u.cut, u.present, core_forms(options), options.base_model});
    if (!r) return relocate(std::move(r).error(), u);
    out.format = r->elf.describe();
    out.kind = kind_of(*r);
    out.arch = r->elf.arch;
    out.byte_order = r->elf.order;
    out.elf = std::move(r->elf);
    out.identity = std::move(r->identity);
    out.table = std::move(r->table);
    out.derived = std::move(r->derived);
    out.model = std::move(r->model);
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
  out.chain = u.chain;
  return out;
}

// A kernel without an RFC table whose first reading could not derive its set:
// no symbol table to search by, or one whose bytes the stream capture did
// not all keep.
bool needs_whole_reading(const Inspection& in) {
  if (!in.derived) return true;
  return in.derived->evidence == Evidence::symtab && in.derived->gap(GapKind::unread_region);
}

// The first reading's bytes when they hold every byte of the innermost
// image: a stream kept whole, or a linked ELF kept whole as far as its
// headers say it ends (what follows it in the stream, such as x86's
// relocations, is no part of it).
std::optional<Unwrapped> whole_image(Unwrapped u) {
  if (u.present.empty()) return u;
  uint64_t size = u.bytes.size();
  if (u.kind == Innermost::file) {
    try {
      size = std::min(size, declared_extent(u.bytes));
    } catch (const ParseError&) {
      return std::nullopt;
    }
  }
  const ByteRange& first = u.present.front();
  if (first.offset != 0 || first.size < size) return std::nullopt;
  u.bytes = u.bytes.first(size);
  u.present.clear();
  return u;
}

// The whole reading: the symbol table again with every byte kept, else the
// kernel's own kallsyms, else (the weakest evidence, which check accepts only
// with --trust-scan) a scan of its bytes. It reads what the first reading
// kept when that is every byte; otherwise (a raw image, which the first
// reading keeps sparse) it decompresses the input again. The first reading
// succeeded, so a failed second one is a resource limit; that, and kallsyms
// this reader cannot decode, leave the kernel as it was: readable, its set
// underived or incomplete, so undecided, never compatible.
void derive_from_whole(Inspection& in, const std::string& input, Bytes data, Unwrapped first,
                       const InspectOptions& options) {
  std::optional<Unwrapped> kept = whole_image(std::move(first));
  const bool whole = kept.has_value();
  auto k = whole ? Result<KernelBytes>(kernel_bytes_of(input, std::move(*kept)))
                 : unwrap_kernel_bytes(input, data, options);
  if (!k) return;
  const std::vector<CompatibleForm>& forms = core_forms(options);
  if (k->elf && in.derived) {
    if (whole) return;  // the first reading read it all
    if (auto r = read_elf(k->bytes(), {false, {}, forms, options.base_model}); r && r->derived)
      in.derived = std::move(r->derived);
    return;
  }
  if (auto d = registrations_by_kallsyms(*k, in.identity.release, forms); d && *d) {
    in.derived = std::move(**d);
    return;
  }
  if (k->elf)
    if (auto s = registrations_by_scan(k->bytes(), in.identity.release, forms); s && *s)
      in.derived = std::move(**s);
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
  UnwrapOptions unwrap_options = options.unwrap;
  if (unwrap_options.rules == nullptr) unwrap_options.rules = &kernel_capture_rules();
  unwrap_options.linked_file_whole = kMaxDerivedImage;
  auto u = catch_parse_errors([&] { return unwrap(data, unwrap_options); });
  if (!u) return with_input(std::move(u).error(), input);
  auto r = inspect_unwrapped(input, data, *u, options);
  if (!r) return with_input(std::move(r).error(), input);
  if (r->kind == InputKind::kernel && !r->table && needs_whole_reading(*r) &&
      !options.unwrap.early_exit && innermost_size(*r, data) <= kMaxDerivedImage)
    derive_from_whole(*r, input, data, std::move(u).value(), options);
  if (const size_t n = declared_entries(*r).size(); n > options.max_entries)
    return Error{ErrorKind::limit, input, r->table ? r->table->location.offset : r->derived->offset,
                 fmt::format("the table has {} entries, more than the limit of {} (--max-entries)",
                             n, options.max_entries)};
  return r;
}

const std::vector<TableEntry>& declared_entries(const Inspection& in) {
  static const std::vector<TableEntry> none;
  if (in.table) return in.table->table.entries;
  if (in.derived) return in.derived->entries;
  return none;
}

bool has_version_set(const Inspection& in) {
  return in.table || (in.derived && (!in.derived->entries.empty() || !in.derived->complete()));
}

bool answers_fully(const Inspection& in) {
  if (in.table) return true;
  return in.derived && in.derived->luo == LuoPresence::present && in.derived->complete() &&
         !in.derived->entries.empty();
}

LuoPresence luo_presence(const Inspection& in) {
  if (in.table) return LuoPresence::present;
  return in.derived ? in.derived->luo : LuoPresence::unknown;
}

std::vector<std::string> registration_disagreements(const Inspection& in) {
  std::vector<std::string> out;
  if (!in.table || !in.derived) return out;
  const auto& rfc = in.table->table.entries;
  const auto& regs = in.derived->entries;
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
  if (in.table)
    return fmt::format("version table ({}){}", name(in.table->location.method),
                       in.derived ? fmt::format(" and registrations ({})", in.derived->basis) : "");
  if (in.derived)
    return fmt::format("{} ({})",
                       in.derived->evidence == Evidence::kcore ? "running" : "registrations",
                       in.derived->basis);
  return "none";
}

bool rests_on_scan_only(const Inspection& in) {
  if (in.table || !in.derived) return false;
  const auto& entries = in.derived->entries;
  return !entries.empty() && std::all_of(entries.begin(), entries.end(), [](const TableEntry& e) {
    return e.registration && e.registration->evidence == Evidence::scan;
  });
}

Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  // The compressed kernel's pages, once decompressed, are given back: they
  // stood beside the image in the peak RSS (13 MB of Debian's 7.3.4 kernel).
  InspectOptions reading = options;
  const FileData& file = *data;
  reading.unwrap.release_input = [&file](Bytes read) { file.release(read); };
  return inspect_bytes(path, file.bytes(), reading);
}

}  // namespace lucompat
