#include "lucompat/host/proc_kallsyms.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>

#include "base/test_temp_dir.h"

namespace lucompat {
namespace {

constexpr std::string_view kText =
    "ffffffff81000000 T _stext\n"
    "ffffffff81a36cc0 d memfd_luo_handler\n"
    "ffffffff81a36d30 d luo_file_handler_list\n"
    "ffffffffc0002000 d vfio_pci_luo_handler\t[lu_luo_vfio]\n"
    "ffffffffc0003000 d __this_module\t[lu_luo_vfio]\n"
    "ffffffffc0004000 t luo_file_handler_list\t[impostor]\n";

TEST(ProcKallsyms, ReadsKernelAndModuleSymbols) {
  auto k = parse_proc_kallsyms(kText, "/proc/kallsyms");
  ASSERT_TRUE(k) << k.error().to_string();
  ASSERT_EQ(k->size(), 6u);
  EXPECT_FALSE(k->addresses_hidden());
  EXPECT_EQ(k->symbol_holding(0xffffffffc0002000)->module, "lu_luo_vfio");
  EXPECT_EQ(k->symbol_holding(0xffffffff81a36d30)->module, "");
  // A module's symbol of the same name never stands for the kernel's.
  EXPECT_EQ(k->kernel_address("luo_file_handler_list"),
            std::optional<uint64_t>(0xffffffff81a36d30));
  EXPECT_EQ(k->module_at(0xffffffffc0003000), std::optional<std::string>("lu_luo_vfio"));
  EXPECT_FALSE(k->module_at(0xffffffffc0002000));
  EXPECT_EQ(k->symbol_holding(0xffffffff81a36cc0)->name, "memfd_luo_handler");
  EXPECT_FALSE(k->kernel_address("vfio_pci_luo_handler"));
}

// Of two symbols at one address, a data symbol holds it; of two data
// symbols, the first in the file. Modules' symbols come after the kernel's,
// whatever their addresses.
TEST(ProcKallsyms, TiesGoToDataSymbolsThenToTheFile) {
  auto k = parse_proc_kallsyms(
      "ffffffff81000100 t text_alias\n"
      "ffffffff81000100 d first_data\n"
      "ffffffff81000100 D second_data\n"
      "ffffffff81000200 T only_text\n"
      "ffffffff81000000 T _stext\n"
      "ffffffff81000300 t twice\n"
      "ffffffff81000050 t twice\n",
      "k");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->symbol_holding(0xffffffff81000180)->name, "first_data");
  EXPECT_EQ(k->symbol_holding(0xffffffff81000200)->name, "only_text");
  EXPECT_EQ(k->symbol_holding(0xffffffff81000010)->name, "_stext");
  EXPECT_EQ(k->symbol_holding(0xffffffff81000060)->name, "twice");
  // The first of a name in the file, as the kernel lists it.
  EXPECT_EQ(k->kernel_address("twice"), std::optional<uint64_t>(0xffffffff81000300));
}

// x86_64 7.x types .data symbols 't'; an array of FLBs is one symbol.
TEST(ProcKallsyms, AnAddressLiesInTheLastSymbolAtOrBelowIt) {
  auto k = parse_proc_kallsyms(
      "ffffffff818b15a0 t memfd_luo_handler\n"
      "ffffffff818b3020 t test_flbs\n",
      "k");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->symbol_holding(0xffffffff818b15a0)->name, "memfd_luo_handler");
  EXPECT_EQ(k->symbol_holding(0xffffffff818b3180)->name, "test_flbs");
  EXPECT_FALSE(k->symbol_holding(0xffffffff818b1000));
}

TEST(ProcKallsyms, AllZeroAddressesAreHidden) {
  auto k = parse_proc_kallsyms("0000000000000000 T _stext\n0000000000000000 d x\n", "k");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->addresses_hidden());
}

TEST(ProcKallsyms, AMalformedLineIsAnErrorNamingIt) {
  for (std::string_view bad : {"zz T x\n", "ffffffff81000000 T\n", "ffffffff81000000  T x\n",
                               "ffffffff81000000 T x\t[mod\n", "11112222333344445 T x\n"}) {
    auto k = parse_proc_kallsyms(bad, "k");
    ASSERT_FALSE(k) << bad;
    EXPECT_NE(k.error().message.find("line 1"), std::string::npos);
  }
}

// A file of one-letter lines once cost 2.7 GB for 128 MiB: the number of
// symbols and of bytes is bounded, and over a bound is exit 3, not memory.
TEST(ProcKallsyms, OverItsLimitsIsALimitError) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "1 t a\n";
  auto k = parse_proc_kallsyms(text, "k", {.bytes = 1 << 20, .symbols = 99});
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().kind, ErrorKind::limit);
  EXPECT_NE(k.error().message.find("more than 99 symbols (line 100)"), std::string::npos)
      << k.error().message;
  k = parse_proc_kallsyms(text, "k", {.bytes = 599, .symbols = 100});
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().kind, ErrorKind::limit);
  EXPECT_TRUE(parse_proc_kallsyms(text, "k", {.bytes = 600, .symbols = 100}));
}

// The file is read a line at a time, in chunks that cut lines anywhere, and
// gives what the text gives.
TEST(ProcKallsyms, TheFileReadInPiecesGivesWhatItsTextGives) {
  lucompat::testing::TempDir dir("lucompat-kallsyms");
  const std::string path = dir.path() + "/kallsyms";
  std::string text(kText);
  for (int i = 0; i < 20000; ++i)
    text += fmt::format("{:016x} t filler_{}\n", 0xffffffff82000000 + 16 * i, i);
  text += "ffffffff90000000 D last_without_newline";
  std::ofstream(path, std::ios::binary) << text;
  auto k = read_proc_kallsyms(path);
  ASSERT_TRUE(k) << k.error().to_string();
  EXPECT_EQ(k->size(), 20007u);
  EXPECT_EQ(k->kernel_address("filler_12345"),
            std::optional<uint64_t>(0xffffffff82000000 + 16 * 12345));
  EXPECT_EQ(k->kernel_address("last_without_newline"), std::optional<uint64_t>(0xffffffff90000000));
  EXPECT_EQ(k->module_at(0xffffffffc0003000), std::optional<std::string>("lu_luo_vfio"));
  auto small = read_proc_kallsyms(path, {.bytes = 4096});
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().kind, ErrorKind::limit);
  auto missing = read_proc_kallsyms(dir.path() + "/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::io);
}

}  // namespace
}  // namespace lucompat
