#include "lucompat/derive/memory_image.h"

#include <algorithm>

namespace lucompat {

std::optional<uint64_t> MemoryImage::room_at(uint64_t address) const {
  if (!object_rooms) return std::nullopt;
  const auto it = std::lower_bound(object_rooms->begin(), object_rooms->end(), address,
                                   [](const auto& room, uint64_t a) { return room.first < a; });
  if (it == object_rooms->end() || it->first != address) return std::nullopt;
  return it->second;
}

const MemoryRegion* MemoryImage::region_of(uint64_t address, uint64_t size) const {
  for (const MemoryRegion& r : regions) {
    if (address < r.address) continue;
    const uint64_t off = address - r.address;
    if (off <= r.bytes.size() && size <= r.bytes.size() - off) return &r;
  }
  return nullptr;
}

std::optional<Bytes> MemoryImage::read(uint64_t address, uint64_t size) const {
  const MemoryRegion* r = region_of(address, size);
  if (r == nullptr) return std::nullopt;
  return r->bytes.subspan(address - r->address, size);
}

std::optional<Pointer> MemoryImage::pointer_at(uint64_t address) const {
  const auto bytes = read(address, pointer_size);
  if (!bytes) return std::nullopt;
  if (relocatable) {
    if (const auto it = relocations.find(address); it != relocations.end()) return it->second;
    // RELA keeps addends out of place, so an unrelocated pointer slot is zero;
    // anything else there is an integer or a REL addend we do not resolve.
    const bool zero =
        std::all_of(bytes->begin(), bytes->end(), [](std::byte b) { return b == std::byte{0}; });
    return zero ? std::optional<Pointer>(Pointer{}) : std::nullopt;
  }
  const uint64_t value = pointer_size == 8 ? load<uint64_t>(bytes->data(), order)
                                           : load<uint32_t>(bytes->data(), order);
  if (value == 0) return Pointer{};
  return Pointer{Pointer::To::address, value};
}

}  // namespace lucompat
