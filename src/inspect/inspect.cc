#include "lucompat/inspect/inspect.h"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

Error with_input(Error e, const std::string& input) {
  if (e.input.empty()) e.input = input;
  return e;
}

std::string first_bytes(Bytes data) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(data.size(), 8); ++i)
    out += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned>(data[i]));
  return out;
}

InputKind kind_of(const ElfReading& r) {
  if (!r.identity.banner.empty() || r.elf.type == ET_EXEC) return InputKind::kernel;
  if (!r.identity.vermagic.empty() || !r.identity.module_name.empty()) return InputKind::module;
  return InputKind::object;
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

Result<Inspection> inspect_bytes(const std::string& input, Bytes data) {
  if (data.empty())
    return Error{ErrorKind::malformed, input, std::nullopt,
                 "empty file; expected a kernel image, module or object file"};
  if (!is_elf(data))
    return Error{ErrorKind::unsupported, input, 0,
                 fmt::format("not an ELF file (starts with {}); this lucompat reads ELF kernels "
                             "(vmlinux), modules and objects",
                             first_bytes(data))};
  Result<ElfReading> r = read_elf(data);
  if (!r) return with_input(std::move(r).error(), input);
  Inspection out;
  out.input = input;
  out.format = r->elf.describe();
  out.kind = kind_of(*r);
  out.elf = std::move(r->elf);
  out.identity = std::move(r->identity);
  out.table = std::move(r->table);
  return out;
}

Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  return inspect_bytes(path, *data);
}

}  // namespace lucompat
