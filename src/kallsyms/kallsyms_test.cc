#include "lucompat/kallsyms/kallsyms.h"

#include <gtest/gtest.h>

#include "elf/test_elf.h"
#include "kallsyms/test_image.h"

namespace lucompat {
namespace {

using testing::craft_kallsyms;
using testing::CraftOptions;
using testing::CraftSymbol;
using testing::sample_symbols;
using testing::seven;

constexpr uint64_t kText = 0xffffffff81000000;
// Where 7.0 test tables lie: in read-only data after the sample symbols' text.
constexpr uint64_t kRodata = 0xffffffff82000000;

KallsymsInput input(const std::vector<std::byte>& bytes, ByteOrder order, int ptr) {
  KallsymsInput in;
  in.image = bytes;
  in.order = order;
  in.pointer_size = ptr;
  return in;
}

Kallsyms decode_ok(const KallsymsInput& in) {
  auto r = decode_kallsyms(in);
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  if (!r || !*r) {
    ADD_FAILURE() << "no kallsyms found";
    return {};
  }
  return std::move(**r);
}

Error decode_error(const KallsymsInput& in) {
  auto r = decode_kallsyms(in);
  EXPECT_FALSE(r) << "decoded";
  return r ? Error{} : r.error();
}

void expect_same(const Kallsyms& k, const std::vector<CraftSymbol>& want) {
  const std::vector<KallsymsSymbol> got = k.symbols();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].address, want[i].address) << i;
    EXPECT_EQ(got[i].type, want[i].type) << i;
    EXPECT_EQ(got[i].name, want[i].name) << i;
    EXPECT_TRUE(k.names.is(i, want[i].name)) << i;
    EXPECT_FALSE(k.names.is(i, want[i].name + "x")) << i;
  }
}

struct Case {
  ByteOrder order;
  int ptr;
  KallsymsAddressing addressing;
  bool later;
  size_t count;
  bool own_labels = false;
  int alignment = 0;
};

class Layouts : public ::testing::TestWithParam<Case> {};

TEST_P(Layouts, SearchFindsAndDecodesEverySymbol) {
  const Case p = GetParam();
  const uint64_t base = p.ptr == 8 ? kText : 0xc1000000;
  std::vector<CraftSymbol> s = sample_symbols(p.count, base);
  if (p.addressing == KallsymsAddressing::absolute_percpu) {
    // Per-CPU variables first, at their small absolute offsets.
    s.insert(s.begin(), {{0x0, 'D', "fixed_percpu_data", true}, {0x2000, 'D', "runqueues", true}});
  }
  CraftOptions o{p.order, p.ptr, p.addressing, p.later, p.alignment, p.own_labels};
  o.text = p.ptr == 8 ? kRodata : 0xc2000000;
  const auto c = craft_kallsyms(s, o);
  KallsymsInput in = input(c.bytes, p.order, p.ptr);
  in.text_address = o.text;  // the crafted bytes start where a raw image's _text would
  const Kallsyms k = decode_ok(in);
  expect_same(k, c.symbols);
  EXPECT_EQ(k.addressing, p.addressing);
  EXPECT_EQ(k.self_checked, p.own_labels);
  EXPECT_FALSE(k.located_by_symtab);
  EXPECT_EQ(k.location.names, c.where.names);
  EXPECT_EQ(k.location.addresses, c.where.addresses);
  EXPECT_EQ(k.location.seqs_of_names, c.where.seqs_of_names);
  if (p.addressing == KallsymsAddressing::place_relative) {
    EXPECT_EQ(k.offsets_address, o.text + c.where.addresses);
  }
  ASSERT_EQ(k.find("_text").size(), 1u);
  EXPECT_EQ(k.addresses[k.find("_text")[0]], base);
  // Known location, no search: the same reading.
  expect_same(decode_kallsyms_at(in, c.where, std::nullopt), c.symbols);
}

INSTANTIATE_TEST_SUITE_P(
    Kallsyms, Layouts,
    ::testing::Values(
        Case{ByteOrder::little, 8, KallsymsAddressing::relative, false, 700},
        Case{ByteOrder::big, 8, KallsymsAddressing::relative, false, 700},
        Case{ByteOrder::little, 8, KallsymsAddressing::absolute_percpu, false, 300},
        Case{ByteOrder::big, 8, KallsymsAddressing::absolute_percpu, false, 300},
        Case{ByteOrder::little, 8, KallsymsAddressing::absolute, false, 300},
        Case{ByteOrder::big, 8, KallsymsAddressing::absolute, false, 300},
        Case{ByteOrder::little, 4, KallsymsAddressing::relative, false, 300},
        Case{ByteOrder::big, 4, KallsymsAddressing::absolute, false, 300},
        Case{ByteOrder::little, 8, KallsymsAddressing::relative, true, 300},
        Case{ByteOrder::little, 8, KallsymsAddressing::absolute_percpu, true, 300},
        Case{ByteOrder::little, 8, KallsymsAddressing::relative, false, 40},
        Case{ByteOrder::big, 8, KallsymsAddressing::absolute, true, 40},
        // 7.0: place-relative, 4-byte labels, the table's own labels in it.
        Case{ByteOrder::little, 8, KallsymsAddressing::place_relative, true, 700, true, 4},
        Case{ByteOrder::big, 8, KallsymsAddressing::place_relative, true, 300, true, 4},
        Case{ByteOrder::little, 4, KallsymsAddressing::place_relative, true, 300, true, 4},
        // Without its own labels: kallsyms_seqs_of_names right after
        // the offsets confirms the layout.
        Case{ByteOrder::little, 8, KallsymsAddressing::place_relative, true, 300, false, 4},
        // Place-relative with 8-byte labels: the seqs may follow padding.
        Case{ByteOrder::little, 8, KallsymsAddressing::place_relative, true, 301, true, 8},
        // 7.0's 32-bit non-relocatable kernels: u32 addresses.
        Case{ByteOrder::little, 4, KallsymsAddressing::absolute, true, 300, true, 4},
        Case{ByteOrder::big, 4, KallsymsAddressing::absolute, true, 300, true, 4}));

// The 7.0 layout where kallsyms_token_index lies 4 bytes off an 8-byte
// boundary (Debian's amd64 7.3.4): the offsets follow it at once, not at the
// next 8-byte boundary.
TEST(Kallsyms, PlaceRelativeOffsetsRightAfterAnIndexOffEightBytes) {
  for (size_t n = 300; n < 340; ++n) {
    const auto c = craft_kallsyms(sample_symbols(n, kText), seven(kRodata));
    if (c.where.token_index % 8 != 4) continue;
    KallsymsInput in = input(c.bytes, ByteOrder::little, 8);
    in.text_address = kRodata;
    const Kallsyms k = decode_ok(in);
    EXPECT_EQ(k.location.addresses, c.where.token_index + 512);
    EXPECT_TRUE(k.self_checked);
    expect_same(k, c.symbols);
    return;
  }
  FAIL() << "no sample put the index 4 bytes off an 8-byte boundary";
}

TEST(Kallsyms, PlaceRelativeInARawImageNeedsItsLinkAddress) {
  const auto c = craft_kallsyms(sample_symbols(300, kText), seven(kRodata));
  const Error e = decode_error(input(c.bytes, ByteOrder::little, 8));
  EXPECT_EQ(e.kind, ErrorKind::unsupported) << e.to_string();
  EXPECT_EQ(e.offset, c.where.addresses);
  EXPECT_NE(e.message.find("_text"), std::string::npos) << e.message;
}

// A self-check: the entry named kallsyms_offsets must decode to where the
// table lies. Two bytes off, everything still sorts.
TEST(Kallsyms, OwnLabelThatMissesItsTableIsRejected) {
  auto c = craft_kallsyms(sample_symbols(300, kText), seven(kRodata));
  size_t j = 0;
  while (c.symbols[j].name != "kallsyms_offsets") ++j;
  const uint64_t entry = c.where.addresses + 4 * j;
  c.bytes[entry] = static_cast<std::byte>(static_cast<uint8_t>(c.bytes[entry]) - 2);
  KallsymsInput in = input(c.bytes, ByteOrder::little, 8);
  in.text_address = kRodata;
  try {
    (void)decode_kallsyms_at(in, c.where, KallsymsAddressing::place_relative);
    FAIL() << "decoded";
  } catch (const ParseError& e) {
    EXPECT_NE(e.error().message.find("own entry kallsyms_offsets"), std::string::npos) << e.what();
  }
  const Error e = decode_error(in);
  EXPECT_NE(e.message.find("own entry kallsyms_offsets"), std::string::npos) << e.to_string();
}

// seqs_of_names that is no permutation does not confirm the layout; the
// labels still do.
TEST(Kallsyms, SeqsOfNamesMustBeAPermutation) {
  for (bool labels : {false, true}) {
    testing::CraftOptions o = seven(kRodata);
    o.own_labels = labels;
    auto c = craft_kallsyms(sample_symbols(300, kText), o);
    const uint64_t s = *c.where.seqs_of_names;
    for (int i = 0; i < 3; ++i) c.bytes[s + 3 + i] = c.bytes[s + i];  // a number twice
    KallsymsInput in = input(c.bytes, ByteOrder::little, 8);
    in.text_address = kRodata;
    auto r = decode_kallsyms(in);
    if (labels) {
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_FALSE((*r)->location.seqs_of_names);
      expect_same(**r, c.symbols);
    } else {
      ASSERT_FALSE(r);
      EXPECT_NE(r.error().message.find("kallsyms_seqs_of_names"), std::string::npos)
          << r.error().to_string();
    }
  }
}

// A 32-bit 7.0 kernel's u32 addresses also sort read as place-relative
// offsets, and both are followed by kallsyms_seqs_of_names: only the labels
// tell them apart, and without labels the decoder refuses to guess.
TEST(Kallsyms, ThirtyTwoBitAbsoluteOrPlaceRelativeByTheLabels) {
  for (bool labels : {true, false}) {
    CraftOptions o{ByteOrder::little, 4, KallsymsAddressing::absolute, true, 4, labels, 0xc2000000};
    const auto c = craft_kallsyms(sample_symbols(300, 0xc1000000), o);
    KallsymsInput in = input(c.bytes, ByteOrder::little, 4);
    in.text_address = 0xc2000000;
    auto r = decode_kallsyms(in);
    if (labels) {
      ASSERT_TRUE(r) << r.error().to_string();
      EXPECT_EQ((*r)->addressing, KallsymsAddressing::absolute);
      expect_same(**r, c.symbols);
    } else {
      ASSERT_FALSE(r);
      EXPECT_NE(r.error().message.find("refusing to guess"), std::string::npos)
          << r.error().to_string();
    }
  }
}

// An ELF (a bzImage's payload, a vmlinux): the place the offsets count from
// is the table's virtual address, from the PT_LOAD segment that holds it;
// with a .symtab, kallsyms_offsets without kallsyms_relative_base is 7.0's.
struct SevenElf {
  testing::Crafted c;
  uint64_t at = 0;  // file offset of the crafted bytes
  std::string elf;
};

std::string symbol64(const testing::ElfBuilder& b, uint32_t name, uint16_t shndx, uint64_t value) {
  return b.word(name, 4) + b.word(STT_OBJECT, 1) + b.word(0, 1) + b.word(shndx, 2) +
         b.word(value, 8) + b.word(0, 8);
}

SevenElf seven_elf(bool with_symtab) {
  SevenElf out;
  out.c = craft_kallsyms(sample_symbols(700, kText), seven(kRodata));
  testing::ElfBuilder b;
  const std::string bytes(reinterpret_cast<const char*>(out.c.bytes.data()), out.c.bytes.size());
  const size_t rodata = b.section(".rodata", bytes, SHT_PROGBITS, SHF_ALLOC, kRodata, 0x1000);
  out.at = b.offset_of(rodata);
  b.segment(PT_LOAD, out.at, bytes.size(), kRodata);
  if (with_symtab) {
    std::string strtab(1, '\0'), symtab = symbol64(b, 0, 0, 0);
    for (const auto& s : out.c.symbols)
      if (s.name.starts_with("kallsyms_")) {
        symtab += symbol64(b, static_cast<uint32_t>(strtab.size()), static_cast<uint16_t>(rodata),
                           s.address);
        strtab += s.name + '\0';
      }
    const size_t st = b.section(".symtab", symtab, SHT_SYMTAB, 0);
    const size_t str = b.section(".strtab", strtab, SHT_STRTAB, 0);
    b.link(st, static_cast<uint32_t>(str));
  }
  out.elf = b.build();
  return out;
}

TEST(Kallsyms, PlaceRelativeInAnElfBySearchAndBySymtab) {
  for (bool symtab : {false, true}) {
    const SevenElf e = seven_elf(symtab);
    KallsymsInput in;
    in.image = as_bytes(e.elf);
    in.elf = true;
    const Kallsyms k = decode_ok(in);
    EXPECT_EQ(k.located_by_symtab, symtab);
    EXPECT_EQ(k.addressing, KallsymsAddressing::place_relative);
    EXPECT_EQ(k.offsets_address, kRodata + e.c.where.addresses);
    EXPECT_EQ(k.location.addresses, e.at + e.c.where.addresses);
    EXPECT_EQ(k.location.seqs_of_names, e.at + *e.c.where.seqs_of_names);
    EXPECT_TRUE(k.self_checked);
    expect_same(k, e.c.symbols);
  }
}

TEST(Kallsyms, NoTablesIsNotAnError) {
  std::vector<std::byte> noise(1 << 16);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::byte>(i * 7 + (i >> 8));
  KallsymsInput in;
  in.image = noise;
  auto r = decode_kallsyms(in);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

// Issue 23, class 8: s390x's raw image has no header that names its byte
// order; its big-endian tables are found when the order is not known, and
// the decoding says which order it read.
TEST(Kallsyms, ARawImageOfUnknownOrderIsReadInTheOrderItsTablesDecodeIn) {
  CraftOptions o;
  o.order = ByteOrder::big;
  const auto c = craft_kallsyms(sample_symbols(300, kText), o);
  KallsymsInput in = input(c.bytes, ByteOrder::little, 8);
  auto known = decode_kallsyms(in);
  ASSERT_TRUE(known);
  EXPECT_FALSE(*known);  // read as little-endian, as a header would have said
  in.order_known = false;
  const Kallsyms k = decode_ok(in);
  EXPECT_EQ(k.order, ByteOrder::big);
  expect_same(k, c.symbols);
  EXPECT_EQ(decode_ok(input(c.bytes, ByteOrder::big, 8)).order, ByteOrder::big);
}

TEST(Kallsyms, TwoDifferentTablesAreAnError) {
  const auto s = sample_symbols(300, kText);
  auto other = s;
  other[5].address += 8;
  const auto a = craft_kallsyms(s, {});
  const auto b = craft_kallsyms(other, {});
  std::vector<std::byte> both = a.bytes;
  both.insert(both.end(), b.bytes.begin(), b.bytes.end());
  const Error e = decode_error(input(both, ByteOrder::little, 8));
  EXPECT_NE(e.message.find("two different"), std::string::npos) << e.to_string();
}

TEST(Kallsyms, BrokenTablesBehindAGoodTokenTableAreAnError) {
  auto c = craft_kallsyms(sample_symbols(700, kText), {});
  c.bytes[c.where.markers + 4] ^= std::byte{1};
  const Error e = decode_error(input(c.bytes, ByteOrder::little, 8));
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, c.where.token_table);
}

TEST(Kallsyms, UnsortedOffsetsAtAKnownLocationAreAnError) {
  auto c = craft_kallsyms(sample_symbols(300, kText), {});
  c.bytes[c.where.addresses + 4 * 10 + 3] = std::byte{0x40};  // offset 10 jumps far ahead
  EXPECT_THROW(
      (void)decode_kallsyms_at(input(c.bytes, ByteOrder::little, 8), c.where, std::nullopt),
      ParseError);
}

TEST(Kallsyms, ZeroRelativeBaseIsUnsupported) {
  auto c = craft_kallsyms(sample_symbols(300, kText), {});
  for (int i = 0; i < 8; ++i) c.bytes[*c.where.relative_base + i] = std::byte{0};
  try {
    (void)decode_kallsyms_at(input(c.bytes, ByteOrder::little, 8), c.where, std::nullopt);
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.error().kind, ErrorKind::unsupported);
    EXPECT_EQ(e.error().offset, *c.where.relative_base);
  }
  // The search says the same, not "no consistent tables".
  const Error e = decode_error(input(c.bytes, ByteOrder::little, 8));
  EXPECT_EQ(e.kind, ErrorKind::unsupported) << e.to_string();
}

TEST(Kallsyms, SortedAsSystemMap) {
  const std::vector<KallsymsSymbol> s{
      {0x20, 'T', "b"}, {0x10, 'T', "z"}, {0x10, 'T', "_a"}, {0x10, 't', "x"}, {0x10, 'T', "x"}};
  const auto sorted = sorted_by_address(s);
  ASSERT_EQ(sorted.size(), 5u);
  EXPECT_EQ(sorted[0].name, "_a");  // '_' sorts before letters, byte by byte
  EXPECT_EQ(sorted[1].type, 't');   // equal in address and name: table order
  EXPECT_EQ(sorted[2].type, 'T');
  EXPECT_EQ(sorted[3].name, "z");
  EXPECT_EQ(sorted[4].name, "b");
}

}  // namespace
}  // namespace lucompat
