#include "kallsyms/test_image.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

namespace lucompat::testing {
namespace {

class Writer {
 public:
  explicit Writer(ByteOrder order) : order_(order) {}
  void align(size_t a) {
    while (out.size() % a) out.push_back(std::byte{0});
  }
  void put(uint64_t v, int size) {
    for (int i = 0; i < size; ++i) {
      const int shift = order_ == ByteOrder::little ? 8 * i : 8 * (size - 1 - i);
      out.push_back(static_cast<std::byte>((v >> shift) & 0xff));
    }
  }
  void put(std::string_view s) {
    for (char c : s) out.push_back(static_cast<std::byte>(c));
  }
  uint64_t here() const { return out.size(); }
  std::vector<std::byte> out;

 private:
  ByteOrder order_;
};

struct Tokens {
  std::vector<std::string> table = std::vector<std::string>(256);
  std::map<std::string, uint8_t> pairs;
};

// Every character used as itself; a few pairs in the free slots, as the
// compressor would put its best pairs there.
Tokens make_tokens(const std::vector<std::string>& names) {
  Tokens t;
  for (const auto& n : names)
    for (char c : n) t.table[static_cast<uint8_t>(c)] = std::string(1, c);
  const char* pairs[] = {"_s", "in", "er", "ab", "__", "_t", "xyz", "on"};
  size_t next = 1;
  for (const char* p : pairs) {
    while (next < 256 && !t.table[next].empty()) ++next;
    if (next == 256) break;
    t.table[next] = p;
    t.pairs[p] = static_cast<uint8_t>(next);
  }
  return t;
}

std::vector<uint8_t> encode(const std::string& name, const Tokens& t) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < name.size();) {
    bool used = false;
    for (const auto& [p, idx] : t.pairs)
      if (name.compare(i, p.size(), p) == 0) {
        out.push_back(idx);
        i += p.size();
        used = true;
        break;
      }
    if (!used) out.push_back(static_cast<uint8_t>(name[i++]));
  }
  return out;
}

}  // namespace

std::vector<CraftSymbol> sample_symbols(size_t n, uint64_t base) {
  std::vector<CraftSymbol> out;
  const std::string letters = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (size_t i = 0; i < n; ++i) {
    CraftSymbol s;
    s.address = base + 16 * i + (i % 3 == 0 ? 0 : 8);
    s.type = i % 7 == 0 ? 'D' : (i % 2 ? 't' : 'T');
    s.name = i == 0 ? "_text"
                    : "sym_" + std::string(1, letters[i % letters.size()]) + "_" +
                          std::to_string(i) + (i % 5 == 0 ? "_inner_long_name" : "");
    out.push_back(s);
  }
  out.push_back({base + 16 * n, 'T', letters + "_all", false});
  return out;
}

namespace {

// The image's first symbol outside the per-CPU area: what relative
// addresses count from.
uint64_t relative_base(const std::vector<CraftSymbol>& symbols) {
  for (const auto& s : symbols)
    if (!s.percpu) return s.address;
  return 0;
}

void write_addresses(Writer& wr, const std::vector<CraftSymbol>& symbols, const CraftOptions& o,
                     Crafted& c) {
  const int w = o.pointer_size;
  const size_t align = o.alignment ? o.alignment : w;
  const uint64_t base = relative_base(symbols);
  wr.align(align);
  c.where.addresses = wr.here();
  for (const auto& s : symbols) {
    if (o.addressing == KallsymsAddressing::absolute) {
      wr.put(s.address, w);
    } else if (o.addressing == KallsymsAddressing::absolute_percpu) {
      wr.put(static_cast<uint32_t>(s.percpu ? s.address : base - s.address - 1), 4);
    } else if (o.addressing == KallsymsAddressing::place_relative) {
      // `.long _text - . + (addr - _text)`: the distance from this entry.
      wr.put(static_cast<uint32_t>(s.address - (o.text + wr.here())), 4);
    } else {
      wr.put(static_cast<uint32_t>(s.address - base), 4);
    }
  }
  if (o.addressing == KallsymsAddressing::relative ||
      o.addressing == KallsymsAddressing::absolute_percpu) {
    wr.align(align);
    c.where.relative_base = wr.here();
    wr.put(base, w);
  }
}

void write_seqs(Writer& wr, const std::vector<CraftSymbol>& symbols, size_t align, Crafted& c) {
  std::vector<uint32_t> order(symbols.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return symbols[a].name < symbols[b].name; });
  wr.align(align);
  c.where.seqs_of_names = wr.here();
  for (uint32_t i : order) {
    wr.out.push_back(static_cast<std::byte>(i >> 16));
    wr.out.push_back(static_cast<std::byte>((i >> 8) & 0xff));
    wr.out.push_back(static_cast<std::byte>(i & 0xff));
  }
}

// The names, each its length (one byte, or two from 0x80) and its tokens,
// then a marker for every 256th.
void write_names(Writer& wr, const std::vector<std::string>& names, const Tokens& tokens,
                 size_t align, Crafted& c) {
  wr.align(align);
  c.where.names = wr.here();
  std::vector<uint32_t> markers;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i % 256 == 0) markers.push_back(static_cast<uint32_t>(wr.here() - c.where.names));
    const std::vector<uint8_t> code = encode(names[i], tokens);
    if (code.size() > 0x7f) {
      wr.out.push_back(static_cast<std::byte>((code.size() & 0x7f) | 0x80));
      wr.out.push_back(static_cast<std::byte>(code.size() >> 7));
    } else {
      wr.out.push_back(static_cast<std::byte>(code.size()));
    }
    for (uint8_t b : code) wr.out.push_back(static_cast<std::byte>(b));
  }
  wr.align(align);
  c.where.markers = wr.here();
  for (uint32_t m : markers) wr.put(m, 4);
}

void write_tokens(Writer& wr, const Tokens& tokens, size_t align, Crafted& c) {
  wr.align(align);
  c.where.token_table = wr.here();
  std::vector<uint16_t> index;
  for (const auto& t : tokens.table) {
    index.push_back(static_cast<uint16_t>(wr.here() - c.where.token_table));
    wr.put(t);
    wr.out.push_back(std::byte{0});
  }
  wr.align(align);
  c.where.token_index = wr.here();
  for (uint16_t i : index) wr.put(i, 2);
}

Crafted craft_once(const std::vector<CraftSymbol>& symbols, const CraftOptions& o) {
  const size_t align = o.alignment ? o.alignment : o.pointer_size;
  // 6.1's order puts the addresses first; later kernels put them last.
  const bool later =
      o.later_order || o.own_labels || o.addressing == KallsymsAddressing::place_relative;
  Writer wr(o.order);
  Crafted c;
  c.symbols = symbols;
  // Filler that is no table: a search must not stop on it.
  for (int i = 0; i < 100; ++i) wr.out.push_back(static_cast<std::byte>(0x5a ^ i));
  std::vector<std::string> names;
  for (const auto& s : symbols) names.push_back(std::string(1, s.type) + s.name);
  const Tokens tokens = make_tokens(names);

  if (!later) write_addresses(wr, symbols, o, c);
  wr.align(align);
  c.where.num_syms = wr.here();
  wr.put(symbols.size(), 4);
  write_names(wr, names, tokens, align, c);
  if (!later) write_seqs(wr, symbols, align, c);
  write_tokens(wr, tokens, align, c);
  if (later) {
    write_addresses(wr, symbols, o, c);
    write_seqs(wr, symbols, align, c);
  }
  for (int i = 0; i < 100; ++i) wr.out.push_back(static_cast<std::byte>(0xa5 ^ i));
  c.bytes = std::move(wr.out);
  return c;
}

}  // namespace

Crafted craft_kallsyms(const std::vector<CraftSymbol>& symbols, const CraftOptions& o) {
  if (!o.own_labels) return craft_once(symbols, o);
  // The labels' addresses do not change the size of any table, so a first
  // pass says where they go, as the kernel's second link pass does.
  const auto labelled = [&](const KallsymsLocation& w) {
    std::vector<CraftSymbol> out = symbols;
    const std::pair<const char*, uint64_t> labels[] = {
        {"kallsyms_num_syms", w.num_syms},
        {"kallsyms_names", w.names},
        {"kallsyms_markers", w.markers},
        {"kallsyms_token_table", w.token_table},
        {"kallsyms_token_index", w.token_index},
        {"kallsyms_offsets", w.addresses},
        {"kallsyms_seqs_of_names", w.seqs_of_names.value_or(0)}};
    for (const auto& [n, at] : labels) out.push_back({o.text + at, 'D', n, false});
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.address < b.address; });
    return out;
  };
  return craft_once(labelled(craft_once(labelled({}), o).where), o);
}

CraftOptions seven(uint64_t text, ByteOrder order, int pointer_size) {
  CraftOptions o;
  o.order = order;
  o.pointer_size = pointer_size;
  o.addressing = KallsymsAddressing::place_relative;
  o.alignment = 4;
  o.own_labels = true;
  o.text = text;
  return o;
}

}  // namespace lucompat::testing
