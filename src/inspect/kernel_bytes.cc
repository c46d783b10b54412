#include "lucompat/inspect/kernel_bytes.h"

#include <fmt/format.h>

#include "lucompat/elf/elf_reader.h"

namespace lucompat {
namespace {

Error with_input(Error e, const std::string& input) {
  if (e.input.empty()) e.input = input;
  return e;
}

}  // namespace

Result<KernelBytes> read_kernel_bytes(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  KernelBytes k;
  k.input = path;
  k.file = std::move(data).value();
  if (k.file.bytes().empty())
    return Error{ErrorKind::malformed, path, std::nullopt,
                 "empty file; expected a kernel image"};
  UnwrapOptions unwrap = options.unwrap;
  unwrap.keep_all = true;
  unwrap.early_exit = false;
  auto u = catch_parse_errors([&] { return lucompat::unwrap(k.file.bytes(), unwrap); });
  if (!u) return with_input(std::move(u).error(), path);
  k.unwrapped = std::move(u).value();
  const Bytes b = k.unwrapped.bytes;
  if (k.unwrapped.kind == Innermost::elf) {
    // is_elf checked the magic; the class and data bytes follow it.
    k.elf = true;
    k.pointer_size = static_cast<uint8_t>(b[4]) == 1 ? 4 : 8;
    k.order = static_cast<uint8_t>(b[5]) == 2 ? ByteOrder::big : ByteOrder::little;
  } else {
    // Raw images are arm64 and riscv Images (64-bit); their header says the
    // byte order when it is not little-endian.
    k.order = k.unwrapped.raw_order.value_or(ByteOrder::little);
  }
  return k;
}

}  // namespace lucompat
