#include "lucompat/derive/code_references.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace lucompat {
namespace {

// The encodings are those of the example kernels' registering code
// (examples/producer/mainline.c), as llvm-objdump shows them.
constexpr uint64_t kText = 0x100000;

struct Code {
  std::vector<std::byte> bytes;
  Code& raw(std::initializer_list<unsigned> b) {
    for (unsigned x : b) bytes.push_back(std::byte(x));
    return *this;
  }
  Code& word(uint32_t w, ByteOrder order = ByteOrder::little) {
    for (unsigned i = 0; i < 4; ++i)
      bytes.push_back(std::byte(order == ByteOrder::little ? w >> (8 * i) : w >> (24 - 8 * i)));
    return *this;
  }
};

std::set<uint64_t> refs(const Code& c, Isa isa, std::vector<uint64_t> targets,
                        ByteOrder order = ByteOrder::little, unsigned pointer_size = 8,
                        std::optional<uint64_t> toc = std::nullopt) {
  MemoryImage m;
  m.pointer_size = pointer_size;
  m.order = order;
  m.code = {isa, toc};
  m.regions = {{kText, 0, c.bytes, RegionKind::text}};
  return referenced(m, targets);
}

using Set = std::set<uint64_t>;

TEST(CodeReferences, X86Immediates) {
  const Code c = Code().raw({0x90, 0xbf, 0x10, 0x03, 0x10, 0x00});  // nop; mov $0x100310, %edi
  EXPECT_EQ(refs(c, Isa::x86_64, {0x100310, 0x100368}), Set{0x100310});
  EXPECT_EQ(refs(c, Isa::i386, {0x100310}, ByteOrder::little, 4), Set{0x100310});
  // mov $sym, %rdi in the kernel's code model: sign-extended.
  const Code k = Code().raw({0x48, 0xc7, 0xc7, 0x40, 0x12, 0x34, 0x82});
  EXPECT_EQ(refs(k, Isa::x86_64, {0xffffffff82341240}), Set{0xffffffff82341240});
}

TEST(CodeReferences, X86RipRelative) {
  // lea 0x200(%rip), %rdi at kText: the displacement counts from the end.
  const Code c = Code().raw({0x48, 0x8d, 0x3d, 0x00, 0x02, 0x00, 0x00});
  EXPECT_EQ(refs(c, Isa::x86_64, {kText + 7 + 0x200}), Set{kText + 7 + 0x200});
  EXPECT_TRUE(refs(c, Isa::i386, {kText + 7 + 0x200}, ByteOrder::little, 4).empty());
}

TEST(CodeReferences, Arm64AdrAndAdrpWithAnAdd) {
  // adr x19, #608 at kText.
  EXPECT_EQ(refs(Code().word(0x10001313), Isa::arm64, {kText + 608}), Set{kText + 608});
  // adrp x0, page; mov w20, w0; add x0, x0, #784: another instruction between.
  const Code pair = Code().word(0x90000000).word(0x2a0003f4).word(0x910c4000);
  EXPECT_EQ(refs(pair, Isa::arm64, {kText + 784}), Set{kText + 784});
  // The add of another register is not the low part.
  const Code other = Code().word(0x90000000).word(0x910c4021);  // add x1, x1, #784
  EXPECT_TRUE(refs(other, Isa::arm64, {kText + 784}).empty());
  // adrp alone names a page, not an object.
  EXPECT_TRUE(refs(Code().word(0x90000000), Isa::arm64, {kText}).empty());
}

TEST(CodeReferences, ArmMovwMovt) {
  const Code c = Code().word(0xe3004280).word(0xe3404010);  // movw r4, #640; movt r4, #16
  EXPECT_EQ(refs(c, Isa::arm, {0x100280}, ByteOrder::little, 4), Set{0x100280});
  const Code apart = Code().word(0xe3004280).word(0xe3400010);  // movt r0: another register
  EXPECT_TRUE(refs(apart, Isa::arm, {0x100280}, ByteOrder::little, 4).empty());
}

TEST(CodeReferences, RiscvLuiOrAuipcAndAnAddi) {
  // c.addi sp, sp, -32 (2 bytes), then lui a0, 256; addi s0, a0, 632.
  const Code c = Code().raw({0x01, 0x11}).word(0x00100537).word(0x27850413);
  EXPECT_EQ(refs(c, Isa::riscv, {0x100278}), Set{0x100278});
  // auipc a0, 0; addi a0, a0, -16 at kText: pc-relative, backwards.
  const Code pc = Code().word(0x00000517).word(0xff050513);
  EXPECT_EQ(refs(pc, Isa::riscv, {kText - 16}), Set{kText - 16});
}

TEST(CodeReferences, Ppc64FromTheToc) {
  const uint64_t toc = 0x108380;
  // addi 30, 2, -32760 (big-endian).
  const Code c = Code().word(0x3bc28008, ByteOrder::big);
  EXPECT_EQ(refs(c, Isa::ppc64, {toc - 32760}, ByteOrder::big, 8, toc), Set{toc - 32760});
  // addis 3, 2, 1; addi 4, 3, 16.
  const Code far = Code().word(0x3c620001, ByteOrder::big).word(0x38830010, ByteOrder::big);
  EXPECT_EQ(refs(far, Isa::ppc64, {toc + 0x10010}, ByteOrder::big, 8, toc), Set{toc + 0x10010});
  // Without the TOC's value, nothing is formed from it.
  EXPECT_TRUE(refs(c, Isa::ppc64, {toc - 32760}, ByteOrder::big).empty());
}

TEST(CodeReferences, S390xLarl) {
  const Code c = Code().raw({0x07, 0x07, 0xc0, 0x20, 0x00, 0x00, 0x01, 0x7f});  // nopr; larl
  EXPECT_EQ(refs(c, Isa::s390x, {kText + 2 + 0x2fe}, ByteOrder::big), Set{kText + 2 + 0x2fe});
}

TEST(CodeReferences, PointersStoredWholeCountOnEveryIsa) {
  MemoryImage m;
  std::vector<std::byte> table(16);
  table[8] = std::byte{0x40};
  table[9] = std::byte{0x12};  // 0x1240 at offset 8
  m.regions = {{0x3000, 0, table, RegionKind::data}};
  EXPECT_EQ(referenced(m, std::vector<uint64_t>{0x1240, 0x1248}), Set{0x1240});
  // Not at the pointer's alignment: not a pointer.
  m.regions[0].address = 0x3004;
  EXPECT_TRUE(referenced(m, std::vector<uint64_t>{0x1240}).empty());
}

TEST(CodeReferences, NothingThereNothingFound) {
  const Code zeros = Code().raw({0, 0, 0, 0, 0, 0, 0, 0});
  for (Isa isa : {Isa::unknown, Isa::x86_64, Isa::i386, Isa::arm64, Isa::arm, Isa::riscv,
                  Isa::ppc64, Isa::s390x})
    EXPECT_TRUE(refs(zeros, isa, {kText + 0x40}, ByteOrder::little, 8, 0x8000).empty());
  EXPECT_TRUE(refs(zeros, Isa::x86_64, {}).empty());
}

}  // namespace
}  // namespace lucompat
