#include "lucompat/host/proc_kallsyms.h"

#include <gtest/gtest.h>

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
  ASSERT_EQ(k->symbols.size(), 6u);
  EXPECT_FALSE(k->addresses_hidden);
  EXPECT_EQ(k->symbols[3].module, "lu_luo_vfio");
  // A module's symbol of the same name never stands for the kernel's.
  EXPECT_EQ(k->kernel_address("luo_file_handler_list"),
            std::optional<uint64_t>(0xffffffff81a36d30));
  EXPECT_EQ(k->module_at(0xffffffffc0003000), std::optional<std::string>("lu_luo_vfio"));
  EXPECT_FALSE(k->module_at(0xffffffffc0002000));
  EXPECT_EQ(k->symbol_holding(0xffffffff81a36cc0)->name, "memfd_luo_handler");
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
  EXPECT_EQ(k->symbol_holding(0xffffffff818b1000), nullptr);
}

TEST(ProcKallsyms, AllZeroAddressesAreHidden) {
  auto k = parse_proc_kallsyms("0000000000000000 T _stext\n0000000000000000 d x\n", "k");
  ASSERT_TRUE(k);
  EXPECT_TRUE(k->addresses_hidden);
}

TEST(ProcKallsyms, AMalformedLineIsAnErrorNamingIt) {
  for (std::string_view bad : {"zz T x\n", "ffffffff81000000 T\n", "ffffffff81000000  T x\n",
                               "ffffffff81000000 T x\t[mod\n", "11112222333344445 T x\n"}) {
    auto k = parse_proc_kallsyms(bad, "k");
    ASSERT_FALSE(k) << bad;
    EXPECT_NE(k.error().message.find("line 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace lucompat
