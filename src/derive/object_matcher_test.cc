#include "lucompat/derive/object_matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace lucompat {
namespace {

constexpr uint64_t kText = 0x1000, kRodata = 0x2000, kData = 0x3000;

// A little-endian 64-bit image: code, one handler's and one FLB's ops in
// read-only data, and the objects in data, all laid out by hand.
struct Crafted {
  std::vector<std::byte> text = std::vector<std::byte>(64);
  std::vector<std::byte> rodata = std::vector<std::byte>(128);
  std::vector<std::byte> data = std::vector<std::byte>(512);
  std::map<uint64_t, uint64_t> sizes;

  static void put(std::vector<std::byte>& v, uint64_t at, uint64_t value) {
    std::memcpy(&v[at], &value, 8);
  }
  static void put(std::vector<std::byte>& v, uint64_t at, std::string_view s) {
    std::memcpy(&v[at], s.data(), s.size());
  }

  Crafted() {
    for (uint64_t i = 0; i < 9; ++i)
      put(rodata, i * 8, i % 2 == 0 ? kText + 4 * i : 0);  // file ops
    sizes[kRodata] = 80;
    for (uint64_t i = 0; i < 4; ++i) put(rodata, 80 + i * 8, kText + 4 * i);  // FLB ops
    sizes[kRodata + 80] = 40;
    put(data, 0, kRodata);  // a handler at kData
    put(data, 8, "memfd-v1");
    sizes[kData] = 88;
    put(data, 128, kRodata + 80);  // an FLB at kData + 128
    put(data, 136, "hugetlb-v1");
    sizes[kData + 128] = 192;
  }
  MemoryImage image() const {
    MemoryImage m;
    m.regions = {{kText, 0x100, text, RegionKind::text},
                 {kRodata, 0x200, rodata, RegionKind::rodata},
                 {kData, 0x400, data, RegionKind::data}};
    m.object_sizes = sizes;
    return m;
  }
};

const LuoModel kLayout = documented_model("7.3.4", 8);

TEST(ObjectMatcher, FindsAHandlerAndAnFlb) {
  const Crafted c;
  const auto h = match_object(c.image(), {"x", kData, 88}, kLayout);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, EntryKind::file);
  EXPECT_EQ(h->compatible, "memfd-v1");
  EXPECT_EQ(h->offset, 0x400u);
  const auto f = match_object(c.image(), {"y", kData + 128, 192}, kLayout);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, EntryKind::flb);
  EXPECT_EQ(f->compatible, "hugetlb-v1");
}

TEST(ObjectMatcher, WrongSizeIsNotAHandler) {
  const Crafted c;
  std::string why;
  EXPECT_FALSE(match_object(c.image(), {"x", kData, 96}, kLayout, &why));
  EXPECT_NE(why.find("size"), std::string::npos);
}

// Issue 23: a BTF whose handler size disagrees with the objects must not
// leave zero handlers without a word: a handler's ops and compatible in an
// object of another size are a near miss.
TEST(ObjectMatcher, AHandlerOfAnotherSizeThanTheLayoutsIsANearMiss) {
  const Crafted c;
  const ObjectMatches m = match_objects(c.image(), {{"x", kData, 96}}, kLayout);
  EXPECT_TRUE(m.matched.empty());
  ASSERT_EQ(m.near_misses.size(), 1u);
  EXPECT_NE(m.near_misses[0].find("its size 96 is not 88"), std::string::npos) << m.near_misses[0];
}

TEST(ObjectMatcher, CompatibleMustBeTerminatedPrintableAndPadded) {
  Crafted c;
  Crafted::put(c.data, 8, std::string(48, 'a'));  // no NUL
  EXPECT_FALSE(match_object(c.image(), {"x", kData, 88}, kLayout));
  Crafted d;
  Crafted::put(d.data, 8, std::string_view("memfd\tv1"));
  EXPECT_FALSE(match_object(d.image(), {"x", kData, 88}, kLayout));
  Crafted e;
  Crafted::put(e.data, 30, std::string_view("junk"));  // bytes after the NUL
  EXPECT_FALSE(match_object(e.image(), {"x", kData, 88}, kLayout));
  Crafted f;
  f.data[8] = std::byte{0};  // empty
  EXPECT_FALSE(match_object(f.image(), {"x", kData, 88}, kLayout));
}

TEST(ObjectMatcher, OpsMustBeWholeReadOnlyAndCode) {
  Crafted c;
  Crafted::put(c.data, 0, kData + 256);  // ops in writable data
  EXPECT_FALSE(match_object(c.image(), {"x", kData, 88}, kLayout));
  Crafted d;
  Crafted::put(d.data, 0, kRodata + 8);  // into the middle of an object
  EXPECT_FALSE(match_object(d.image(), {"x", kData, 88}, kLayout));
  Crafted e;
  Crafted::put(e.rodata, 0, kData);  // a "function" in data
  EXPECT_FALSE(match_object(e.image(), {"x", kData, 88}, kLayout));
  Crafted f;
  for (uint64_t i = 0; i < 9; ++i)
    Crafted::put(f.rodata, i * 8, uint64_t{0});  // no function at all
  EXPECT_FALSE(match_object(f.image(), {"x", kData, 88}, kLayout));
  Crafted g;
  Crafted::put(g.rodata, 72, kText);  // owner is code
  EXPECT_FALSE(match_object(g.image(), {"x", kData, 88}, kLayout));
}

TEST(ObjectMatcher, AnFlbsOpsDoNotMakeAHandler) {
  Crafted c;
  Crafted::put(c.data, 0, kRodata + 80);
  // Without BTF an FLB's size is only a lower bound, so this may be an FLB.
  const auto m = match_object(c.image(), {"x", kData, 88}, kLayout);
  EXPECT_TRUE(!m || m->kind == EntryKind::flb);
}

TEST(ObjectMatcher, PrivateListHeadsMustBeZero) {
  Crafted c;
  Crafted::put(c.data, 56, uint64_t{1});
  EXPECT_FALSE(match_object(c.image(), {"x", kData, 88}, kLayout));
}

TEST(ObjectMatcher, OutsideTheImageIsNotAHandler) {
  const Crafted c;
  EXPECT_FALSE(match_object(c.image(), {"x", kData + 500, 88}, kLayout));
  EXPECT_FALSE(match_object(c.image(), {"x", ~uint64_t{0} - 4, 88}, kLayout));
  Crafted d;
  Crafted::put(d.data, 0, ~uint64_t{0} - 2);  // ops pointer wraps around
  EXPECT_FALSE(match_object(d.image(), {"x", kData, 88}, kLayout));
}

TEST(ObjectMatcher, WithoutSizesADocumentedLayoutDoesNotGuess) {
  const Crafted c;
  MemoryImage m = c.image();
  m.object_sizes.reset();
  // The handler's size is exact in the documented layout; an FLB's is not.
  EXPECT_TRUE(match_object(m, {"x", kData, std::nullopt}, kLayout));
  EXPECT_FALSE(match_object(m, {"y", kData + 128, std::nullopt}, kLayout));
}

TEST(ObjectMatcher, RelocatableModulePointersComeFromRelocations) {
  Crafted c;
  Crafted::put(c.data, 0, uint64_t{0});
  for (uint64_t i = 0; i < 10; ++i) Crafted::put(c.rodata, i * 8, uint64_t{0});
  MemoryImage m = c.image();
  m.relocatable = true;
  EXPECT_FALSE(match_object(m, {"x", kData, 88}, kLayout));  // no relocation: a null ops
  m.relocations[kData] = Pointer{Pointer::To::address, kRodata};
  m.relocations[kRodata] = Pointer{Pointer::To::external, 0};
  m.relocations[kRodata + 72] = Pointer{Pointer::To::address, kData + 300};
  EXPECT_TRUE(match_object(m, {"x", kData, 88}, kLayout));
  m.relocations[kRodata + 8] = std::nullopt;  // a relocation that is not a pointer
  EXPECT_FALSE(match_object(m, {"x", kData, 88}, kLayout));
  m.relocations.erase(kRodata + 8);
  Crafted::put(c.rodata, 16, uint64_t{5});  // bytes in place without a relocation
  m.regions[1].bytes = c.rodata;
  EXPECT_FALSE(match_object(m, {"x", kData, 88}, kLayout));
}

TEST(ObjectMatcher, ARefusedObjectWithAValidCompatibleIsANearMiss) {
  Crafted c;
  Crafted::put(c.data, 0, kData + 256);  // ops in writable data: refused
  const ObjectMatches m = match_objects(c.image(), {{"x", kData, 88}}, kLayout);
  EXPECT_TRUE(m.matched.empty());
  ASSERT_EQ(m.near_misses.size(), 1u);
  EXPECT_NE(m.near_misses[0].find("x is shaped like a file handler and holds \"memfd-v1\""),
            std::string::npos)
      << m.near_misses[0];
  // Another size is no near miss.
  EXPECT_TRUE(match_objects(c.image(), {{"x", kData, 96}}, kLayout).near_misses.empty());
}

// Issue 23: a handler whose ops are a handler's but whose compatible is not a
// clean NUL-padded string is half a registration, never silently dropped.
TEST(ObjectMatcher, AValidOpsWithAGarbledCompatibleIsANearMiss) {
  using namespace std::string_literals;
  for (const std::string& bad : {"memfd-v2\0x"s, std::string(48, 'a'), "memfd\x01v2"s,
                                 "memfd\xc3v2"s, "memfd v2"s, "memfd@2"s, "memfd-v2;"s}) {
    Crafted c;
    Crafted::put(c.data, 8, std::string(48, '\0'));
    Crafted::put(c.data, 8, bad);
    const ObjectMatches m = match_objects(c.image(), {{"h", kData, 88}}, kLayout);
    EXPECT_TRUE(m.matched.empty()) << bad;
    ASSERT_EQ(m.near_misses.size(), 1u) << bad;
    EXPECT_NE(m.near_misses[0].find("not a NUL-terminated, zero-padded printable string"),
              std::string::npos)
        << m.near_misses[0];
  }
}

// Without sizes (kallsyms), an object with room for a handler is read as one:
// an ops pointer off by 8 no longer makes it vanish.
TEST(ObjectMatcher, WithoutSizesAHalfMatchIsANearMissToo) {
  Crafted c;
  Crafted::put(c.data, 0, kRodata + 8);
  MemoryImage m = c.image();
  m.object_sizes.reset();
  m.object_rooms = std::vector<std::pair<uint64_t, uint64_t>>{{kRodata, 80}, {kRodata + 80, 40}};
  const ObjectMatches r = match_objects(m, {{"h", kData, std::nullopt, 128}}, kLayout);
  EXPECT_TRUE(r.matched.empty());
  ASSERT_EQ(r.near_misses.size(), 1u);
  EXPECT_NE(r.near_misses[0].find("no symbol with room for 80 bytes starts at its ops"),
            std::string::npos)
      << r.near_misses[0];
}

// Issue 23, class 8: an i386 kernel's kallsyms (no BTF) give an FLB no size,
// and the documented layout only its least one. The room up to the next
// symbol bounds it: an FLB whose room is zero past its least size counts.
TEST(ObjectMatcher, WithoutSizesAnFlbIsBoundedByItsRoom) {
  Crafted c;
  MemoryImage m = c.image();
  m.object_sizes.reset();
  m.object_rooms = std::vector<std::pair<uint64_t, uint64_t>>{{kRodata, 80}, {kRodata + 80, 40}};
  const ObjectMatches r = match_objects(m, {{"flb", kData + 128, std::nullopt, 192}}, kLayout);
  ASSERT_EQ(r.matched.size(), 1u) << (r.near_misses.empty() ? "" : r.near_misses[0]);
  EXPECT_EQ(r.matched[0].kind, EntryKind::flb);
  EXPECT_EQ(r.matched[0].compatible, "hugetlb-v1");
  // A room with bytes past the least size: where the FLB ends is unknown.
  Crafted::put(c.data, 128 + 180, 1);
  m.regions = c.image().regions;
  const ObjectMatches unsure = match_objects(m, {{"flb", kData + 128, std::nullopt, 192}}, kLayout);
  EXPECT_TRUE(unsure.matched.empty());
  ASSERT_EQ(unsure.near_misses.size(), 1u);
  EXPECT_NE(unsure.near_misses[0].find("are not zero past the least size"), std::string::npos)
      << unsure.near_misses[0];
  // A handler's room (88 bytes, then the next object) is too small for an FLB.
  EXPECT_EQ(match_objects(m, {{"h", kData, std::nullopt, 88}}, kLayout).matched[0].kind,
            EntryKind::file);
}

// A scan names no object: two handler-shaped objects with one ops are a
// registered handler and a copy, and it cannot tell which is which (issue 23,
// class 3). With names (symbols), each is its own object.
TEST(ObjectMatcher, AScanCountsNoTwoObjectsThatShareTheirOps) {
  Crafted c;
  Crafted::put(c.data, 256, kRodata);  // a copy of the handler at kData
  Crafted::put(c.data, 264, "memfd-v9");
  Crafted::put(c.text, 48, kData);  // and something refers to each
  Crafted::put(c.text, 56, kData + 256);
  MemoryImage m = c.image();
  m.object_sizes.reset();
  const std::vector<ObjectCandidate> scanned{{"", kData, 88}, {"", kData + 256, 88}};
  const ObjectMatches r = match_objects(m, scanned, kLayout);
  EXPECT_TRUE(r.matched.empty());
  ASSERT_EQ(r.near_misses.size(), 2u);
  EXPECT_NE(r.near_misses[0].find("2 objects found by the scan share its ops"), std::string::npos)
      << r.near_misses[0];
  // One of them alone is counted.
  EXPECT_EQ(match_objects(m, {{"", kData, 88}}, kLayout).matched.size(), 1u);
  // Named, both count.
  const ObjectMatches named = match_objects(m, {{"a", kData, 88}, {"b", kData + 256, 88}}, kLayout);
  EXPECT_EQ(named.matched.size(), 2u);
}

// Issue 23, class 3: a scan counts an object only when something refers to
// it, as the registering call's argument or a pointer stored whole. A stale
// copy that nothing refers to is then no rival of the registered object.
TEST(ObjectMatcher, AScanCountsOnlyAnObjectSomethingRefersTo) {
  Crafted c;
  MemoryImage m = c.image();
  m.object_sizes.reset();
  const ObjectMatches alone = match_objects(m, {{"", kData, 88}}, kLayout);
  EXPECT_TRUE(alone.matched.empty());
  ASSERT_EQ(alone.near_misses.size(), 1u);
  EXPECT_NE(alone.near_misses[0].find("holds \"memfd-v1\", but is not counted: nothing in the "
                                      "image refers to it"),
            std::string::npos)
      << alone.near_misses[0];

  Crafted::put(c.text, 48, kData);     // a literal pool's pointer
  Crafted::put(c.data, 256, kRodata);  // a stale copy, with the same ops
  Crafted::put(c.data, 264, "memfd-v9");
  m = c.image();
  m.object_sizes.reset();
  const ObjectMatches r = match_objects(m, {{"", kData, 88}, {"", kData + 256, 88}}, kLayout);
  ASSERT_EQ(r.matched.size(), 1u);
  EXPECT_EQ(r.matched[0].compatible, "memfd-v1");
  ASSERT_EQ(r.near_misses.size(), 1u);
  EXPECT_NE(r.near_misses[0].find("memfd-v9"), std::string::npos) << r.near_misses[0];
  // A named object (a symbol table, kallsyms) needs no reference.
  EXPECT_EQ(match_objects(m, {{"copy", kData + 256, 88}}, kLayout).matched.size(), 1u);
}

// test_flbs[3] is one symbol: each element counts, named by its index.
TEST(ObjectMatcher, ArraysCountElementByElement) {
  Crafted c;
  std::fill(c.data.begin() + 88, c.data.end(), std::byte{0});  // no FLB: a second handler
  Crafted::put(c.data, 88, kRodata);
  Crafted::put(c.data, 96, "memfd-v3");
  MemoryImage m = c.image();
  (*m.object_sizes)[kData] = 176;
  const ObjectMatches sized = match_objects(m, {{"handlers", kData, 176}}, kLayout);
  ASSERT_EQ(sized.matched.size(), 2u);
  EXPECT_EQ(sized.matched[0].symbol, "handlers[0]");
  EXPECT_EQ(sized.matched[0].compatible, "memfd-v1");
  EXPECT_EQ(sized.matched[1].symbol, "handlers[1]");
  EXPECT_EQ(sized.matched[1].compatible, "memfd-v3");
  EXPECT_TRUE(sized.near_misses.empty());
  // Without sizes, the elements count while they match; a lone one keeps
  // its own name.
  m.object_sizes.reset();
  m.object_rooms = std::vector<std::pair<uint64_t, uint64_t>>{{kRodata, 80}, {kRodata + 80, 40}};
  const ObjectMatches roomy =
      match_objects(m, {{"handlers", kData, std::nullopt, 128 + 88}}, kLayout);
  ASSERT_EQ(roomy.matched.size(), 2u);
  EXPECT_EQ(roomy.matched[1].symbol, "handlers[1]");
  Crafted one;
  MemoryImage lone = one.image();
  lone.object_sizes.reset();
  lone.object_rooms = *m.object_rooms;
  const ObjectMatches single = match_objects(lone, {{"h", kData, std::nullopt, 128}}, kLayout);
  ASSERT_EQ(single.matched.size(), 1u);
  EXPECT_EQ(single.matched[0].symbol, "h");
}

TEST(CompatibleIn, Strict) {
  using namespace std::string_literals;
  EXPECT_EQ(compatible_in(as_bytes("pci-v2\0\0\0"s)), "pci-v2");
  EXPECT_FALSE(compatible_in(as_bytes("pci-v2\0x\0"s)));
  EXPECT_FALSE(compatible_in(as_bytes("pci v2\0"s)));
  EXPECT_FALSE(compatible_in(as_bytes(""s)));
}

TEST(CompatibleIn, CompositesAreReadAndMalformedOnesRefused) {
  using namespace std::string_literals;
  EXPECT_EQ(compatible_in(as_bytes("memfd-v2;vmalloc-v1\0\0"s)), "memfd-v2;vmalloc-v1");
  EXPECT_FALSE(compatible_in(as_bytes("memfd-v2;;vmalloc-v1\0"s)));
  EXPECT_FALSE(compatible_in(as_bytes("memfd-v2;\0"s)));
  EXPECT_FALSE(compatible_in(as_bytes("pci@2\0"s)));
}

}  // namespace
}  // namespace lucompat
