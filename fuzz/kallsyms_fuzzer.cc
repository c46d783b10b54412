// The kallsyms decoder (search and decode) on arbitrary bytes: both byte
// orders, both pointer sizes, as a raw image and, when it looks like one, as
// an ELF with a symbol table.
#include <cstddef>
#include <cstdint>

#include "lucompat/kallsyms/kallsyms.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lucompat::KallsymsInput in;
  in.image = lucompat::Bytes(reinterpret_cast<const std::byte*>(data), size);
  in.limits.max_symbols = 1 << 16;  // keep each run short
  for (auto order : {lucompat::ByteOrder::little, lucompat::ByteOrder::big})
    for (int ptr : {4, 8})
      for (bool elf : {false, true}) {
        in.order = order;
        in.pointer_size = ptr;
        in.elf = elf && size >= 4 && data[0] == 0x7f && data[1] == 'E';
        (void)lucompat::decode_kallsyms(in);
      }
  return 0;
}
