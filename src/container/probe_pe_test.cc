// probe_uki, and the PE/COFF reader under it (pe.cc).
#include <gtest/gtest.h>

#include <vector>

#include "container/probe.h"
#include "container/test_probe.h"
#include "container/test_streams.h"
#include "lucompat/container/pe.h"

namespace lucompat {
namespace {

using testing::detail;
using testing::probe_error;
using testing::put_le;

constexpr uint64_t kCoff = 0x84;          // after "PE\0\0" at e_lfanew 0x80
constexpr uint64_t kOptionalSize = 0xf0;  // PE32+'s optional header
constexpr uint64_t kSectionTable = kCoff + 20 + kOptionalSize;
constexpr uint64_t kFirstData = 0x400;  // the file alignment: 512

struct PeSectionSpec {
  std::string name;
  std::string bytes;
};

// A PE/COFF image as systemd's ukify lays out a UKI: each section's bytes
// padded to 512, VirtualSize their true size.
std::string pe_file(const std::vector<PeSectionSpec>& sections, uint16_t machine = 0x8664) {
  std::string b(kFirstData, '\0');
  b.replace(0, 2, "MZ");
  put_le(b, 0x3c, 0x80, 4);
  b.replace(0x80, 4, std::string("PE\0\0", 4));
  put_le(b, kCoff, machine, 2);
  put_le(b, kCoff + 2, sections.size(), 2);
  put_le(b, kCoff + 16, kOptionalSize, 2);
  for (size_t i = 0; i < sections.size(); ++i) {
    const PeSectionSpec& s = sections[i];
    const uint64_t h = kSectionTable + i * 40;
    const uint64_t raw = (s.bytes.size() + 511) / 512 * 512;
    b.replace(h, s.name.size(), s.name);
    put_le(b, h + 8, s.bytes.size(), 4);            // VirtualSize
    put_le(b, h + 16, raw, 4);                      // SizeOfRawData
    put_le(b, h + 20, raw != 0 ? b.size() : 0, 4);  // PointerToRawData
    b += s.bytes + std::string(raw - s.bytes.size(), '\0');
  }
  return b;
}

const std::string kLinux = testing::zstd(testing::sample_text(3000));

std::vector<PeSectionSpec> uki_sections() {
  return {{".osrel", "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"},
          {".cmdline", "root=/dev/vda1 ro \n"},
          {".uname", "6.1.0-13-amd64\n"},
          {".linux", kLinux}};
}

std::optional<Step> probe(const std::string& bytes) {
  const UnwrapOptions options;
  return kUkiProbe.probe(as_bytes(bytes), {options, true});
}

TEST(ProbeUki, TheLinuxSectionIsTheKernelAndTheOthersAreFacts) {
  const std::string bytes = pe_file(uki_sections());
  const auto step = probe(bytes);
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->layer.format, "UKI");
  EXPECT_EQ(detail(step->layer, "pe_machine"), "x86-64");
  EXPECT_EQ(detail(step->layer, "uname"), "6.1.0-13-amd64");
  EXPECT_EQ(detail(step->layer, "osrel"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(detail(step->layer, "cmdline"), "root=/dev/vda1 ro");
  EXPECT_EQ(step->version_hint, "6.1.0-13-amd64");
  // VirtualSize bytes, not the padded raw size.
  EXPECT_EQ(as_chars(step->inner), kLinux);
  EXPECT_EQ(step->layer.offset, static_cast<uint64_t>(step->inner.data() - as_bytes(bytes).data()));
  EXPECT_EQ(step->layer.size, kLinux.size());
}

TEST(ProbeUki, AnOsReleaseWithoutAPrettyNameShowsItsFirstLine) {
  auto sections = uki_sections();
  sections[0].bytes = "NAME=Foo\nID=foo\n";
  EXPECT_EQ(detail(probe(pe_file(sections))->layer, "osrel"), "NAME=Foo");
}

TEST(ProbeUki, APeWithoutALinuxSectionIsAStubNotAUki) {
  EXPECT_FALSE(probe(pe_file({{".text", "code"}})).has_value());
}

TEST(ProbeUki, WithoutBothSignaturesItIsNotAPe) {
  std::string bytes = pe_file(uki_sections());
  bytes[0x80] = 'X';
  EXPECT_FALSE(probe(bytes).has_value());
  EXPECT_FALSE(probe("MZ").has_value());
  EXPECT_FALSE(probe(std::string(kFirstData, '\0')).has_value());
}

TEST(ProbeUki, AnEmptyLinuxSectionIsMalformed) {
  auto sections = uki_sections();
  sections[3].bytes.clear();
  const Error e = probe_error(kUkiProbe.probe, pe_file(sections));
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.message, "the UKI's .linux section is empty");
}

TEST(ProbeUki, ASectionPastTheEndIsAnErrorInsideTheFile) {
  const std::string whole = pe_file(uki_sections());
  const std::string cut = whole.substr(0, whole.size() - 600);
  Error e = probe_error(kUkiProbe.probe, cut);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_LE(e.offset.value_or(UINT64_MAX), cut.size());
  std::string far = whole;
  put_le(far, kSectionTable + 3 * 40 + 20, 0x7fffff00, 4);  // .linux's PointerToRawData
  e = probe_error(kUkiProbe.probe, far);
  EXPECT_EQ(e.offset, kSectionTable + 3 * 40 + 20);
}

TEST(ProbeUki, ASectionTablePastTheEndIsMalformed) {
  std::string bytes = pe_file(uki_sections());
  put_le(bytes, kCoff + 2, 0xffff, 2);
  const Error e = probe_error(kUkiProbe.probe, bytes);
  EXPECT_EQ(e.kind, ErrorKind::malformed);
  EXPECT_EQ(e.offset, kSectionTable);
}

TEST(PeFile, ASectionWithoutAVirtualSizeIsItsRawSize) {
  std::string bytes = pe_file({{".linux", "kernel"}});
  put_le(bytes, kSectionTable + 8, 0, 4);
  const PeFile pe = parse_pe(as_bytes(bytes));
  ASSERT_EQ(pe.sections.size(), 1u);
  EXPECT_EQ(pe.sections[0].data.size(), 512u);
  EXPECT_EQ(pe.find(".linux"), &pe.sections[0]);
  EXPECT_EQ(pe.find(".initrd"), nullptr);
  EXPECT_EQ(pe_machine_name(0xaa64), "arm64");
  EXPECT_EQ(pe_machine_name(0x1234), "machine 0x1234");
}

}  // namespace
}  // namespace lucompat
