// The table decoders on arbitrary bytes, in both byte orders and all shapes,
// the entries alone with every registered format.
#include <cstddef>
#include <cstdint>

#include "lucompat/table/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lucompat::Bytes bytes(reinterpret_cast<const std::byte*>(data), size);
  for (auto order : {lucompat::ByteOrder::little, lucompat::ByteOrder::big}) {
    (void)lucompat::decode_table(bytes, order, 0x1000);
    (void)lucompat::scan_table(bytes, order);
    for (const lucompat::TableFormat& format : lucompat::table_formats())
      (void)lucompat::decode_table_entries(format, bytes, order);
  }
  return 0;
}
