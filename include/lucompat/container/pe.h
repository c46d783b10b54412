// PE/COFF, as far as kernels need it: the EFI stub that makes a bzImage or an
// arm64 Image bootable by firmware, and the sections of a UKI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/base/byte_reader.h"

namespace lucompat {

struct PeSection {
  std::string name;
  uint64_t offset = 0;  // PointerToRawData
  Bytes data;           // VirtualSize bytes (the raw size is padded to the file alignment)
};

struct PeFile {
  uint16_t machine = 0;
  std::vector<PeSection> sections;
  const PeSection* find(std::string_view name) const;
};

// "MZ", then "PE\0\0" where e_lfanew points.
bool has_pe_signature(Bytes data);

// Throws ParseError when the headers or a section lie outside the file.
PeFile parse_pe(Bytes data);

std::string pe_machine_name(uint16_t machine);

// A UKI's text section (.uname, .osrel, .cmdline): up to its first NUL,
// without trailing newlines and spaces; empty when the section is absent.
std::string section_text(const PeFile& pe, std::string_view name);

// KEY's value in an os-release text (a UKI's .osrel), without its quotes;
// empty when absent.
std::string os_release_value(std::string_view os_release, std::string_view key);

}  // namespace lucompat
