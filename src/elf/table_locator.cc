#include "elf/table_locator.h"

#include <elf.h>
#include <fmt/format.h>

#include <cstring>
#include <vector>

#include "lucompat/table/decode.h"
#include "lucompat/table/magic_scan.h"

namespace lucompat {
namespace {

std::vector<const ElfSection*> sections_named(const LibelfFile& elf, std::string_view name) {
  std::vector<const ElfSection*> out;
  for (const auto& s : elf.sections())
    if (s.name == name) out.push_back(&s);
  return out;
}

Error malformed(uint64_t offset, std::string message) {
  return Error{ErrorKind::malformed, {}, offset, std::move(message)};
}

Result<const ElfSection*> one_section(const std::vector<const ElfSection*>& found) {
  if (found.size() > 1)
    return malformed(found[1]->offset,
                     fmt::format("{} sections are named {}; a linked kernel has one", found.size(),
                                 found[0]->name));
  return found[0];
}

bool starts_with_magic(Bytes b, ByteOrder order) {
  if (b.size() < 4) return false;
  const uint32_t m = load<uint32_t>(b.data(), order);
  return is_table_magic(m) || is_table_magic(byteswap(m));
}

// The loader range-checked every section with file bytes; a SHT_NOBITS one
// has none, whatever its offset says (a fuzzer found one at 2^63): the error
// names its header.
Result<Bytes> section_bytes(const LibelfFile& elf, const ElfSection& s, Bytes file) {
  if (!s.has_file_bytes())
    return malformed(elf.header_offset(s),
                     fmt::format("section {} has no bytes in the file (SHT_NOBITS)", s.name));
  return file.subspan(s.offset, s.size);
}

Result<std::optional<LocatedTable>> locate_by_section(const LibelfFile& elf, Bytes file,
                                                      const TableFormat& format) {
  const ByteOrder order = elf.header().order;
  const auto versions = sections_named(elf, format.section);
  const auto headers = sections_named(elf, format.header_section);
  if (versions.empty() && headers.empty()) return std::optional<LocatedTable>();

  // A relocatable file may carry several input sections of each name; the
  // final link concatenates them in order, and so do we.
  const bool relocatable = elf.header().type == ET_REL;
  bool merged = !versions.empty() && !relocatable;
  // A relocatable link (ld -r with the kernel's script) may already have merged them.
  if (relocatable && headers.empty() && versions.size() == 1) {
    LUCOMPAT_TRY(bytes, section_bytes(elf, *versions[0], file));
    merged = starts_with_magic(*bytes, order);
  }
  if (merged) {
    LUCOMPAT_TRY(one, one_section(versions));
    const ElfSection& s = **one;
    LUCOMPAT_TRY(bytes, section_bytes(elf, s, file));
    LUCOMPAT_TRY(table, decode_table(*bytes, order, s.offset));
    return std::make_optional(
        LocatedTable{{TableMethod::section, TableShape::merged, s.name, s.offset, s.size, {}},
                     std::move(table).value()});
  }

  LocatedTable found;
  const TableFormat* entries_format = &find_entries_format(format);
  found.location.method = TableMethod::section;
  found.location.section = format.section;
  if (!headers.empty()) {
    LUCOMPAT_TRY(one, one_section(headers));
    const ElfSection& h = **one;
    LUCOMPAT_TRY(hb, section_bytes(elf, h, file));
    if (hb->size() != format.header_size)
      return malformed(h.offset, fmt::format("section {} is {} bytes; the table header is {}",
                                             h.name, hb->size(), format.header_size));
    LUCOMPAT_TRY(header_format, decode_table_header(*hb, order, h.offset));
    entries_format = *header_format;
    found.table.format_version = entries_format->version;
    found.location.shape = TableShape::split;
    found.location.header_offset = h.offset;
  } else {
    found.location.shape = TableShape::entries_only;
  }
  for (const ElfSection* s : versions) {
    LUCOMPAT_TRY(bytes, section_bytes(elf, *s, file));
    LUCOMPAT_TRY(part, decode_table_entries(*entries_format, *bytes, order, s->offset));
    if (found.location.size == 0) found.location.offset = s->offset;
    found.location.size += s->size;
    for (auto& e : part->entries) {
      e.slot = static_cast<uint32_t>(found.table.entries.size()) + 1;
      found.table.entries.push_back(std::move(e));
    }
    for (auto& w : part->warnings) found.table.warnings.push_back(std::move(w));
  }
  if (versions.empty()) found.location.offset = *found.location.header_offset;
  return std::make_optional(std::move(found));
}

Result<std::optional<LocatedTable>> locate_by_scan(const LibelfFile& elf, Bytes file,
                                                   const std::vector<ByteRange>& present) {
  std::vector<ScanRegion> regions;
  for (const auto& seg : elf.segments())
    if (seg.type == PT_LOAD)
      for (const ByteRange& r : clip_to_present({seg.offset, seg.filesz}, present))
        regions.push_back(
            {file.subspan(r.offset, r.size), r.offset, seg.vaddr + (r.offset - seg.offset)});
  return catch_parse_errors([&] { return scan_for_table(regions, elf.header().order); });
}

}  // namespace

Result<std::optional<LocatedTable>> locate_table(const LibelfFile& elf, Bytes file,
                                                 const std::vector<ByteRange>& present) {
  for (const TableFormat& format : table_formats()) {
    // Registry rows sharing a section are one table in several versions; the
    // header decoder picks the version, so search each section name once.
    if (&format != find_table_format_by_section(format.section)) continue;
    LUCOMPAT_TRY(t, elf.header().shnum != 0 ? locate_by_section(elf, file, format)
                                            : locate_by_scan(elf, file, present));
    if (*t) return t;
  }
  return std::optional<LocatedTable>();
}

}  // namespace lucompat
