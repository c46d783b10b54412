#include "kallsyms/addresses.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

uint64_t truncate(uint64_t v, int pointer_size) { return pointer_size == 4 ? v & 0xffffffffu : v; }

}  // namespace

std::optional<std::vector<uint64_t>> relative_addresses(const std::vector<int32_t>& offsets,
                                                        uint64_t base, KallsymsAddressing mode,
                                                        int pointer_size) {
  std::vector<uint64_t> out;
  out.reserve(offsets.size());
  bool negative = false;
  for (int32_t o : offsets) {
    uint64_t a = 0;
    if (mode == KallsymsAddressing::absolute_percpu) {
      // scripts/kallsyms.c writes an absolute (per-CPU) symbol as itself and
      // any other as relative_base - address - 1, which is negative.
      negative |= o < 0;
      a = o >= 0 ? static_cast<uint64_t>(o) : base - 1 - static_cast<uint64_t>(int64_t{o});
    } else {
      a = base + static_cast<uint32_t>(o);
    }
    a = truncate(a, pointer_size);
    if (!out.empty() && a < out.back()) return std::nullopt;
    out.push_back(a);
  }
  if (mode == KallsymsAddressing::absolute_percpu && !negative) return std::nullopt;
  return out;
}

KallsymsAddressing choose_relative_mode(const std::vector<int32_t>& offsets, uint64_t base,
                                        int pointer_size, uint64_t offset) {
  const auto rel = relative_addresses(offsets, base, KallsymsAddressing::relative, pointer_size);
  const auto pcpu =
      relative_addresses(offsets, base, KallsymsAddressing::absolute_percpu, pointer_size);
  if (rel && pcpu && *rel != *pcpu)
    fail(ErrorKind::malformed, offset,
         "kallsyms_offsets read as plain offsets and as KALLSYMS_ABSOLUTE_PERCPU offsets both "
         "give sorted addresses; refusing to guess");
  if (rel) return KallsymsAddressing::relative;
  if (pcpu) return KallsymsAddressing::absolute_percpu;
  fail(ErrorKind::malformed, offset,
       "kallsyms_offsets do not give addresses sorted in increasing order, with or without "
       "KALLSYMS_ABSOLUTE_PERCPU");
}

std::vector<int32_t> read_offsets(const ByteReader& image, uint64_t at, uint64_t count) {
  image.bytes(at, count * 4, "kallsyms_offsets");  // one bounds check for the whole array
  std::vector<int32_t> out(count);
  for (uint64_t i = 0; i < count; ++i)
    out[i] = static_cast<int32_t>(image.u32(at + 4 * i, "kallsyms_offsets entry"));
  return out;
}

uint64_t read_pointer(const ByteReader& image, uint64_t at, int pointer_size,
                      std::string_view field) {
  return pointer_size == 8 ? image.u64(at, field) : image.u32(at, field);
}

std::vector<uint64_t> read_absolute(const ByteReader& image, uint64_t at, uint64_t count,
                                    int pointer_size) {
  image.bytes(at, count * pointer_size, "kallsyms_addresses");
  std::vector<uint64_t> out(count);
  for (uint64_t i = 0; i < count; ++i) {
    out[i] = read_pointer(image, at + pointer_size * i, pointer_size, "kallsyms_addresses entry");
    if (i > 0 && out[i] < out[i - 1])
      fail(ErrorKind::malformed, at + pointer_size * i,
           fmt::format("kallsyms_addresses[{}] is 0x{:x}, below the previous 0x{:x}; the "
                       "table is sorted by address",
                       i, out[i], out[i - 1]));
  }
  return out;
}

}  // namespace lucompat
