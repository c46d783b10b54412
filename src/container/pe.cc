#include "lucompat/container/pe.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {

const PeSection* PeFile::find(std::string_view name) const {
  for (const auto& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

bool has_pe_signature(Bytes data) {
  const ByteReader r(data, ByteOrder::little);
  if (!r.contains(0, 0x40) || as_chars(data.first(2)) != "MZ") return false;
  const uint32_t lfanew = r.u32(0x3c, "e_lfanew");
  return r.contains(lfanew, 4) &&
         as_chars(r.bytes(lfanew, 4, "PE signature")) == std::string_view("PE\0\0", 4);
}

PeFile parse_pe(Bytes data) {
  const ByteReader r(data, ByteOrder::little);
  const uint32_t pe = r.u32(0x3c, "e_lfanew");
  const uint64_t coff = uint64_t{pe} + 4;
  PeFile f;
  f.machine = r.u16(coff, "COFF Machine");
  const uint16_t count = r.u16(coff + 2, "COFF NumberOfSections");
  const uint16_t optional_size = r.u16(coff + 16, "COFF SizeOfOptionalHeader");
  const uint64_t table = coff + 20 + optional_size;
  if (!r.contains(table, uint64_t{count} * 40))
    fail_beyond_end(
        table, data.size(), coff + 16,
        fmt::format("the PE section table ({} sections of 40 bytes) extends beyond the end of "
                    "the file at {:#x}",
                    count, data.size()));
  for (uint16_t i = 0; i < count; ++i) {
    const uint64_t h = table + uint64_t{i} * 40;
    const std::string_view raw_name = as_chars(r.bytes(h, 8, "PE section name"));
    PeSection s;
    s.name = std::string(raw_name.substr(0, raw_name.find('\0')));
    const uint32_t virtual_size = r.u32(h + 8, "PE section VirtualSize");
    const uint32_t raw_size = r.u32(h + 16, "PE section SizeOfRawData");
    s.offset = r.u32(h + 20, "PE section PointerToRawData");
    // VirtualSize is the true size; 0 means the linker only set the raw size.
    const uint32_t size = virtual_size != 0 ? std::min(virtual_size, raw_size) : raw_size;
    if (raw_size != 0 && !r.contains(s.offset, size))
      fail_beyond_end(
          s.offset, data.size(), h + 20,
          fmt::format("PE section {} ({:#x} bytes) extends beyond the end of the file at {:#x}",
                      s.name, size, data.size()));
    if (raw_size != 0) s.data = r.bytes(s.offset, size, "PE section data");
    f.sections.push_back(std::move(s));
  }
  return f;
}

std::string pe_machine_name(uint16_t machine) {
  switch (machine) {
    case 0x8664:
      return "x86-64";
    case 0x014c:
      return "i386";
    case 0xaa64:
      return "arm64";
    case 0x01c4:
      return "arm";
    case 0x5064:
      return "riscv64";
    case 0x6264:
      return "loongarch64";
    default:
      return fmt::format("machine {:#06x}", machine);
  }
}

std::string section_text(const PeFile& pe, std::string_view name) {
  const PeSection* s = pe.find(name);
  if (s == nullptr) return {};
  std::string t(as_chars(s->data));
  t.resize(std::min(t.size(), t.find('\0')));
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

std::string os_release_value(std::string_view text, std::string_view key) {
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=') continue;
    line.remove_prefix(key.size() + 1);
    if (line.size() >= 2 && (line.front() == '"' || line.front() == '\'') &&
        line.back() == line.front())
      line = line.substr(1, line.size() - 2);
    return std::string(line);
  }
  return {};
}

}  // namespace lucompat
