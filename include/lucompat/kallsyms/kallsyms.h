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

#include <array>
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

// The names as kallsyms_names spells them, token indexes, expanded only when
// asked: a distribution kernel has 150 000 to 200 000, and holding each as a
// string cost more time and memory than decompressing the kernel.
class KallsymsNames {
 public:
  explicit KallsymsNames(const std::array<std::string, 256>& tokens) : tokens_(tokens) {}
  KallsymsNames() = default;

  size_t size() const { return type_.size(); }
  char type(size_t i) const { return type_[i]; }
  // The name without its type character.
  std::string name(size_t i) const;
  size_t length(size_t i) const { return length_[i]; }
  // Whether the name without its type is `n`, or starts with `prefix`,
  // expanding no more of it than that takes.
  bool is(size_t i, std::string_view n) const;
  bool starts_with(size_t i, std::string_view prefix) const;
  bool same(const KallsymsNames& other) const;

  // The next name: its token indexes, its type and the length of the rest.
  void add(Bytes codes, char type, size_t length);

 private:
  // Calls f(c) for each character after the type, until f returns false.
  template <typename F>
  void visit(size_t i, F&& f) const;

  std::array<std::string, 256> tokens_;
  std::string codes_;                // every name's token indexes, one after another
  std::vector<uint32_t> starts_{0};  // name i's in codes_[starts_[i], starts_[i + 1])
  std::vector<uint16_t> length_;     // without the type character
  std::vector<char> type_;
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
  ByteOrder order = ByteOrder::little;  // in which the tables decoded
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
  // In table order, which scripts/kallsyms.c sorts by address (the readings
  // check that addresses never decrease): symbol i is addresses[i] and
  // names.type(i), names.name(i).
  std::vector<uint64_t> addresses;
  KallsymsNames names;

  size_t size() const { return addresses.size(); }
  // Every symbol, expanded.
  std::vector<KallsymsSymbol> symbols() const;
  // The index of every symbol of that name (local symbols repeat), in table
  // order; empty when none.
  std::vector<size_t> find(std::string_view name) const;
};

struct KallsymsLimits {
  uint64_t max_symbols = uint64_t{1} << 22;  // Debian's amd64 kernel has ~150 000
  // KSYM_NAME_LEN (512 since 6.1) including the type character.
  uint64_t max_name = 512;
};

struct KallsymsInput {
  Bytes image;  // an ELF vmlinux (stripped or not) or a raw image
  ByteOrder order = ByteOrder::little;
  // false: a raw image whose header names no byte order (s390x's): the
  // tables are looked for in `order`, and in the other when none are there.
  bool order_known = true;
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
