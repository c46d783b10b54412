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
  EXPECT_EQ(j["schema"], "lucompat.inspect/1");
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
  in.registrations_searched = false;
  const auto j = inspect_json(in);
  EXPECT_EQ(j["status"], "no-table");
  EXPECT_TRUE(j["table"].is_null());
  in.registrations_searched = true;
  EXPECT_EQ(inspect_json(in)["no_table_reason"],
            "no Live Update Orchestrator in this kernel: no version table, and its symbols show no "
            "registered file handler, FLB or core string");
  EXPECT_EQ(j["no_table_reason"],
            "no live-update version table: the kernel predates the RFC or was built without "
            "CONFIG_LIVEUPDATE");
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
