#include "lucompat/kallsyms/kallsyms.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "kallsyms/addresses.h"
#include "kallsyms/names.h"
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
    case KallsymsAddressing::place_relative:
      return "place-relative";
  }
  return "unknown";
}

template <typename F>
void KallsymsNames::visit(size_t i, F&& f) const {
  bool type = true;  // the expansion's first character is the type
  for (uint32_t c = starts_[i]; c < starts_[i + 1]; ++c)
    for (char ch : tokens_[static_cast<uint8_t>(codes_[c])]) {
      if (std::exchange(type, false)) continue;
      if (!f(ch)) return;
    }
}

std::string KallsymsNames::name(size_t i) const {
  std::string out;
  out.reserve(length_[i]);
  visit(i, [&](char c) {
    out += c;
    return true;
  });
  return out;
}

bool KallsymsNames::starts_with(size_t i, std::string_view prefix) const {
  if (length_[i] < prefix.size()) return false;
  size_t at = 0;
  bool same = true;
  visit(i, [&](char c) {
    if (at == prefix.size()) return false;
    same = c == prefix[at++];
    return same;
  });
  return same && at == prefix.size();
}

bool KallsymsNames::is(size_t i, std::string_view n) const {
  return length_[i] == n.size() && starts_with(i, n);
}

bool KallsymsNames::same(const KallsymsNames& other) const {
  if (type_ != other.type_ || length_ != other.length_) return false;
  if (codes_ == other.codes_ && starts_ == other.starts_ && tokens_ == other.tokens_) return true;
  for (size_t i = 0; i < size(); ++i)
    if (name(i) != other.name(i)) return false;
  return true;
}

void KallsymsNames::add(Bytes codes, char type, size_t length) {
  codes_.append(as_chars(codes));
  starts_.push_back(static_cast<uint32_t>(codes_.size()));
  length_.push_back(static_cast<uint16_t>(length));
  type_.push_back(type);
}

std::vector<KallsymsSymbol> Kallsyms::symbols() const {
  std::vector<KallsymsSymbol> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back({addresses[i], names.type(i), names.name(i)});
  return out;
}

std::vector<size_t> Kallsyms::find(std::string_view n) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < size(); ++i)
    if (names.is(i, n)) out.push_back(i);
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

namespace {

void check_pointer_size(int pointer_size) {
  if (pointer_size != 4 && pointer_size != 8)
    fail(ErrorKind::unsupported, std::nullopt,
         fmt::format("pointer size {}; expected 4 or 8", pointer_size));
}

AddressSpace address_space(const KallsymsInput& in) {
  return in.elf ? AddressSpace::of_elf(in.image) : AddressSpace::of_raw(in.text_address);
}

bool same_symbols(const Kallsyms& a, const Kallsyms& b) {
  return a.addresses == b.addresses && a.names.same(b.names);
}

void check_text_known(const KallsymsLocation& where, const AddressReading& reading) {
  if (reading.text_unknown)
    fail(ErrorKind::unsupported, where.addresses,
         "kallsyms_offsets here count from each entry's own place (Linux 7.0 and later), and "
         "this raw image does not say where it is linked: give the address of _text, its "
         "first byte (--text-address)");
}

Kallsyms finish(KallsymsNames names, const KallsymsLocation& where, AddressReading reading) {
  check_text_known(where, reading);
  Kallsyms out;
  out.location = where;
  out.addressing = reading.addressing;
  out.relative_base = reading.relative_base;
  out.relative_base_relocated = reading.relative_base_relocated;
  out.offsets_address = reading.offsets_address;
  out.self_checked = reading.self_checked;
  out.addresses = std::move(reading.addresses);
  out.names = std::move(names);
  return out;
}

// One decoding from readings that all fit; different ones are an error. The
// readings share the names, so only their addresses can differ. Names and
// addresses are moved, not copied: a copy of a distribution kernel's
// (200,000 symbols, 7 MiB) stood in its peak RSS.
Kallsyms only_decoding(KallsymsNames&& names, std::vector<PlacedReading>&& readings) {
  for (const auto& [where, reading] : readings) check_text_known(where, reading);
  const PlacedReading& first = readings.front();
  for (size_t i = 1; i < readings.size(); ++i)
    if (readings[i].second.addresses != first.second.addresses)
      fail(ErrorKind::malformed, readings[i].first.addresses,
           fmt::format("the address table at 0x{:x} read as {} and the one at 0x{:x} read as {} "
                       "both fit and give different addresses; refusing to guess",
                       first.first.addresses, name(first.second.addressing),
                       readings[i].first.addresses, name(readings[i].second.addressing)));
  return finish(std::move(names), first.first, std::move(readings.front().second));
}

std::optional<Kallsyms> decode(const KallsymsInput& in) {
  check_pointer_size(in.pointer_size);
  const ByteReader image(in.image, in.order);
  if (in.elf) {
    if (const auto loc = locate_by_symtab(image, in.pointer_size)) {
      Kallsyms k = decode_kallsyms_at(in, loc->where, loc->addressing);
      k.located_by_symtab = true;
      return k;
    }
  }
  const std::vector<TokenTable> tables = find_token_tables(image);
  if (tables.empty()) return std::nullopt;
  const AddressSpace space = address_space(in);
  std::vector<Kallsyms> found;
  std::vector<Misfit> misfits;
  for (const TokenTable& t : tables)
    for (FoundTables& f : search_tables(image, t, space, in.pointer_size, in.limits)) {
      for (Misfit& e : f.misfits) misfits.push_back(std::move(e));
      if (!f.readings.empty())
        found.push_back(only_decoding(std::move(f.names.names), std::move(f.readings)));
    }
  if (found.empty()) {
    if (!misfits.empty() && most_telling(misfits).kind == ErrorKind::unsupported)
      throw ParseError(most_telling(misfits));
    fail(ErrorKind::malformed, tables.front().table,
         fmt::format("a kallsyms token table is at 0x{:x} (index at 0x{:x}), but no "
                     "kallsyms_num_syms, kallsyms_names, kallsyms_markers and address table "
                     "consistent with it was found{}",
                     tables.front().table, tables.front().index,
                     misfits.empty() ? ""
                                     : fmt::format(" (names and markers were; their address "
                                                   "table: {})",
                                                   most_telling(misfits).message)));
  }
  for (size_t i = 1; i < found.size(); ++i)
    if (!same_symbols(found[0], found[i]))
      fail(ErrorKind::malformed, found[i].location.names,
           fmt::format("two different kallsyms tables decode: names at 0x{:x} and at 0x{:x}; "
                       "refusing to guess",
                       found[0].location.names, found[i].location.names));
  found.front().order = in.order;
  return std::move(found.front());
}

}  // namespace

Kallsyms decode_kallsyms_at(const KallsymsInput& in, const KallsymsLocation& where,
                            std::optional<KallsymsAddressing> addressing) {
  check_pointer_size(in.pointer_size);
  const ByteReader image(in.image, in.order);
  const uint64_t count = image.u32(where.num_syms, "kallsyms_num_syms");
  if (count == 0) fail(ErrorKind::malformed, where.num_syms, "kallsyms_num_syms is 0");
  const TokenTable tokens = read_token_table(image, where.token_table, where.token_index);
  DecodedNames names = decode_names(image, where.names, count, tokens, in.limits);
  check_markers(image, where.markers, names);
  const AddressSpace space = address_space(in);
  Readings r = read_address_table({image, names, in.pointer_size, space}, where, addressing);
  if (r.fits.empty()) {
    if (r.misfits.empty())
      fail(ErrorKind::malformed, where.addresses,
           fmt::format("the address table at 0x{:x} cannot be read as {}{}", where.addresses,
                       addressing ? name(*addressing) : "anything",
                       where.relative_base ? " with a relative base" : " without a relative base"));
    throw ParseError(most_telling(r.misfits));
  }
  std::vector<PlacedReading> fits;
  fits.reserve(r.fits.size());
  for (AddressReading& f : r.fits) fits.emplace_back(where, std::move(f));
  Kallsyms k = only_decoding(std::move(names.names), preferred(std::move(fits)));
  k.order = in.order;
  return k;
}

Result<std::optional<Kallsyms>> decode_kallsyms(const KallsymsInput& input) {
  return catch_parse_errors([&]() -> std::optional<Kallsyms> {
    std::optional<Kallsyms> k = decode(input);
    if (k || input.order_known) return k;
    KallsymsInput other = input;
    other.order = input.order == ByteOrder::little ? ByteOrder::big : ByteOrder::little;
    return decode(other);
  });
}

}  // namespace lucompat
