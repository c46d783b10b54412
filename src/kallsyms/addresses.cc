#include "kallsyms/addresses.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

#include "kallsyms/relocated_base.h"
#include "kallsyms/table_layout.h"

namespace lucompat {
namespace {

uint64_t truncate(uint64_t v, int pointer_size) { return pointer_size == 4 ? v & 0xffffffffu : v; }
Misfit misfit(ErrorKind kind, uint64_t offset, std::string message, bool sorted = false) {
  return {Error{kind, {}, offset, std::move(message), {}}, sorted};
}

bool nondegenerate(const std::vector<uint64_t>& a) { return a.size() < 2 || a.back() > a.front(); }

std::string_view reading_name(KallsymsAddressing a) {
  switch (a) {
    case KallsymsAddressing::absolute:
      return "absolute addresses";
    case KallsymsAddressing::relative:
      return "offsets from kallsyms_relative_base";
    case KallsymsAddressing::absolute_percpu:
      return "KALLSYMS_ABSOLUTE_PERCPU offsets";
    case KallsymsAddressing::place_relative:
      return "offsets from each entry's own place";
  }
  return "unknown";
}

std::optional<std::vector<uint64_t>> absolute_addresses(const ByteReader& r, uint64_t at,
                                                        uint64_t count, int pointer_size) {
  std::vector<uint64_t> out(count);
  for (uint64_t i = 0; i < count; ++i) {
    out[i] = read_pointer(r, at + pointer_size * i, pointer_size, "kallsyms_addresses entry");
    if (i > 0 && out[i] < out[i - 1]) return std::nullopt;
  }
  return out;
}

// The labels scripts/kallsyms.c puts on its own tables, and where each lies.
std::vector<std::pair<std::string_view, std::optional<uint64_t>>> own_labels(
    const KallsymsLocation& w) {
  return {{"kallsyms_num_syms", w.num_syms},
          {"kallsyms_names", w.names},
          {"kallsyms_markers", w.markers},
          {"kallsyms_token_table", w.token_table},
          {"kallsyms_token_index", w.token_index},
          {"kallsyms_offsets", w.addresses},
          {"kallsyms_addresses", w.addresses},
          {"kallsyms_relative_base", w.relative_base},
          {"kallsyms_seqs_of_names", w.seqs_of_names}};
}

// From 7.0 the table lists its own labels: each must decode to where its
// table lies. In a raw image whose link address is unknown, a place-relative
// reading counts from its stand-in _text and the others are placed by their
// own _text.
std::optional<Misfit> check_own_labels(const ReadingContext& c, const KallsymsLocation& where,
                                       AddressReading& reading) {
  AddressSpace space = c.space;
  if (reading.text_unknown) {
    space = AddressSpace::of_raw(reading.offsets_address - where.addresses);
  } else if (c.space.raw() && !c.space.address_of(0)) {
    for (const auto& [i, n] : c.names.labels)
      if (n == "_text") {
        space = AddressSpace::of_raw(reading.addresses[i]);
        break;
      }
  }
  const auto labels = own_labels(where);
  for (const auto& [i, n] : c.names.labels) {
    if (!n.starts_with("kallsyms_")) continue;
    for (const auto& [label, at] : labels) {
      if (n != label || !at) continue;
      const auto expected = space.address_of(*at);
      if (!expected) continue;
      const uint64_t want = truncate(*expected, c.pointer_size);
      if (reading.addresses[i] != want)
        return misfit(ErrorKind::malformed, where.addresses,
                      fmt::format("the address table read as {}: the table's own entry {} (symbol "
                                  "{}) decodes to 0x{:x}, but {} lies at 0x{:x} (offset 0x{:x})",
                                  reading_name(reading.addressing), label, i, reading.addresses[i],
                                  label, want, *at),
                      true);
      if (*at == where.addresses) reading.self_checked = true;
    }
  }
  return std::nullopt;
}

// The relative base as the kernel will use it: a PIE Image's is zero in the
// file and comes from its relocation.
std::optional<Misfit> relative_base(const ReadingContext& c, uint64_t at, AddressReading& r) {
  r.relative_base = read_pointer(c.image, at, c.pointer_size, "kallsyms_relative_base");
  if (r.relative_base == 0 && c.pointer_size == 8) {
    // A PIE kernel (arm64 or riscv with RELOCATABLE, s390x) holds zero here
    // and fills it at boot from .rela.dyn; see docs/kallsyms.md. A vmlinux
    // whose segments lie in the file at one distance from their addresses
    // is read the same way; the relocations prove that distance or nothing.
    auto base = relocated_pointer(c.image, at);
    if (!base) base = applied_relocated_pointer(c.image, at);
    if (base) {
      r.relative_base = *base;
      r.relative_base_relocated = true;
    }
  }
  if (r.relative_base != 0) return std::nullopt;
  return misfit(ErrorKind::unsupported, at,
                "kallsyms_relative_base is 0 in the file: a relocatable kernel whose base is "
                "applied at boot by an R_*_RELATIVE relocation, and no single relocation for it "
                "was found");
}

void add(Readings& out, const ReadingContext& c, const KallsymsLocation& where, AddressReading r) {
  if (!nondegenerate(r.addresses)) {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 fmt::format("the address table read as {} gives one address "
                                             "for every symbol",
                                             reading_name(r.addressing))));
    return;
  }
  if (auto e = check_own_labels(c, where, r)) {
    out.misfits.push_back(std::move(*e));
    return;
  }
  // Zeros after the token index read as place-relative offsets sort too: a
  // place-relative table must be confirmed by its layout or its labels
  // (7.0 has both).
  if (r.addressing == KallsymsAddressing::place_relative && !r.anchored && !r.self_checked) {
    out.misfits.push_back(
        misfit(ErrorKind::malformed, where.addresses,
               "kallsyms_offsets read as offsets from each entry's own place sort, but neither "
               "kallsyms_seqs_of_names right after them nor the table's own kallsyms_offsets entry "
               "confirms that layout",
               true));
    return;
  }
  out.fits.push_back(std::move(r));
}

Misfit unsorted(const KallsymsLocation& where, KallsymsAddressing a) {
  return misfit(ErrorKind::malformed, where.addresses,
                fmt::format("the address table read as {} does not give addresses sorted in "
                            "increasing order",
                            reading_name(a)));
}

void relative_readings(const ReadingContext& c, const KallsymsLocation& where, uint64_t count,
                       std::optional<KallsymsAddressing> only, Readings& out) {
  if (!c.image.contains(where.addresses, 4 * count) ||
      !c.image.contains(*where.relative_base, c.pointer_size)) {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 "kallsyms_offsets and kallsyms_relative_base run past the end "
                                 "of the image"));
    return;
  }
  AddressReading base;
  if (auto e = relative_base(c, *where.relative_base, base)) {
    out.misfits.push_back(std::move(*e));
    return;
  }
  const std::vector<int32_t> offsets = read_offsets(c.image, where.addresses, count);
  for (KallsymsAddressing mode :
       {KallsymsAddressing::relative, KallsymsAddressing::absolute_percpu}) {
    if (only && *only != mode) continue;
    auto a = relative_addresses(offsets, base.relative_base, mode, c.pointer_size);
    if (!a) {
      out.misfits.push_back(unsorted(where, mode));
      continue;
    }
    AddressReading r = base;
    r.addressing = mode;
    r.addresses = std::move(*a);
    // scripts/kallsyms.c takes relative_base from the first symbol that is
    // not absolute, so its offset is 0 (or -1 with absolute per-CPU
    // symbols). With 4-byte pointers, a relative table read as absolute
    // addresses one word on also sorts; this anchor tells the true reading.
    const auto first = std::find_if(offsets.begin(), offsets.end(), [&](int32_t v) {
      return mode == KallsymsAddressing::relative || v < 0;
    });
    r.anchored =
        first != offsets.end() && *first == (mode == KallsymsAddressing::relative ? 0 : -1);
    add(out, c, where, std::move(r));
  }
}

void absolute_reading(const ReadingContext& c, const KallsymsLocation& where, uint64_t count,
                      Readings& out) {
  const uint64_t w = static_cast<uint64_t>(c.pointer_size);
  if (!c.image.contains(where.addresses, w * count)) {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 "kallsyms_addresses runs past the end of the image"));
    return;
  }
  auto a = absolute_addresses(c.image, where.addresses, count, c.pointer_size);
  if (!a) {
    out.misfits.push_back(unsorted(where, KallsymsAddressing::absolute));
    return;
  }
  if (a->front() == 0) {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 "the address table read as absolute addresses starts at 0"));
    return;
  }
  AddressReading r;
  r.addressing = KallsymsAddressing::absolute;
  r.addresses = std::move(*a);
  // 7.0's 32-bit non-relocatable kernels: u32 addresses, then the seqs.
  r.anchored = w == 4 && seqs_at(c.image, where.addresses + w * count, count).has_value();
  add(out, c, where, std::move(r));
}

void place_relative_reading(const ReadingContext& c, const KallsymsLocation& where, uint64_t count,
                            Readings& out) {
  if (!c.image.contains(where.addresses, 4 * count)) {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 "kallsyms_offsets runs past the end of the image"));
    return;
  }
  AddressReading r;
  r.addressing = KallsymsAddressing::place_relative;
  if (c.space.raw()) {
    // Until the caller says where _text (the raw image's first byte) is,
    // the addresses count from a stand-in in the middle of the address
    // space, so that neither sorting nor the labels wrap around.
    const auto text = c.space.address_of(0);
    r.text_unknown = !text;
    r.offsets_address = text.value_or(c.pointer_size == 8 ? uint64_t{1} << 63 : uint64_t{1} << 31) +
                        where.addresses;
  } else if (const auto a = c.space.address_of(where.addresses)) {
    r.offsets_address = *a;
  } else {
    out.misfits.push_back(misfit(ErrorKind::malformed, where.addresses,
                                 "kallsyms_offsets lies in no PT_LOAD segment, so the place "
                                 "its entries count from is unknown"));
    return;
  }
  auto a = place_relative_addresses(read_offsets(c.image, where.addresses, count),
                                    r.offsets_address, c.pointer_size);
  if (!a) {
    out.misfits.push_back(unsorted(where, KallsymsAddressing::place_relative));
    return;
  }
  r.addresses = std::move(*a);
  r.anchored = seqs_at(c.image, where.addresses + 4 * count, count).has_value();
  add(out, c, where, std::move(r));
}

}  // namespace

AddressSpace AddressSpace::of_elf(Bytes elf) {
  AddressSpace s;
  s.segments_ = load_segments(elf);
  s.raw_ = false;
  return s;
}

AddressSpace AddressSpace::of_raw(std::optional<uint64_t> text) {
  AddressSpace s;
  s.text_ = text;
  return s;
}

std::optional<uint64_t> AddressSpace::address_of(uint64_t offset) const {
  if (raw_) return text_ ? std::optional(*text_ + offset) : std::nullopt;
  for (const LoadSegment& s : segments_)
    if (offset >= s.offset && offset - s.offset < s.size) return s.address + (offset - s.offset);
  return std::nullopt;
}

Readings read_address_table(const ReadingContext& c, const KallsymsLocation& where,
                            std::optional<KallsymsAddressing> only) {
  Readings out;
  const uint64_t count = c.names.size();
  const auto allows = [&](KallsymsAddressing a) { return !only || *only == a; };
  if (where.relative_base) {
    if (allows(KallsymsAddressing::relative) || allows(KallsymsAddressing::absolute_percpu))
      relative_readings(c, where, count, only, out);
    return out;
  }
  if (allows(KallsymsAddressing::absolute)) absolute_reading(c, where, count, out);
  if (allows(KallsymsAddressing::place_relative)) place_relative_reading(c, where, count, out);
  return out;
}

const Error& most_telling(const std::vector<Misfit>& misfits) {
  for (const Misfit& m : misfits)
    if (m.sorted) return m.error;
  for (const Misfit& m : misfits)
    if (m.error.kind == ErrorKind::unsupported) return m.error;
  return misfits.front().error;
}

std::vector<PlacedReading> preferred(std::vector<PlacedReading> fits) {
  for (const auto mark : {&AddressReading::self_checked, &AddressReading::anchored}) {
    const auto marked = [mark](const PlacedReading& f) { return f.second.*mark; };
    if (std::any_of(fits.begin(), fits.end(), marked)) {
      fits.erase(std::remove_if(fits.begin(), fits.end(), std::not_fn(marked)), fits.end());
      break;
    }
  }
  return fits;
}

std::optional<uint64_t> seqs_at(const ByteReader& r, uint64_t end, uint64_t count) {
  for (uint64_t a : {4, 8}) {
    const uint64_t at = align_up(end, a);
    if (count == 0 || !r.contains(end, at - end + 3 * count)) continue;
    const Bytes b = r.bytes(end, at - end + 3 * count, "kallsyms_seqs_of_names");
    if (std::any_of(b.begin(), b.begin() + static_cast<ptrdiff_t>(at - end),
                    [](std::byte x) { return x != std::byte{0}; }))
      continue;
    std::vector<bool> seen(count);
    bool ok = true;
    for (uint64_t i = 0; i < count && ok; ++i) {
      const size_t p = at - end + 3 * i;
      const uint64_t v = (uint64_t{static_cast<uint8_t>(b[p])} << 16) |
                         (uint64_t{static_cast<uint8_t>(b[p + 1])} << 8) |
                         static_cast<uint8_t>(b[p + 2]);
      ok = v < count && !seen[v];
      if (ok) seen[v] = true;
    }
    if (ok) return at;
  }
  return std::nullopt;
}

std::optional<std::vector<uint64_t>> relative_addresses(const std::vector<int32_t>& offsets,
                                                        uint64_t base, KallsymsAddressing mode,
                                                        int pointer_size) {
  std::vector<uint64_t> out;
  out.reserve(offsets.size());
  bool negative = false;
  for (int32_t o : offsets) {
    uint64_t a = 0;
    if (mode == KallsymsAddressing::absolute_percpu) {
      // scripts/kallsyms.c writes an absolute (per-CPU) symbol as itself and
      // any other as relative_base - address - 1, which is negative.
      negative |= o < 0;
      a = o >= 0 ? static_cast<uint64_t>(o) : base - 1 - static_cast<uint64_t>(int64_t{o});
    } else {
      a = base + static_cast<uint32_t>(o);
    }
    a = truncate(a, pointer_size);
    if (!out.empty() && a < out.back()) return std::nullopt;
    out.push_back(a);
  }
  if (mode == KallsymsAddressing::absolute_percpu && !negative) return std::nullopt;
  return out;
}

std::optional<std::vector<uint64_t>> place_relative_addresses(const std::vector<int32_t>& offsets,
                                                              uint64_t table, int pointer_size) {
  std::vector<uint64_t> out;
  out.reserve(offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) {
    const uint64_t a = truncate(
        table + 4 * uint64_t{i} + static_cast<uint64_t>(int64_t{offsets[i]}), pointer_size);
    if (!out.empty() && a < out.back()) return std::nullopt;
    out.push_back(a);
  }
  return out;
}

std::vector<int32_t> read_offsets(const ByteReader& image, uint64_t at, uint64_t count) {
  image.bytes(at, count * 4, "kallsyms_offsets");  // one bounds check for the whole array
  std::vector<int32_t> out(count);
  for (uint64_t i = 0; i < count; ++i)
    out[i] = static_cast<int32_t>(image.u32(at + 4 * i, "kallsyms_offsets entry"));
  return out;
}

uint64_t read_pointer(const ByteReader& image, uint64_t at, int pointer_size,
                      std::string_view field) {
  return pointer_size == 8 ? image.u64(at, field) : image.u32(at, field);
}

}  // namespace lucompat
