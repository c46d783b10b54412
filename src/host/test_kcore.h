// A core as /proc/kcore is, for tests: an ELF core whose PT_LOAD segments
// map kernel addresses to the bytes given.
#pragma once

#include <elf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "elf/test_elf.h"

namespace lucompat {

struct KcoreSegment {
  uint64_t address;
  std::string bytes;
};

inline std::string kcore_bytes(const std::vector<KcoreSegment>& segments) {
  testing::ElfBuilder core(ET_CORE);
  core.without_section_headers();
  for (const auto& s : segments) {
    const size_t held = core.section("load", s.bytes);
    core.segment(PT_LOAD, core.offset_of(held), s.bytes.size(), s.address);
  }
  return core.build();
}

}  // namespace lucompat
