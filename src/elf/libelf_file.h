// elfutils libelf over an in-memory ELF whose header parse_elf_header already
// checked. Converts section headers, program headers and notes for us in
// either byte order; never exposes libelf types beyond this file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/elf/elf_header.h"

namespace lucompat {

// A section header as libelf reads it, with its index and its name.
struct ElfSection : ElfSectionHeader {
  size_t index = 0;
  std::string name;
  bool has_file_bytes() const;  // not SHT_NOBITS
};

// How much of the ELF the bytes hold.
enum class ElfExtent {
  whole,
  // A prefix (early exit): no sections, and only the segments that lie
  // wholly inside it.
  prefix,
};

class LibelfFile {
 public:
  // Throws ParseError when libelf rejects the file or a header lies outside it.
  explicit LibelfFile(Bytes file, ElfExtent extent = ElfExtent::whole);
  ~LibelfFile();
  LibelfFile(const LibelfFile&) = delete;
  LibelfFile& operator=(const LibelfFile&) = delete;

  const ElfHeader& header() const { return header_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfProgramHeader>& segments() const { return segments_; }
  // Where a section's header lies: what an error about a section whose own
  // offset is not in the file (SHT_NOBITS claims any) points at.
  uint64_t header_offset(const ElfSection& s) const {
    return header_.shoff + s.index * header_.shentsize;
  }

  // The GNU build-id note from note sections, or note segments when the file
  // has no section headers.
  std::optional<std::string> build_id() const;

 private:
  struct Handle;
  void load_sections(Bytes file);
  void load_segments(Bytes file, ElfExtent extent);

  ElfHeader header_;
  std::unique_ptr<Handle> elf_;
  std::vector<ElfSection> sections_;
  std::vector<ElfProgramHeader> segments_;
};

}  // namespace lucompat
