#include "lucompat/kallsyms/kallsyms.h"

#include <fmt/format.h>

#include <algorithm>

#include "kallsyms/addresses.h"
#include "kallsyms/names.h"
#include "kallsyms/relocated_base.h"
#include "kallsyms/search.h"
#include "kallsyms/symtab_location.h"
#include "kallsyms/token_table.h"

namespace lucompat {

std::string_view name(KallsymsAddressing a) {
  switch (a) {
    case KallsymsAddressing::absolute:
      return "absolute";
    case KallsymsAddressing::relative:
      return "relative";
    case KallsymsAddressing::absolute_percpu:
      return "relative, absolute per-CPU";
  }
  return "unknown";
}

std::vector<const KallsymsSymbol*> Kallsyms::find(std::string_view n) const {
  std::vector<const KallsymsSymbol*> out;
  for (const auto& s : symbols)
    if (s.name == n) out.push_back(&s);
  return out;
}

std::vector<KallsymsSymbol> sorted_by_address(std::vector<KallsymsSymbol> symbols) {
  // System.map is `nm -n`, which breaks ties by name, compared byte by byte
  // (kbuild runs it with LC_COLLATE=C).
  std::stable_sort(symbols.begin(), symbols.end(), [](const auto& a, const auto& b) {
    return a.address != b.address ? a.address < b.address : a.name < b.name;
  });
  return symbols;
}

Kallsyms decode_kallsyms_at(const ByteReader& image, const KallsymsLocation& where,
                            int pointer_size, std::optional<KallsymsAddressing> addressing,
                            const KallsymsLimits& limits, bool raw_image) {
  if (pointer_size != 4 && pointer_size != 8)
    fail(ErrorKind::unsupported, std::nullopt,
         fmt::format("pointer size {}; expected 4 or 8", pointer_size));
  const uint64_t count = image.u32(where.num_syms, "kallsyms_num_syms");
  if (count == 0) fail(ErrorKind::malformed, where.num_syms, "kallsyms_num_syms is 0");
  const TokenTable tokens = read_token_table(image, where.token_table, where.token_index);
  DecodedNames names = decode_names(image, where.names, count, tokens, limits);
  check_markers(image, where.markers, names);

  Kallsyms out;
  out.location = where;
  std::vector<uint64_t> addresses;
  if (where.relative_base && addressing != KallsymsAddressing::absolute) {
    out.relative_base =
        read_pointer(image, *where.relative_base, pointer_size, "kallsyms_relative_base");
    if (out.relative_base == 0 && raw_image && pointer_size == 8) {
      // A PIE kernel (arm64 or riscv with RELOCATABLE) holds zero here and
      // fills it at boot from .rela.dyn; see docs/kallsyms.md.
      if (const auto base = relocated_pointer(image, *where.relative_base)) {
        out.relative_base = *base;
        out.relative_base_relocated = true;
      }
    }
    if (out.relative_base == 0)
      fail(ErrorKind::unsupported, *where.relative_base,
           "kallsyms_relative_base is 0 in the file: a relocatable kernel whose base is applied "
           "at boot by an R_*_RELATIVE relocation, and no single relocation for it was found");
    const std::vector<int32_t> offsets = read_offsets(image, where.addresses, count);
    out.addressing = addressing ? *addressing
                                : choose_relative_mode(offsets, out.relative_base, pointer_size,
                                                       where.addresses);
    auto a = relative_addresses(offsets, out.relative_base, out.addressing, pointer_size);
    if (!a)
      fail(ErrorKind::malformed, where.addresses,
           fmt::format("kallsyms_offsets read as {} do not give sorted addresses",
                       name(out.addressing)));
    addresses = std::move(*a);
  } else {
    out.addressing = KallsymsAddressing::absolute;
    addresses = read_absolute(image, where.addresses, count, pointer_size);
  }
  out.symbols.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string& n = names.names[i];
    out.symbols.push_back({addresses[i], n[0], n.substr(1)});
  }
  return out;
}

namespace {

std::optional<Kallsyms> decode(const KallsymsInput& in) {
  const ByteReader image(in.image, in.order);
  if (in.elf) {
    if (const auto loc = locate_by_symtab(image)) {
      Kallsyms k =
          decode_kallsyms_at(image, loc->where, in.pointer_size,
                             loc->addressing == KallsymsAddressing::absolute
                                 ? std::optional<KallsymsAddressing>(KallsymsAddressing::absolute)
                                 : std::nullopt,
                             in.limits);
      k.located_by_symtab = true;
      return k;
    }
  }
  const std::vector<TokenTable> tables = find_token_tables(image);
  if (tables.empty()) return std::nullopt;
  std::vector<Kallsyms> found;
  for (const TokenTable& t : tables)
    for (const KallsymsLocation& l : search_tables(image, t, in.pointer_size, in.limits))
      found.push_back(
          decode_kallsyms_at(image, l, in.pointer_size, std::nullopt, in.limits, !in.elf));
  if (found.empty())
    fail(ErrorKind::malformed, tables.front().table,
         fmt::format("a kallsyms token table is at 0x{:x} (index at 0x{:x}), but no "
                     "kallsyms_num_syms, kallsyms_names, kallsyms_markers and address table "
                     "consistent with it was found",
                     tables.front().table, tables.front().index));
  for (size_t i = 1; i < found.size(); ++i) {
    const auto& a = found[0].symbols;
    const auto& b = found[i].symbols;
    const bool same = a.size() == b.size() &&
                      std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
                        return x.address == y.address && x.type == y.type && x.name == y.name;
                      });
    if (!same)
      fail(ErrorKind::malformed, found[i].location.names,
           fmt::format("two different kallsyms tables decode: names at 0x{:x} and at 0x{:x}; "
                       "refusing to guess",
                       found[0].location.names, found[i].location.names));
  }
  return std::move(found.front());
}

}  // namespace

Result<std::optional<Kallsyms>> decode_kallsyms(const KallsymsInput& input) {
  return catch_parse_errors([&] { return decode(input); });
}

}  // namespace lucompat
