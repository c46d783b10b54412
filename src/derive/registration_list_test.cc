#include "lucompat/derive/registration_list.h"

#include <gtest/gtest.h>

#include "derive/test_memory.h"

namespace lucompat {
namespace {

// The layer throws; the tests read its failures as Results.
Result<std::vector<uint64_t>> walk(const KernelMemory& m, uint64_t head, size_t max_nodes) {
  return catch_parse_errors([&] { return walk_list(m, head, max_nodes); });
}
Result<std::vector<RegisteredObject>> registered(const KernelMemory& m, uint64_t head,
                                                 EntryKind kind, const LuoModel& model,
                                                 size_t max_nodes) {
  return catch_parse_errors([&] { return read_registered(m, head, kind, model, max_nodes); });
}

constexpr uint64_t kHead = 0x1000;
using testing::FakeMemory;
const LuoModel kLayout = documented_model("7.3.4", 8);

// A handler at `at` with its ops (owner `owner`) right after it, linked
// between `prev` and `next`.
void handler(FakeMemory& m, uint64_t at, std::string_view compatible, uint64_t prev, uint64_t next,
             uint64_t owner = 0) {
  const uint64_t ops = at + 0x100;
  m.put(at, ops);
  m.put(at + 8, compatible, 48);
  m.put(at + 56, next);
  m.put(at + 64, prev);
  m.put(ops + kLayout.handler.ops.owner_offset, owner);
}

uint64_t node(uint64_t object) { return object + *kLayout.handler.link_offset; }

constexpr uint64_t kA = 0x2000, kB = 0x3000;

// The list head -> memfd-v1 at kA -> vfio-pci-v1 at kB (a module's) -> head.
FakeMemory two_handlers() {
  FakeMemory m;
  m.put(kHead, node(kA));
  m.put(kHead + 8, node(kB));
  handler(m, kA, "memfd-v1", kHead, node(kB));
  handler(m, kB, "vfio-pci-v1", node(kA), kHead, 0xc0de0000);
  return m;
}

TEST(RegistrationList, ReadsEveryHandlerInListOrder) {
  const FakeMemory m = two_handlers();
  auto r = registered(m, kHead, EntryKind::file, kLayout, 16);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].compatible, "memfd-v1");
  EXPECT_EQ((*r)[0].address, kA);
  EXPECT_EQ((*r)[0].owner, 0u);
  EXPECT_EQ((*r)[1].compatible, "vfio-pci-v1");
  EXPECT_EQ((*r)[1].owner, 0xc0de0000u);
}

TEST(RegistrationList, AnEmptyListHasNoNodes) {
  FakeMemory m;
  m.put(kHead, kHead);
  m.put(kHead + 8, kHead);
  auto r = walk(m, kHead, 16);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(RegistrationList, ANodeThatDoesNotPointBackIsCorrupt) {
  // What a module unloaded without unregistering leaves: the head still
  // points into memory that no longer holds the node.
  FakeMemory m;
  m.put(kHead, node(kA));
  m.put(kHead + 8, node(kA));
  handler(m, kA, "memfd-v1", 0, kHead);
  auto r = walk(m, kHead, 16);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("prev pointer"), std::string::npos) << r.error().message;
}

TEST(RegistrationList, UnreadableAndNullNodesAreErrors) {
  FakeMemory m;
  m.put(kHead, 0x9000);  // nothing there
  m.put(kHead + 8, kHead);
  EXPECT_FALSE(walk(m, kHead, 16));
  m.put(kHead, 0);
  auto r = walk(m, kHead, 16);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("NULL"), std::string::npos);
}

TEST(RegistrationList, ALoopThatMissesTheHeadEnds) {
  FakeMemory m = two_handlers();
  m.put(node(kB), node(kA));  // back to kA, never to the head
  auto r = walk(m, kHead, 1000);
  ASSERT_FALSE(r);
}

TEST(RegistrationList, TooManyNodesIsAnError) {
  const FakeMemory m = two_handlers();
  EXPECT_TRUE(walk(m, kHead, 2));
  auto r = walk(m, kHead, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("more than 1"), std::string::npos);
}

TEST(RegistrationList, AGarbledCompatibleIsAnError) {
  FakeMemory m;
  m.put(kHead, node(kA));
  m.put(kHead + 8, node(kA));
  handler(m, kA, "memfd-v1\x01", kHead, kHead);
  EXPECT_FALSE(registered(m, kHead, EntryKind::file, kLayout, 16));
}

TEST(RegistrationList, ALayoutWithoutAListHeadCannotBeWalked) {
  FakeMemory m;
  m.put(kHead, kHead);
  m.put(kHead + 8, kHead);
  LuoModel opaque = kLayout;
  opaque.flb.link_offset.reset();
  auto r = registered(m, kHead, EntryKind::flb, opaque, 16);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::unsupported);
}

}  // namespace
}  // namespace lucompat
