#include <gtest/gtest.h>

#include "lucompat/report/inspect_report.h"

namespace lucompat {
namespace {

Inspection sample() {
  Inspection in;
  in.input = "vmlinux";
  in.format = "ELF64 MSB s390 executable";
  in.kind = InputKind::kernel;
  ElfInfo elf;
  elf.elf_class = 64;
  elf.order = ByteOrder::big;
  elf.machine = 22;
  elf.machine_name = "s390";
  elf.type_name = "executable";
  elf.arch = "s390x";
  in.elf = elf;
  in.arch = "s390x";
  in.byte_order = ByteOrder::big;
  in.identity.release = "6.1.192";
  in.identity.banner = "Linux version 6.1.192 (a@b) (gcc) #1 SMP";
  LocatedTable t;
  t.location = {TableMethod::section, TableShape::merged, ".liveupdate_versions", 0x1000, 104, {}};
  t.table.format_version = 1;
  t.table.entries = {{1, "luo-v1", 0x1008}, {2, "memfd-v1", 0x1038}};
  t.table.warnings = {{0x1040, "entry 2 (\"memfd-v1\"): stray"}};
  in.table = t;
  return in;
}

TEST(InspectJson, CarriesSchemaIdentityAndEntries) {
  const auto j = inspect_json(sample());
  EXPECT_EQ(j["schema"], "lucompat.inspect/2");
  EXPECT_EQ(j["status"], "table");
  EXPECT_EQ(j["elf"]["byte_order"], "big");
  EXPECT_EQ(j["elf"]["arch"], "s390x");
  EXPECT_EQ(j["arch"], "s390x");
  EXPECT_EQ(j["byte_order"], "big");
  EXPECT_EQ(j["chain"], nlohmann::json::array());
  EXPECT_EQ(j["identity"]["release"], "6.1.192");
  EXPECT_TRUE(j["identity"]["build_id"].is_null());
  EXPECT_EQ(j["table"]["format_version"], 1);
  EXPECT_EQ(j["table"]["entries"][1]["compatible"], "memfd-v1");
  EXPECT_EQ(j["table"]["entries"][1]["offset"], 0x1038);
  EXPECT_EQ(j["table"]["warnings"][0]["offset"], 0x1040);
  EXPECT_TRUE(j["no_table_reason"].is_null());
}

TEST(InspectJson, NoTableExplainsWhy) {
  Inspection in = sample();
  in.table.reset();
  const auto j = inspect_json(in);
  EXPECT_EQ(j["status"], "no_table");
  EXPECT_EQ(j["liveupdate"], "unknown");
  EXPECT_TRUE(j["table"].is_null());
  EXPECT_EQ(j["no_table_reason"],
            "no live-update version table: the kernel predates the RFC or was built without "
            "CONFIG_LIVEUPDATE, or it is a mainline LUO kernel whose registrations cannot be "
            "found without a symbol table or kallsyms this reader can decode");
  in.derived.emplace();
  in.derived->basis = "kallsyms + documented layout (6.19 on)";
  EXPECT_EQ(inspect_json(in)["liveupdate"], "unknown");
  EXPECT_NE(
      inspect_json(in)["no_table_reason"].get<std::string>().find("cannot show that LUO is absent"),
      std::string::npos);
  in.derived->luo = LuoPresence::absent;
  const auto absent = inspect_json(in);
  EXPECT_EQ(absent["liveupdate"], "absent");
  EXPECT_EQ(absent["no_table_reason"],
            "no Live Update Orchestrator in this kernel (built without CONFIG_LIVEUPDATE): its "
            "complete symbols have none of LUO's functions, handlers, FLBs or core strings");
}

TEST(InspectJson, ErrorDocument) {
  const auto j = inspect_error_json({ErrorKind::malformed, "x.ko", 0x40, "bad"});
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["error"]["kind"], "malformed");
  EXPECT_EQ(j["error"]["offset"], 0x40);
  EXPECT_EQ(j["error"]["text"], "x.ko: offset 0x40: bad");
}

TEST(InspectText, ListsEntriesAndWarnings) {
  const std::string t = inspect_text(sample());
  EXPECT_NE(t.find("vmlinux: ELF64 MSB s390 executable (kernel)\n"), std::string::npos);
  EXPECT_NE(t.find("section .liveupdate_versions at offset 0x1000, 104 bytes (header + 2 entries)"),
            std::string::npos);
  EXPECT_NE(t.find("     1  luo-v1\n"), std::string::npos);
  EXPECT_NE(t.find("  warning: offset 0x1040: "), std::string::npos);
}

}  // namespace
}  // namespace lucompat

namespace lucompat {
namespace {

DerivedSet derived(std::initializer_list<std::pair<const char*, EntryKind>> entries) {
  DerivedSet t;
  t.basis = "symtab + BTF";
  t.luo = LuoPresence::present;
  uint32_t slot = 0;
  for (const auto& [s, kind] : entries) {
    TableEntry e;
    e.slot = ++slot;
    e.compatible = s;
    e.registration = Registration{kind, kind == EntryKind::core ? "" : "obj", std::nullopt, "",
                                  Evidence::symtab};
    t.entries.push_back(e);
  }
  return t;
}

TEST(Registrations, TextLineCountsKindsAndNamesTheEvidence) {
  Inspection in = sample();
  in.table.reset();
  in.derived = derived(
      {{"luo-v1", EntryKind::core}, {"memfd-v1", EntryKind::file}, {"hugetlb-v1", EntryKind::flb}});
  const std::string t = inspect_text(in);
  EXPECT_NE(
      t.find("registered handlers: 1 file handler, 1 FLB, core luo-v1 (evidence: symtab + BTF)"),
      std::string::npos)
      << t;
  const auto j = inspect_json(in);
  EXPECT_EQ(j["status"], "derived");  // "table" is only ever an RFC table
  EXPECT_EQ(j["table"]["method"], "registrations");
  EXPECT_EQ(j["table"]["entries"][1]["kind"], "file");
  EXPECT_EQ(j["table"]["entries"][1]["evidence"], "symtab");
  EXPECT_TRUE(j["table"]["entries"][1]["address"].is_null());
  EXPECT_EQ(j["liveupdate"], "present");
  EXPECT_EQ(j["table"]["complete"], true);
  EXPECT_EQ(evidence_of(in), "registrations (symtab + BTF)");
}

TEST(Registrations, GapsAndSessionsAreShown) {
  Inspection in = sample();
  in.table.reset();
  in.derived = derived({{"memfd-v2", EntryKind::file}});
  in.derived->gaps.push_back({GapKind::near_miss, "x is shaped like a file handler"});
  in.derived->gaps.push_back({GapKind::unread_list, "no FLB list"});
  in.derived->sessions = std::vector<LiveSession>{{"vm-1", {{0x1a, "memfd-v2", {}}}}};
  const std::string t = inspect_text(in);
  EXPECT_NE(t.find("  NEAR MISS: x is shaped like a file handler\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  NOT READ: no FLB list\n"), std::string::npos) << t;
  EXPECT_NE(t.find("sessions  1 outgoing: vm-1 (memfd-v2 token 0x1a)"), std::string::npos) << t;
  const auto j = inspect_json(in);
  EXPECT_EQ(j["table"]["complete"], false);
  EXPECT_EQ(j["table"]["gaps"][1]["kind"], "unread_list");
  EXPECT_EQ(j["table"]["near_misses"].size(), 1u);
  EXPECT_EQ(j["sessions"][0]["name"], "vm-1");
  EXPECT_EQ(j["sessions"][0]["files"][0]["token"], "0x1a");
  in.derived->sessions->clear();
  EXPECT_NE(inspect_text(in).find("sessions  none open: nothing is preserved now"),
            std::string::npos);
}

TEST(Registrations, AnRfcTableMustAgreeWithThem) {
  Inspection in = sample();  // its RFC table lists luo-v1 and memfd-v1
  in.derived = derived({{"luo-v1", EntryKind::core},
                        {"memfd-v1", EntryKind::file},
                        {"kho-v1", EntryKind::core},
                        {"pci-v2", EntryKind::flb}});
  std::vector<std::string> table;
  for (const auto& e : in.table->table.entries) table.push_back(e.compatible);
  ASSERT_EQ(table, (std::vector<std::string>{"luo-v1", "memfd-v1"}));
  EXPECT_TRUE(registration_disagreements(in).empty());
  in.derived = derived({{"luo-v1", EntryKind::core}, {"memfd-v2", EntryKind::file}});
  const auto d = registration_disagreements(in);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NE(d[0].find("memfd-v1"), std::string::npos);
  EXPECT_NE(d[1].find("memfd-v2"), std::string::npos);
  EXPECT_NE(inspect_text(in).find("DISAGREES"), std::string::npos);
}

// jq reads numbers as doubles: 0xffffffff81a36cc0 and the handler 8 bytes
// on would print alike, so kernel addresses are strings.
TEST(Registrations, KernelAddressesAreHexStrings) {
  Inspection in = sample();
  in.table.reset();
  in.derived = derived({{"memfd-v2", EntryKind::file}});
  in.derived->entries[0].registration->address = 0xffffffff81a36cc0;
  EXPECT_EQ(inspect_json(in)["table"]["entries"][0]["address"], "0xffffffff81a36cc0");
}

TEST(Registrations, ARunningKernelsPositionsAreAddressesNotOffsets) {
  Inspection in = sample();
  in.table.reset();
  in.derived = derived({{"memfd-v2", EntryKind::file}});
  in.derived->evidence = Evidence::kcore;
  in.derived->offset = 0xffffffff83001000;
  in.derived->entries[0].offset = 0xffffffff81a36cc0;
  in.derived->warnings.push_back({0xffffffff83002000, "the outgoing sessions could not be read"});
  const auto t = inspect_json(in)["table"];
  EXPECT_EQ(t["method"], "running");
  EXPECT_TRUE(t["offset"].is_null());
  EXPECT_EQ(t["address"], "0xffffffff83001000");
  EXPECT_TRUE(t["entries"][0]["offset"].is_null());
  EXPECT_TRUE(t["warnings"][0]["offset"].is_null());
  EXPECT_EQ(t["warnings"][0]["address"], "0xffffffff83002000");
}

TEST(Registrations, ScanOnlyEvidenceIsFlagged) {
  Inspection in = sample();
  in.table.reset();
  in.derived = derived({{"memfd-v1", EntryKind::file}});
  EXPECT_FALSE(rests_on_scan_only(in));
  in.derived->entries[0].registration->evidence = Evidence::scan;
  EXPECT_TRUE(rests_on_scan_only(in));
}

}  // namespace
}  // namespace lucompat
