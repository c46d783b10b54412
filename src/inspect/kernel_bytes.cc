#include "lucompat/inspect/kernel_bytes.h"

#include <elf.h>
#include <fmt/format.h>

#include "lucompat/inspect/kernel_capture_rules.h"

namespace lucompat {

KernelBytes kernel_bytes_of(std::string input, Unwrapped unwrapped) {
  KernelBytes k;
  k.input = std::move(input);
  k.unwrapped = std::move(unwrapped);
  const Bytes b = k.unwrapped.bytes;
  if (k.unwrapped.kind == Innermost::file) {
    // The rules' is_file checked the ELF magic, which a file may end after:
    // the ELF reader names what is missing, and nothing is read past it here.
    k.elf = true;
    const auto ident = [&](size_t at) { return at < b.size() ? static_cast<uint8_t>(b[at]) : 0; };
    k.pointer_size = ident(EI_CLASS) == ELFCLASS32 ? 4 : 8;
    k.order = ident(EI_DATA) == ELFDATA2MSB ? ByteOrder::big : ByteOrder::little;
  } else {
    // Raw images are 64-bit: arm64 and riscv Images, whose header says the
    // byte order when it is not little-endian, and s390x's, which has none.
    k.order = k.unwrapped.raw_order.value_or(ByteOrder::little);
    k.order_known = k.unwrapped.raw_order.has_value();
  }
  return k;
}

Result<KernelBytes> unwrap_kernel_bytes(const std::string& input, Bytes data,
                                        const InspectOptions& options) {
  if (data.empty())
    return Error{ErrorKind::malformed, input, std::nullopt, "empty file; expected a kernel image"};
  UnwrapOptions unwrap = options.unwrap;
  if (unwrap.rules == nullptr) unwrap.rules = &kernel_capture_rules();
  unwrap.keep_all = true;
  unwrap.early_exit = false;
  unwrap.budget = nullptr;  // a second reading of one input: a budget of its own
  auto u = catch_parse_errors([&] { return lucompat::unwrap(data, unwrap); });
  if (!u) return with_input(std::move(u).error(), input);
  return kernel_bytes_of(input, std::move(u).value());
}

Result<KernelBytes> read_kernel_bytes(const std::string& path, const InspectOptions& options) {
  auto data = read_file(path, options.max_file_size);
  if (!data) return with_input(std::move(data).error(), path);
  FileData file = std::move(data).value();
  auto k = unwrap_kernel_bytes(path, file.bytes(), options);
  if (!k) return k;
  k->file = std::move(file);  // the mapping moves, its bytes stay where they are
  return k;
}

}  // namespace lucompat
