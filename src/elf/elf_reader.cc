#include "lucompat/elf/elf_reader.h"

#include <elf.h>
#include <fmt/format.h>

#include "elf/libelf_file.h"
#include "elf/registration_locator.h"
#include "elf/table_locator.h"
#include "lucompat/elf/machine.h"

namespace lucompat {
namespace {

ElfInfo describe(const ElfHeader& h) {
  ElfInfo info;
  info.elf_class = h.elf_class;
  info.order = h.order;
  info.type = h.type;
  info.machine = h.machine;
  info.machine_name = elf_machine_name(h.machine);
  info.type_name = elf_type_name(h.type);
  info.arch = linux_arch(h.machine, h.elf_class, h.order);
  info.has_section_headers = h.shnum != 0 || h.sections_cut;
  info.sections_cut = h.sections_cut;
  return info;
}

KernelIdentity identify(const LibelfFile& elf, Bytes file, const std::vector<ByteRange>& present) {
  KernelIdentity id;
  id.build_id = elf.build_id().value_or("");
  for (const auto& s : elf.sections()) {
    if (s.name == ".modinfo" && s.has_file_bytes()) {
      const ModInfo m = parse_modinfo(file.subspan(s.offset, s.size));
      id.module_name = m.name;
      id.vermagic = m.vermagic;
    }
  }
  // The banner is linux_banner in a linked kernel; a module or object that
  // merely mentions the words is not a kernel. It is loaded data, so only
  // loaded sections (or segments) are searched, never debug information.
  if (elf.header().type != ET_REL) {
    std::vector<Bytes> loaded;
    const auto add = [&](uint64_t offset, uint64_t size) {
      for (const ByteRange& r : clip_to_present({offset, size}, present))
        loaded.push_back(file.subspan(r.offset, r.size));
    };
    for (const auto& s : elf.sections())
      if ((s.flags & SHF_ALLOC) != 0 && s.has_file_bytes()) add(s.offset, s.size);
    if (elf.sections().empty())
      for (const auto& p : elf.segments())
        if (p.type == PT_LOAD) add(p.offset, p.filesz);
    if (auto b = find_banner(loaded)) {
      id.banner = *b;
      id.release = release_of_banner(*b);
    }
  }
  if (id.release.empty() && !id.vermagic.empty())
    id.release = id.vermagic.substr(0, id.vermagic.find(' '));
  return id;
}

}  // namespace

std::string ElfInfo::describe() const {
  return fmt::format("ELF{} {} {} {}", elf_class, order == ByteOrder::little ? "LSB" : "MSB",
                     machine_name, type_name);
}

bool is_elf(Bytes data) { return has_elf_magic(data); }

Result<ElfReading> read_elf(Bytes file, const ElfReadOptions& options) {
  return catch_parse_errors([&]() -> Result<ElfReading> {
    const LibelfFile elf(file, options.cut ? ElfExtent::prefix : ElfExtent::whole);
    ElfReading out;
    out.elf = describe(elf.header());
    out.identity = identify(elf, file, options.present);
    LUCOMPAT_TRY(table, locate_table(elf, file, options.present));
    out.table = std::move(table).value();
    if (!options.cut) {
      RegistrationOptions ro{options.core_forms, options.base_model, out.identity.module_name,
                             out.identity.release};
      Derivation d = derive_registrations(elf, file, options.present, ro);
      out.derived = std::move(d.set);
      out.model = std::move(d.own_model);
    }
    return out;
  });
}

Result<std::optional<DerivedSet>> registrations_by_scan(
    Bytes file, const std::string& release, std::span<const CompatibleForm> core_forms) {
  return catch_parse_errors([&] {
    const LibelfFile elf(file);
    RegistrationOptions options;
    options.core_forms.assign(core_forms.begin(), core_forms.end());
    options.release = release;
    return scan_registrations(elf, file, options);
  });
}

std::vector<LoadSegment> load_segments(Bytes file) {
  const LibelfFile elf(file);
  std::vector<LoadSegment> out;
  for (const auto& s : elf.segments())
    if (s.type == PT_LOAD && s.filesz != 0) out.push_back({s.vaddr, s.offset, s.filesz});
  return out;
}

}  // namespace lucompat
