// The kernel's own symbol table (CONFIG_KALLSYMS), decoded from the image
// bytes: the tables scripts/kallsyms.c emits into .rodata, located through
// .symtab when the ELF has one, otherwise by a strictly validated search.
//
// Every release writes kallsyms_num_syms (u32), kallsyms_names (a length of
// one or two bytes, then that many token indexes, per symbol),
// kallsyms_markers (u32: the names offset of every 256th symbol),
// kallsyms_token_table (256 NUL-terminated tokens) and kallsyms_token_index
// (256 u16 offsets into it); an expanded name's first character is its type.
// The address table and the order differ (docs/kallsyms.md has the details):
// up to 6.1, kallsyms_offsets (s32 each) + kallsyms_relative_base, or
// kallsyms_addresses (one pointer each), before kallsyms_num_syms; later 6.x,
// the same after kallsyms_token_index, then kallsyms_seqs_of_names; from 7.0,
// kallsyms_offsets after kallsyms_token_index, each entry counting from its
// own address, no relative base, 4-byte alignment, and the kallsyms_* labels
// themselves in the table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/base/result.h"

namespace lucompat {

struct KallsymsSymbol {
  uint64_t address = 0;
  char type = '?';  // 't', 'T', 'd', 'D', 'r', 'R', 'b', 'B', ... as System.map
  std::string name;
};

enum class KallsymsAddressing {
  // One address per entry: kallsyms_addresses (a pointer each), or from 7.0
  // a 32-bit non-relocatable kernel's kallsyms_offsets (u32 each).
  absolute,
  relative,         // kallsyms_offsets: relative_base + (u32)offset
  absolute_percpu,  // KALLSYMS_ABSOLUTE_PERCPU: offset >= 0 absolute, else base - 1 - offset
  // From 7.0 (64-bit or relocatable): &kallsyms_offsets[i] + (s32)kallsyms_offsets[i].
  place_relative,
};
std::string_view name(KallsymsAddressing a);

// Where the tables lie: offsets in the image bytes given to the decoder.
struct KallsymsLocation {
  uint64_t addresses = 0;                 // kallsyms_offsets or kallsyms_addresses
  std::optional<uint64_t> relative_base;  // only for relative and absolute_percpu
  uint64_t num_syms = 0;
  uint64_t names = 0;
  uint64_t markers = 0;
  uint64_t token_table = 0;
  uint64_t token_index = 0;
  // 3 big-endian bytes per symbol: the symbols in name order. Absent before 6.2.
  std::optional<uint64_t> seqs_of_names;
};

struct Kallsyms {
  KallsymsAddressing addressing = KallsymsAddressing::relative;
  uint64_t relative_base = 0;  // as used (after relocation, see below)
  // The relative base read zero in the file (a relocatable kernel linked as
  // PIE) and was taken from the R_*_RELATIVE relocation that fills it.
  bool relative_base_relocated = false;
  // place_relative: the address of kallsyms_offsets, which each entry counts
  // from: from the ELF's PT_LOAD segments, or a raw image's text_address.
  uint64_t offsets_address = 0;
  // The table holds entries for its own kallsyms_* labels (7.0 and later),
  // and the one for the address table decoded to where that table lies.
  bool self_checked = false;
  KallsymsLocation location;
  bool located_by_symtab = false;  // else by the search
  // In table order, which scripts/kallsyms.c sorts by address.
  std::vector<KallsymsSymbol> symbols;

  // Every symbol of that name (local symbols repeat); empty when none.
  std::vector<const KallsymsSymbol*> find(std::string_view name) const;
};

struct KallsymsLimits {
  uint64_t max_symbols = uint64_t{1} << 22;  // Debian's amd64 kernel has ~150 000
  // KSYM_NAME_LEN (512 since 6.1) including the type character.
  uint64_t max_name = 512;
};

struct KallsymsInput {
  Bytes image;  // an ELF vmlinux (stripped or not) or a raw image
  ByteOrder order = ByteOrder::little;
  int pointer_size = 8;  // 4 or 8
  bool elf = false;      // look for .symtab first
  KallsymsLimits limits;
  // A raw image's link address: that of its first byte, which is _text
  // (arm64 and riscv booting.rst). A place-relative table in a raw image
  // says where each symbol is only relative to itself, and nothing in the
  // image proves where it is linked; without this, decoding one is an
  // unsupported error. Ignored for an ELF, whose segments say it.
  std::optional<uint64_t> text_address;
};

// nullopt: the image holds no kallsyms tables (no token table anywhere).
// An error: tables are there but inconsistent, ambiguous, or over a limit;
// offsets in errors are offsets in `input.image`.
Result<std::optional<Kallsyms>> decode_kallsyms(const KallsymsInput& input);

// Decodes tables at a known location (the symtab path, tests). Throws
// ParseError; `addressing` absent: decided from the data among the readings
// the location allows (relative or absolute_percpu with a relative base;
// absolute or place_relative without). A raw 64-bit Image's relocations may
// supply a relative base the file holds as zero (see kallsyms/relocated_base.h).
Kallsyms decode_kallsyms_at(const KallsymsInput& input, const KallsymsLocation& where,
                            std::optional<KallsymsAddressing> addressing);

// System.map's order: by address, then by name (nm -n's tie break); symbols
// equal in both keep their table order.
std::vector<KallsymsSymbol> sorted_by_address(std::vector<KallsymsSymbol> symbols);

}  // namespace lucompat
