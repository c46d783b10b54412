// What the policy's tests (and the report's, which word its reasons) check
// updates with: the shipped catalog and kernels given as their strings.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>

#include "lucompat/catalog/catalog.h"
#include "lucompat/policy/check.h"

namespace lucompat {

inline Catalog shipped() {
  Catalog c;
  EXPECT_TRUE(c.add(builtin_catalog(), "catalog.toml").ok());
  return c;
}

inline KernelStrings kernel(std::initializer_list<const char*> strings) {
  KernelStrings k;
  for (const char* s : strings) k[s] = {"vmlinux"};
  return k;
}

// An RFC-era kernel, a newer one, and one that breaks the core ABI.
inline const KernelStrings kOld = kernel({"luo-v1", "memfd-v1"});
inline const KernelStrings kNew = kernel({"luo-v1", "memfd-v1", "memfd-v2", "vfio-pci-v1",
                                          "iommufd-v1", "kvm_vm_luo_v1", "guest_memfd_luo_v1"});
inline const KernelStrings kBreak = kernel({"luo-v2", "memfd-v2", "vfio-pci-v2", "iommufd-v1"});

}  // namespace lucompat
