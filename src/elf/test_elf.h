// For the unit tests: ELF files of either class and byte order, laid out as
// a linker lays out a kernel: the file header, the program headers right
// after it, the sections' bytes, and the section header table last (or none,
// as objcopy --strip-sections leaves it). Sections can be placed at chosen
// offsets, so that a test can build a file of many MiB whose interesting
// parts sit where the reader under test draws its lines.
#pragma once

#include <elf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lucompat/base/byte_reader.h"

namespace lucompat::testing {

class ElfBuilder {
 public:
  explicit ElfBuilder(uint16_t type = ET_EXEC, int elf_class = 64,
                      ByteOrder order = ByteOrder::little);

  // Adds a section whose bytes start at the next 8-aligned offset, or at
  // `at` (which must not be before the end so far); returns its index.
  size_t section(std::string name, std::string bytes, uint32_t type = SHT_PROGBITS,
                 uint64_t flags = SHF_ALLOC, uint64_t addr = 0, uint64_t at = 0);
  // A section without file bytes, whose header claims `offset` and `size`.
  size_t nobits(std::string name, uint64_t offset, uint64_t size);
  uint64_t offset_of(size_t index) const { return sections_.at(index - 1).offset; }
  // sh_link and sh_info: a symbol table's strings, a relocation section's
  // symbol table and target.
  void link(size_t index, uint32_t link, uint32_t info = 0);

  // At most kMaxSegments; their table follows the file header.
  static constexpr size_t kMaxSegments = 8;
  void segment(uint32_t type, uint64_t offset, uint64_t filesz, uint64_t vaddr = 0);

  // The section header table goes at the next 8-aligned offset after the
  // sections, or at `at`; or is left out.
  void section_headers_at(uint64_t at) { shoff_ = at; }
  void without_section_headers() { section_headers_ = false; }

  // `value` as `size` bytes in the file's byte order.
  std::string word(uint64_t value, int size) const;

  std::string build() const;

 private:
  struct Section {
    std::string name;
    uint32_t type;
    uint64_t flags;
    uint64_t addr;
    uint64_t offset;
    uint64_t size;
    std::string bytes;
    uint32_t link = 0;
    uint32_t info = 0;
  };
  struct Segment {
    uint32_t type;
    uint64_t offset;
    uint64_t filesz;
    uint64_t vaddr;
  };

  uint64_t end() const;

  uint16_t type_;
  int class_;
  ByteOrder order_;
  std::vector<Section> sections_;
  std::vector<Segment> segments_;
  bool section_headers_ = true;
  uint64_t shoff_ = 0;
};

}  // namespace lucompat::testing
