// Reading a raw kernel image (objcopy -O binary output: arm64 and riscv
// Image, a zboot payload): no structure, so the table is found by its magic
// and the identity by the banner.
#pragma once

#include <optional>

#include "lucompat/base/byte_range.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"
#include "lucompat/identity/kernel_identity.h"
#include "lucompat/table/table_location.h"

namespace lucompat {

struct RawReading {
  KernelIdentity identity;
  std::optional<LocatedTable> table;
  std::optional<ByteOrder> order;  // as stated by a header, or as the table was found
};

// `order`: the byte order a container header states, if any; otherwise both
// orders are tried. `present`: where the image holds data (see
// Unwrapped::present); empty: everywhere.
Result<RawReading> read_raw(Bytes image, std::optional<ByteOrder> order,
                            const std::vector<ByteRange>& present = {});

}  // namespace lucompat
