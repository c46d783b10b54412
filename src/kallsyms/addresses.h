// The symbols' addresses. Each way an address table can be read (absolute
// pointers, offsets against kallsyms_relative_base with or without absolute
// per-CPU symbols, offsets from each entry's own place) is a reading;
// scripts/kallsyms.c sorts the table by address, so a reading that fits
// gives addresses that never decrease, and from 7.0 the table's entries for
// its own kallsyms_* labels must decode to where those tables lie. Those
// checks and each layout's own evidence (its anchors) tell the layouts apart
// and reject wrong candidates. Nothing here throws for a reading that does
// not fit: the search tries many.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kallsyms/names.h"
#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"
#include "lucompat/elf/elf_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

// Where the image's bytes lie in the kernel's address space.
class AddressSpace {
 public:
  // An ELF's PT_LOAD segments. Throws ParseError for a broken ELF.
  static AddressSpace of_elf(Bytes elf);
  // A raw image: byte x at text + x; nothing known without `text`.
  static AddressSpace of_raw(std::optional<uint64_t> text);

  std::optional<uint64_t> address_of(uint64_t offset) const;
  bool raw() const { return raw_; }

 private:
  std::vector<LoadSegment> segments_;
  std::optional<uint64_t> text_;
  bool raw_ = true;
};

struct AddressReading {
  KallsymsAddressing addressing = KallsymsAddressing::absolute;
  std::vector<uint64_t> addresses;
  uint64_t relative_base = 0;
  bool relative_base_relocated = false;
  uint64_t offsets_address = 0;  // place_relative
  // place_relative in a raw image whose link address the caller did not
  // give: the addresses count from a stand-in for _text.
  bool text_unknown = false;
  // The layout's own evidence: relative_base is the first symbol's address
  // (offset 0, or -1 with absolute per-CPU symbols); kallsyms_seqs_of_names
  // right after a table without a base (7.0's order).
  bool anchored = false;
  bool self_checked = false;  // the address table's own entry decoded to its place
};

// What a reading needs besides the location: the image, the decoded names
// (for the table's own labels), and where the bytes lie.
struct ReadingContext {
  const ByteReader& image;
  const DecodedNames& names;
  int pointer_size = 8;
  // A raw image's is known only from KallsymsInput::text_address.
  const AddressSpace& space;
};

// Why a reading does not fit. `sorted`: it gave sorted addresses and failed
// a later check, which says more about the table than an unsorted guess.
struct Misfit {
  Error error;
  bool sorted = false;
};

struct Readings {
  std::vector<AddressReading> fits;
  std::vector<Misfit> misfits;
};

// The misfit to report when nothing fits: one that sorted (the nearest
// miss), then an unsupported layout (a PIE base nothing relocates), then the
// first. `misfits` must not be empty.
const Error& most_telling(const std::vector<Misfit>& misfits);

// Every reading of the address table at `where` that `only` allows (all
// that the location allows when absent: relative and absolute_percpu with a
// relative base, absolute and place_relative without). Never throws: a table
// that runs past the image is a misfit too.
Readings read_address_table(const ReadingContext& context, const KallsymsLocation& where,
                            std::optional<KallsymsAddressing> only);

// A reading and the location it read.
using PlacedReading = std::pair<KallsymsLocation, AddressReading>;

// The readings to trust among those that fit, at one location or several:
// those the table's own labels confirmed if any, else the anchored ones if
// any, else all.
std::vector<PlacedReading> preferred(std::vector<PlacedReading> fits);

// kallsyms_seqs_of_names at `end` (aligned to 4 or 8 past it, zero padding
// between): `count` 3-byte big-endian symbol numbers, each below `count` and
// none twice.
std::optional<uint64_t> seqs_at(const ByteReader& image, uint64_t end, uint64_t count);

// Pure: the addresses `offsets` stand for in `mode` (relative or
// absolute_percpu), truncated to the pointer size; nullopt when they
// decrease somewhere, or when absolute_percpu finds no negative offset (the
// kernel's own text is never absolute, so that mode always has some).
std::optional<std::vector<uint64_t>> relative_addresses(const std::vector<int32_t>& offsets,
                                                        uint64_t base, KallsymsAddressing mode,
                                                        int pointer_size);
// Pure: entry i lies at table + 4i and holds the distance to its symbol;
// truncated to the pointer size; nullopt when they decrease somewhere.
std::optional<std::vector<uint64_t>> place_relative_addresses(const std::vector<int32_t>& offsets,
                                                              uint64_t table, int pointer_size);

std::vector<int32_t> read_offsets(const ByteReader& image, uint64_t at, uint64_t count);
uint64_t read_pointer(const ByteReader& image, uint64_t at, int pointer_size,
                      std::string_view field);

}  // namespace lucompat
