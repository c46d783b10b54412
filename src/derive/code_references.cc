#include "lucompat/derive/code_references.h"

#include <optional>
#include <utility>

#include "lucompat/base/byte_order.h"

namespace lucompat {

namespace {

// How many instructions after the one forming an address's high part the one
// adding its low part may come: compilers schedule others between them.
constexpr uint64_t kPairWindow = 8;

int64_t sign_extend(uint64_t value, unsigned bits) {
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>(((value & ((sign << 1) - 1)) ^ sign) - sign);
}

uint64_t plus(uint64_t address, int64_t delta) {
  return address + static_cast<uint64_t>(delta);  // wraps, as the address arithmetic does
}

class Finder {
 public:
  Finder(const MemoryImage& image, std::span<const uint64_t> targets)
      : want_(targets.begin(), targets.end()),
        mask_(image.pointer_size == 4 ? 0xffffffffu : ~uint64_t{0}) {}

  bool empty() const { return want_.empty(); }
  void hit(uint64_t address) {
    address &= mask_;
    if (address < *want_.begin() || address > *want_.rbegin()) return;
    if (want_.count(address) != 0) found_.insert(address);
  }
  std::set<uint64_t> found() && { return std::move(found_); }

 private:
  const std::set<uint64_t> want_;
  const uint64_t mask_;
  std::set<uint64_t> found_;
};

// The 32-bit word at `at` of `r`, when it is all there.
std::optional<uint32_t> word(const MemoryRegion& r, uint64_t at, ByteOrder order) {
  if (at > r.bytes.size() || r.bytes.size() - at < 4) return std::nullopt;
  return load<uint32_t>(r.bytes.data() + at, order);
}

// The first of the next kPairWindow instructions (each `step` bytes) after
// the one at `at` that `is_low_part` accepts, when there is one.
template <typename Accept>
std::optional<uint32_t> low_part(const MemoryRegion& r, uint64_t at, uint64_t step, ByteOrder order,
                                 Accept is_low_part) {
  for (uint64_t k = 1; k <= kPairWindow; ++k)
    if (const auto w = word(r, at + k * step, order); w && is_low_part(*w)) return w;
  return std::nullopt;
}

uint64_t aligned_start(const MemoryRegion& r, uint64_t alignment) {
  return (alignment - r.address % alignment) % alignment;
}

void pointers_stored_whole(Finder& f, const MemoryRegion& r, unsigned size, ByteOrder order) {
  for (uint64_t at = aligned_start(r, size); at + size <= r.bytes.size(); at += size)
    f.hit(size == 8 ? load<uint64_t>(r.bytes.data() + at, order)
                    : load<uint32_t>(r.bytes.data() + at, order));
}

// x86 instructions start anywhere: every 4 bytes are an immediate or a
// displacement of some instruction, or not; a false one only widens what
// counts as referred to by an address the code happens to hold.
void x86(Finder& f, const MemoryRegion& r, bool rip_relative) {
  for (uint64_t at = 0; at + 4 <= r.bytes.size(); ++at) {
    const uint32_t v = load<uint32_t>(r.bytes.data() + at, ByteOrder::little);
    f.hit(v);
    if (!rip_relative) continue;
    f.hit(static_cast<uint64_t>(sign_extend(v, 32)));
    // A displacement ends its instruction when no immediate follows it, as
    // in `lea sym(%rip), %rdi`.
    f.hit(plus(r.address + at + 4, sign_extend(v, 32)));
  }
}

// arm64 instructions are little-endian whatever the data's byte order.
void arm64(Finder& f, const MemoryRegion& r) {
  for (uint64_t at = aligned_start(r, 4); at + 4 <= r.bytes.size(); at += 4) {
    const uint32_t w = load<uint32_t>(r.bytes.data() + at, ByteOrder::little);
    if ((w & 0x1f000000) != 0x10000000) continue;  // adr, adrp
    const uint64_t pc = r.address + at;
    const int64_t imm = sign_extend(((w >> 29) & 3) | ((w >> 5) & 0x7ffff) << 2, 21);
    if ((w & 0x80000000) == 0) {
      f.hit(plus(pc, imm));
      continue;
    }
    const uint64_t page = (pc & ~uint64_t{0xfff}) + (static_cast<uint64_t>(imm) << 12);
    const uint32_t rd = w & 31;
    const auto add = low_part(r, at, 4, ByteOrder::little, [rd](uint32_t a) {
      return (a & 0xffc00000) == 0x91000000 && ((a >> 5) & 31) == rd;  // add xD, xN, #imm12
    });
    if (add) f.hit(page + ((*add >> 10) & 0xfff));
  }
}

// ARM state (a Thumb-2 kernel's movw/movt are not decoded).
void arm(Finder& f, const MemoryRegion& r) {
  for (uint64_t at = aligned_start(r, 4); at + 4 <= r.bytes.size(); at += 4) {
    const uint32_t w = load<uint32_t>(r.bytes.data() + at, ByteOrder::little);
    if ((w & 0x0ff00000) != 0x03000000 || (w >> 28) == 0xf) continue;  // movw
    const uint32_t rd = (w >> 12) & 15;
    const auto movt = low_part(r, at, 4, ByteOrder::little, [rd](uint32_t a) {
      return (a & 0x0ff00000) == 0x03400000 && (a >> 28) != 0xf && ((a >> 12) & 15) == rd;
    });
    const auto imm16 = [](uint32_t i) { return ((i >> 4) & 0xf000) | (i & 0xfff); };
    if (movt) f.hit(imm16(w) | uint64_t{imm16(*movt)} << 16);
  }
}

// With compressed instructions, a 32-bit one may start at any even byte.
void riscv(Finder& f, const MemoryRegion& r) {
  for (uint64_t at = aligned_start(r, 2); at + 4 <= r.bytes.size(); at += 2) {
    const uint32_t w = load<uint32_t>(r.bytes.data() + at, ByteOrder::little);
    const uint32_t opcode = w & 0x7f;
    if (opcode != 0x37 && opcode != 0x17) continue;  // lui, auipc
    const uint32_t rd = (w >> 7) & 31;
    if (rd == 0) continue;
    uint64_t high = static_cast<uint64_t>(sign_extend(w & 0xfffff000, 32));
    if (opcode == 0x17) high += r.address + at;
    const auto addi = low_part(r, at, 2, ByteOrder::little, [rd](uint32_t a) {
      return (a & 0x707f) == 0x13 && ((a >> 15) & 31) == rd;  // addi rD, rS, imm12
    });
    if (addi) f.hit(plus(high, sign_extend(*addi >> 20, 12)));
  }
}

void ppc64(Finder& f, const MemoryRegion& r, ByteOrder order, uint64_t toc) {
  constexpr uint32_t kAddi = 14, kAddis = 15, kTocRegister = 2;
  for (uint64_t at = aligned_start(r, 4); at + 4 <= r.bytes.size(); at += 4) {
    const uint32_t w = load<uint32_t>(r.bytes.data() + at, order);
    const uint32_t op = w >> 26, rt = (w >> 21) & 31, ra = (w >> 16) & 31;
    if (ra != kTocRegister || (op != kAddi && op != kAddis)) continue;
    const int64_t si = sign_extend(w & 0xffff, 16);
    if (op == kAddi) {
      f.hit(plus(toc, si));
      continue;
    }
    const uint64_t high = toc + (static_cast<uint64_t>(si) << 16);
    const auto addi = low_part(
        r, at, 4, order, [rt](uint32_t a) { return (a >> 26) == kAddi && ((a >> 16) & 31) == rt; });
    if (addi) f.hit(plus(high, sign_extend(*addi & 0xffff, 16)));
  }
}

void s390x(Finder& f, const MemoryRegion& r) {
  for (uint64_t at = aligned_start(r, 2); at + 6 <= r.bytes.size(); at += 2) {
    const auto* p = r.bytes.data() + at;
    if (p[0] != std::byte{0xc0} || (p[1] & std::byte{0x0f}) != std::byte{0}) continue;  // larl
    const int64_t halfwords = sign_extend(load<uint32_t>(p + 2, ByteOrder::big), 32);
    f.hit(plus(r.address + at, halfwords * 2));
  }
}

void code(Finder& f, const MemoryImage& image, const MemoryRegion& r) {
  switch (image.code.isa) {
    case Isa::x86_64:
      return x86(f, r, true);
    case Isa::i386:
      return x86(f, r, false);
    case Isa::arm64:
      return arm64(f, r);
    case Isa::arm:
      return arm(f, r);
    case Isa::riscv:
      return riscv(f, r);
    case Isa::ppc64:
      if (image.code.toc) ppc64(f, r, image.order, *image.code.toc);
      return;
    case Isa::s390x:
      return s390x(f, r);
    case Isa::unknown:
      return;
  }
}

}  // namespace

std::set<uint64_t> referenced(const MemoryImage& image, std::span<const uint64_t> targets) {
  Finder f(image, targets);
  if (f.empty()) return {};
  for (const MemoryRegion& r : image.regions) {
    pointers_stored_whole(f, r, image.pointer_size, image.order);
    if (r.kind == RegionKind::text) code(f, image, r);
  }
  return std::move(f).found();
}

}  // namespace lucompat
