// The innermost bytes of a kernel input (the ELF vmlinux or raw Image inside
// every container), kept whole: for readers that need more of the image than
// inspect's sparse capture keeps, such as the kallsyms decoder.
#pragma once

#include <string>

#include "lucompat/base/file.h"
#include "lucompat/base/result.h"
#include "lucompat/container/unwrap.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {

struct KernelBytes {
  std::string input;
  FileData file;        // the input, which `unwrapped.bytes` may point into
  Unwrapped unwrapped;  // bytes, the container chain, decompressed buffers
  ByteOrder order = ByteOrder::little;
  bool order_known = true;  // false: a raw image whose header names none (s390x)
  int pointer_size = 8;     // from the ELF class; 8 for a raw 64-bit Image
  bool elf = false;

  Bytes bytes() const { return unwrapped.bytes; }
};

// Reads `path` and unwraps it with every decompressed byte kept (up to
// options.unwrap.max_output a stream). Errors carry `path` as their input.
Result<KernelBytes> read_kernel_bytes(const std::string& path, const InspectOptions& options = {});

// The same for bytes the caller holds (a package member); `file` stays empty
// and the result points into `data`, which must outlive it.
Result<KernelBytes> unwrap_kernel_bytes(const std::string& input, Bytes data,
                                        const InspectOptions& options = {});

// Unwrapped bytes that hold every byte of the kernel (see
// Unwrapped::present), from whatever reading unwrapped them.
KernelBytes kernel_bytes_of(std::string input, Unwrapped unwrapped);

}  // namespace lucompat
