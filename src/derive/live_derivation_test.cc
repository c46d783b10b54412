#include "lucompat/derive/live_derivation.h"

#include <gtest/gtest.h>

#include <map>

#include "derive/test_btf.h"
#include "derive/test_memory.h"

namespace lucompat {
namespace {

using testing::FakeMemory;

// A running 7.x kernel, laid out as the corpus's 7.3.4 is (luo7_btf): one
// memfd handler with one FLB attached, that FLB on luo_flb_global.list, and
// one outgoing session holding one memfd.
constexpr uint64_t kHandlers = 0x1000;   // luo_file_handler_list
constexpr uint64_t kFlbGlobal = 0x1100;  // luo_flb_global; .list at +48
constexpr uint64_t kSessions = 0x1200;   // luo_session_global; .outgoing.list at +128
constexpr uint64_t kHandler = 0x2000, kOps = 0x2100, kFlb = 0x3000, kFlbOps = 0x3100;
constexpr uint64_t kLink = 0x4000, kSession = 0x5000, kFile = 0x6000;

// A list of one node: head <-> node.
void one(FakeMemory& m, uint64_t head, uint64_t node) {
  m.put(head, node);
  m.put(head + 8, node);
  m.put(node, head);
  m.put(node + 8, head);
}

void empty(FakeMemory& m, uint64_t head) {
  m.put(head, head);
  m.put(head + 8, head);
}

struct Kernel {
  FakeMemory memory;
  std::map<std::string, uint64_t, std::less<>> symbols{{"liveupdate_register_file_handler", 0x9000},
                                                       {"luo_file_handler_list", kHandlers},
                                                       {"luo_flb_global", kFlbGlobal},
                                                       {"luo_session_global", kSessions}};
  std::vector<std::byte> btf = luo7_btf();

  Kernel() {
    memory.put(kHandler, kOps);
    memory.put(kHandler + 8, "memfd-v2", 48);
    memory.put(kOps + 72, uint64_t{0});
    one(memory, kHandlers, kHandler + 56);
    memory.put(kFlb, kFlbOps);
    memory.put(kFlb + 8, "liveupdate-test-flb-v0", 48);
    memory.put(kFlbOps + 32, uint64_t{0});
    one(memory, kFlbGlobal + 48, kFlb + 56);
    memory.put(kLink, kFlb);
    one(memory, kHandler + 72, kLink + 8);
    memory.put(kSession, "test-session", 64);
    one(memory, kSessions + 128, kSession + 64);
    memory.put(kFile, kHandler);
    memory.put(kFile + 80, uint64_t{0x1a});
    one(memory, kSession + 88, kFile + 64);
  }

  Result<DerivedSet> derive(bool with_btf = true) {
    LiveEvidence ev;
    ev.memory = &memory;
    ev.symbols = [this](std::string_view n) -> std::optional<uint64_t> {
      const auto it = symbols.find(n);
      if (it == symbols.end()) return std::nullopt;
      return it->second;
    };
    ev.release = "7.3.4";
    if (with_btf) ev.btf = Bytes(btf);
    ev.lists = {{"luo_file_handler_list"},
                {"luo_flb_global.list", "luo_flb_list"},
                {"luo_session_global.outgoing.list"}};
    ev.owner_name = [](uint64_t) { return std::string("vmlinux"); };
    ev.symbol_at = [](uint64_t a) {
      return a == kHandler ? std::pair<std::string, uint64_t>{"memfd_luo_handler", a}
                           : std::pair<std::string, uint64_t>{};
    };
    return derive_running(ev, {});
  }
};

TEST(LiveDerivation, ReadsHandlersFlbsAndSessions) {
  Kernel k;
  auto d = k.derive();
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->luo, LuoPresence::present);
  EXPECT_TRUE(d->complete());
  EXPECT_EQ(d->basis, "kallsyms + BTF + kcore");
  ASSERT_EQ(d->entries.size(), 2u);
  EXPECT_EQ(d->entries[0].compatible, "memfd-v2");
  EXPECT_EQ(d->entries[0].registration->symbol, "memfd_luo_handler");
  EXPECT_EQ(d->entries[1].compatible, "liveupdate-test-flb-v0");
  EXPECT_EQ(d->entries[1].registration->kind, EntryKind::flb);
  ASSERT_TRUE(d->sessions);
  ASSERT_EQ(d->sessions->size(), 1u);
  const LiveSession& s = d->sessions->front();
  EXPECT_EQ(s.name, "test-session");
  ASSERT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.files[0].token, 0x1au);
  EXPECT_EQ(s.files[0].compatible, "memfd-v2");
  EXPECT_EQ(s.files[0].flbs, std::vector<std::string>{"liveupdate-test-flb-v0"});
}

// Without BTF the documented 7.x layout places luo_flb_global.list, but the
// sessions, whose structs grow with lock debugging, stay unread: a warning,
// not a gap, since they only narrow what is in use.
TEST(LiveDerivation, WithoutBtfTheDocumentedLayoutServesButSessionsAreNotRead) {
  Kernel k;
  auto d = k.derive(false);
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d->basis, "kallsyms + documented layout (6.19 on) + kcore");
  EXPECT_TRUE(d->complete());
  EXPECT_EQ(d->entries.size(), 2u);
  EXPECT_FALSE(d->sessions);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].message.find("sessions are not read"), std::string::npos);
}

// Issue 23: a kernel with the file handler list but no FLB list head must not
// skip FLBs without a word: the set is incomplete.
TEST(LiveDerivation, AMissingFlbListIsAGap) {
  Kernel k;
  k.symbols.erase("luo_flb_global");
  auto d = k.derive();
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_FALSE(d->complete());
  const DerivationGap* g = d->gap(GapKind::unread_list);
  ASSERT_NE(g, nullptr);
  EXPECT_NE(g->detail.find("luo_flb_global.list, luo_flb_list"), std::string::npos) << g->detail;
}

TEST(LiveDerivation, WithoutLuosFunctionsThereIsNoLuo) {
  Kernel k;
  k.symbols.erase("liveupdate_register_file_handler");
  auto d = k.derive();
  ASSERT_TRUE(d);
  EXPECT_EQ(d->luo, LuoPresence::absent);
  EXPECT_TRUE(d->entries.empty());
}

TEST(LiveDerivation, ACorruptHandlerListIsAnError) {
  Kernel k;
  k.memory.put(kHandler + 56 + 8, uint64_t{0x7777});  // prev does not point back
  auto d = k.derive();
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("luo_file_handler_list (file handlers)"), std::string::npos);
}

TEST(LiveDerivation, AnEmptySessionListIsNothingPreserved) {
  Kernel k;
  empty(k.memory, kSessions + 128);
  auto d = k.derive();
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->sessions);
  EXPECT_TRUE(d->sessions->empty());
}

}  // namespace
}  // namespace lucompat
