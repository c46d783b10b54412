#include "lucompat/inspect/inspect.h"

#include <elf.h>
#include <fmt/format.h>

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

std::string raw_arch(const std::string& raw_format, std::optional<ByteOrder> order) {
  if (raw_format.starts_with("arm64 Image"))
    return order == ByteOrder::big ? "arm64be" : "arm64";
  if (raw_format.starts_with("riscv Image")) return "riscv64";
  return {};
}

Result<Inspection> inspect_unwrapped(const std::string& input, Bytes data, Unwrapped u) {
  Inspection out;
  out.input = input;
  out.input_size = data.size();
  if (u.kind == Innermost::elf) {
    Result<ElfReading> r = read_elf(u.bytes, {u.cut, u.present});
    if (!r) return relocate(std::move(r).error(), u);
    out.format = r->elf.describe();
    out.kind = kind_of(*r);
    out.arch = r->elf.arch;
    out.byte_order = r->elf.order;
    out.elf = std::move(r->elf);
    out.identity = std::move(r->identity);
    out.table = std::move(r->table);
  } else {
    Result<RawReading> r = read_raw(u.bytes, u.raw_order, u.present);
    if (!r) return relocate(std::move(r).error(), u);
    if (u.chain.empty() && !r->table && r->identity.banner.empty())
      return Error{ErrorKind::unsupported, input, std::nullopt,
                   "unrecognised format: not ELF, no known kernel container or compression, and "
                   "neither a version table nor a Linux banner inside"};
    out.format = "raw binary image";
    out.kind = InputKind::kernel;
    out.arch = raw_arch(u.raw_format, r->order);
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
    case InputKind::kernel: return "kernel";
    case InputKind::module: return "module";
    case InputKind::object: return "object";
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
  auto r = inspect_unwrapped(input, data, std::move(u).value());
  if (!r) return with_input(std::move(r).error(), input);
  if (r->table && r->table->table.entries.size() > options.max_entries)
    return Error{ErrorKind::limit, input, r->table->location.offset,
                 fmt::format("the table has {} entries, more than the limit of {} (--max-entries)",
                             r->table->table.entries.size(), options.max_entries)};
  return r;
}

Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  return inspect_bytes(path, data->bytes(), options);
}

}  // namespace lucompat
