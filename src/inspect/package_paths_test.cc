#include "inspect/package_paths.h"

#include <gtest/gtest.h>

#include <string>

namespace lucompat {
namespace {

TEST(PackagePaths, KernelMembers) {
  for (const char* yes : {"boot/vmlinuz-6.1.0-56-amd64", "boot/vmlinux-6.1", "boot/Image",
                          "lib/modules/6.1.0/vmlinuz", "usr/lib/modules/6.1.0/vmlinuz",
                          "EFI/Linux/arch.efi", "boot/efi/EFI/Linux/x.efi"})
    EXPECT_TRUE(is_kernel_member(yes)) << yes;
  for (const char* no : {"boot/config-6.1", "boot/grub/vmlinuz", "lib/modules/vmlinuz",
                         "lib/modules/6.1/kernel/vmlinuz", "usr/lib/modules//vmlinuz",
                         "EFI/Linux/.efi", "EFI/Linux/a/b.efi", "xboot/vmlinuz", ""})
    EXPECT_FALSE(is_kernel_member(no)) << no;
}

TEST(PackagePaths, ModuleMembers) {
  EXPECT_EQ(module_member("lib/modules/6.1/kernel/a.ko").value_or(""), "6.1/kernel/a.ko");
  EXPECT_EQ(module_member("usr/lib/modules/6.1/b.ko.zst").value_or(""), "6.1/b.ko.zst");
  EXPECT_TRUE(module_member("lib/modules/6.1/c.ko.xz"));
  EXPECT_TRUE(module_member("lib/modules/6.1/c.ko.gz"));
  EXPECT_FALSE(module_member("lib/modules/6.1/modules.dep"));
  EXPECT_FALSE(module_member("lib/modules/.ko"));
  EXPECT_FALSE(module_member("boot/a.ko"));
}

// A std::regex over such a name once overflowed the stack (SIGSEGV).
// Debian's linux-image-R-dbg: the unstripped kernel and modules under
// usr/lib/debug/, and build-id links that are neither.
TEST(PackagePaths, DebugPackageMembers) {
  EXPECT_TRUE(is_kernel_member("usr/lib/debug/boot/vmlinux-7.3.4+deb13-amd64"));
  EXPECT_FALSE(is_kernel_member("usr/lib/debug/boot/System.map-7.3.4"));
  EXPECT_FALSE(is_kernel_member("usr/lib/debug/.build-id/ab/cdef.debug"));
  EXPECT_FALSE(is_kernel_member("usr/lib/debug/lib/modules/7.3.4/vmlinuz"));
  // trixie's linux-image-R-dbg: the file is here, boot/vmlinux-R a symlink.
  EXPECT_TRUE(is_kernel_member("usr/lib/debug/lib/modules/7.3.4+deb13-cloud-amd64/vmlinux"));
  EXPECT_FALSE(is_kernel_member("usr/lib/debug/lib/modules/vmlinux"));
  EXPECT_FALSE(is_kernel_member("usr/lib/debug/lib/modules/7.3.4/kernel/vmlinux"));
  EXPECT_FALSE(is_kernel_member("lib/modules/7.3.4/vmlinux"));
  EXPECT_EQ(module_member("usr/lib/debug/lib/modules/7.3.4/kernel/mm/a.ko").value_or(""),
            "7.3.4/kernel/mm/a.ko");
  EXPECT_FALSE(module_member("usr/lib/debug/.build-id/ab/cdef.debug"));
  EXPECT_TRUE(is_debug_member("usr/lib/debug/boot/vmlinux-7.3.4"));
  EXPECT_FALSE(is_debug_member("boot/vmlinuz-7.3.4"));
}

TEST(PackagePaths, HugeNamesAreJustNames) {
  const std::string huge = "lib/modules/" + std::string(300000, 'a') + ".ko";
  EXPECT_TRUE(module_member(huge));
  EXPECT_FALSE(is_kernel_member("boot/" + std::string(300000, '/')));
  EXPECT_TRUE(is_kernel_member("boot/vmlinuz" + std::string(300000, 'x')));
}

}  // namespace
}  // namespace lucompat
