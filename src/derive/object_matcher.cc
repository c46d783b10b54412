#include "lucompat/derive/object_matcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "lucompat/base/printable.h"
#include "lucompat/derive/code_references.h"
#include "lucompat/table/compatible.h"

namespace lucompat {
namespace {

// An array longer than this is no registration array: a kernel registers a
// handful of handlers, and a bogus size must not cost a loop of billions.
constexpr uint64_t kMaxElements = 4096;

bool all_zero(Bytes b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

// Why an object is not of one kind; empty when it is.
using Why = std::string;

// The ops object: read-only data, one whole object when sizes are known,
// function pointers into text (or to functions elsewhere, from a module),
// at least one of them set, and an owner that is not code.
Why check_ops(const MemoryImage& image, const Pointer& ops, const OpsLayout& layout) {
  if (ops.to != Pointer::To::address) return "its ops pointer does not point into this image";
  const MemoryRegion* r = image.region_of(ops.address, layout.size);
  if (r == nullptr)
    return fmt::format("its ops at {:#x} are not {} readable bytes", ops.address, layout.size);
  if (r->kind != RegionKind::rodata) return "its ops are not in read-only data";
  if (image.object_sizes) {
    const auto it = image.object_sizes->find(ops.address);
    if (it == image.object_sizes->end() || it->second != layout.size)
      return fmt::format("no {}-byte object starts at its ops {:#x}", layout.size, ops.address);
  }
  if (image.object_rooms) {
    const std::optional<uint64_t> room = image.room_at(ops.address);
    if (!room || *room < layout.size)
      return fmt::format("no symbol with room for {} bytes starts at its ops {:#x}", layout.size,
                         ops.address);
  }
  unsigned set = 0;
  for (unsigned i = 0; i < layout.functions; ++i) {
    const auto p = image.pointer_at(ops.address + uint64_t{i} * image.pointer_size);
    if (!p) return fmt::format("ops slot {} is not a pointer", i);
    if (p->to == Pointer::To::null) continue;
    if (p->to == Pointer::To::address) {
      const MemoryRegion* f = image.region_of(p->address, 1);
      if (f == nullptr || f->kind != RegionKind::text)
        return fmt::format("ops slot {} does not point to code", i);
    }
    ++set;
  }
  if (set == 0) return "its ops have no function at all";
  const auto owner = image.pointer_at(ops.address + layout.owner_offset);
  if (!owner) return "the ops' owner is not a pointer";
  if (owner->to == Pointer::To::address) {
    const MemoryRegion* m = image.region_of(owner->address, 1);
    if (m == nullptr || m->kind == RegionKind::text) return "the ops' owner is not a module object";
  }
  return {};
}

// One object read as one kind, and what was found valid on the way, so that
// a refused object that is half a registration is reported, not dropped.
struct ObjectReading {
  Why why;                          // empty: it is one
  std::optional<std::string> text;  // its valid compatible
  bool ops_valid = false;
  bool size_ok = true;  // its size (or room) is the layout's
  std::string raw;      // the compatible field as printable text, for a near miss
};

// The bytes of `r` from `from` past `address` up to `room` past it.
Bytes rest_of_room(const MemoryRegion& r, uint64_t address, uint64_t from, uint64_t room) {
  const uint64_t start = address - r.address + from;
  const uint64_t end = std::min<uint64_t>(address - r.address + room, r.bytes.size());
  return start < end ? r.bytes.subspan(start, end - start) : Bytes{};
}

ObjectReading read_as(const MemoryImage& image, uint64_t address, std::optional<uint64_t> size,
                      std::optional<uint64_t> room, const ObjectLayout& layout) {
  ObjectReading out;
  // Its fields are read even when its size is wrong: an object whose ops are
  // a registration's but whose size is not the BTF's is a near miss.
  const MemoryRegion* r = image.region_of(address, layout.size);
  std::optional<Pointer> ops;
  Bytes object;
  if (r != nullptr) {
    object = r->bytes.subspan(address - r->address, layout.size);
    const Bytes field = object.subspan(layout.compatible_offset, layout.compatible_size);
    out.text = compatible_in(field);
    const auto nul = std::find(field.begin(), field.end(), std::byte{0});
    out.raw = printable(as_chars(field.first(static_cast<size_t>(nul - field.begin()))));
    ops = image.pointer_at(address + layout.ops_offset);
    out.ops_valid = ops && check_ops(image, *ops, layout.ops).empty();
  }
  // Without a size, a layout that gives only a least size needs a room: the
  // object may then be anything up to the next symbol, all of it past the
  // documented part zero as registration leaves it (else it is refused).
  if (size ? (layout.exact ? *size != layout.size : *size < layout.size) : !layout.exact && !room) {
    out.size_ok = false;
    out.why = size ? fmt::format("its size {} is not {}{}", *size, layout.exact ? "" : "at least ",
                                 layout.size)
                   : "its size is unknown and the layout gives no exact one";
  } else if (room && layout.size > *room) {
    out.size_ok = false;
    out.why =
        fmt::format("it is followed by another symbol within {} bytes, so it is smaller than {}",
                    *room, layout.size);
  } else if (r == nullptr) {
    out.why = "its bytes are not in the image";
  } else if (r->kind != RegionKind::data) {
    out.why = "it is not in the kernel's data";
  } else if (!out.text) {
    out.why = "its compatible field is not a NUL-terminated, zero-padded printable string";
  } else if (layout.zero_from != 0 && !all_zero(object.subspan(layout.zero_from))) {
    out.why = "its private list heads are not zero";
  } else if (!size && !layout.exact && !all_zero(rest_of_room(*r, address, layout.size, *room))) {
    out.why = fmt::format(
        "its bytes up to the next symbol, {} past it, are not zero past the least size {}, so "
        "where it ends is unknown",
        *room, layout.size);
  } else if (!ops) {
    out.why = "its first member is not a pointer";
  } else {
    out.why = check_ops(image, *ops, layout.ops);
  }
  return out;
}

struct Element {
  std::string symbol;
  uint64_t address = 0;
  std::optional<uint64_t> size;
  std::optional<uint64_t> room;
};

// Half a registration: its ops are what a handler's or an FLB's would be, or
// it has exactly such an object's size and a compatible where one holds it;
// and it sits with its private tail zero. (Without an exact size, a valid
// string alone would make any object a suspect.)
bool half_matches(const MemoryImage& image, const Element& e, const ObjectReading& r,
                  const ObjectLayout& layout) {
  // Without a size or a room (a scan's guess of where objects start), only
  // an object whose ops are a registration's is one.
  const bool bounded = e.size || e.room;
  if (r.why.empty() || !(r.ops_valid || (r.text && layout.exact && bounded))) return false;
  // The wrong size with ops that are a registration's: a layout (a BTF)
  // that disagrees with the objects, never a silent zero.
  if (!r.size_ok) return r.ops_valid && r.text.has_value();
  const uint64_t address = e.address;
  const bool sized = e.size.has_value();
  const MemoryRegion* region = image.region_of(address, layout.size);
  if (region == nullptr) return false;
  const Bytes object = region->bytes.subspan(address - region->address, layout.size);
  if (layout.zero_from != 0 && !all_zero(object.subspan(layout.zero_from))) return false;
  // An object of exactly a registration's size with a compatible in place
  // is one whatever its ops say; one merely with room for it (any string
  // buffer has) must at least point into read-only data, as ops do.
  if (sized || r.ops_valid) return true;
  const auto first = image.pointer_at(address + layout.ops_offset);
  if (!first || first->to != Pointer::To::address) return false;
  const MemoryRegion* ops = image.region_of(first->address, 1);
  return ops != nullptr && ops->kind == RegionKind::rodata;
}

uint64_t input_offset(const MemoryImage& image, uint64_t address) {
  const MemoryRegion* r = image.region_of(address, 1);
  return r->offset + (address - r->address);
}

// How a candidate reads as `layout`: one object of its size, or an array of
// them (a size that is a multiple; without sizes, as many as its room holds).
std::vector<Element> elements_of(const ObjectCandidate& c, const ObjectLayout& layout) {
  if (c.size) {
    if (!layout.exact || *c.size == layout.size || *c.size % layout.size != 0 ||
        *c.size / layout.size > kMaxElements)
      return {{c.symbol, c.address, c.size, std::nullopt}};
    std::vector<Element> out;
    for (uint64_t i = 0; i < *c.size / layout.size; ++i)
      out.push_back({fmt::format("{}[{}]", c.symbol, i), c.address + i * layout.size, layout.size,
                     std::nullopt});
    return out;
  }
  if (!layout.exact || !c.room || *c.room < 2 * layout.size)
    return {{c.symbol, c.address, std::nullopt, c.room}};
  std::vector<Element> out;
  for (uint64_t i = 0; i < std::min(*c.room / layout.size, kMaxElements); ++i)
    out.push_back({fmt::format("{}[{}]", c.symbol, i), c.address + i * layout.size, std::nullopt,
                   layout.size});
  return out;
}

struct KindResult {
  std::vector<MatchedObject> matched;
  std::vector<std::string> near_misses;
  bool ops_valid_miss = false;  // a near miss whose ops are this kind's
};

// A candidate read as one kind. Without sizes an array's extent is unknown:
// its elements count while they match, and the first that is not even half a
// registration ends it.
KindResult read_candidate(const MemoryImage& image, const ObjectCandidate& c,
                          const ObjectLayout& layout, EntryKind kind) {
  KindResult out;
  const std::vector<Element> elements = elements_of(c, layout);
  const bool open_ended = !c.size && elements.size() > 1;
  for (const Element& e : elements) {
    const ObjectReading r = read_as(image, e.address, e.size, e.room, layout);
    if (r.why.empty()) {
      // A one-object candidate keeps its own name; element 0 of an array
      // without sizes is named as an element only once a second one matches.
      out.matched.push_back({kind, *r.text, input_offset(image, e.address), e.symbol, e.address});
      continue;
    }
    if (half_matches(image, e, r, layout)) {
      out.ops_valid_miss |= r.ops_valid;
      out.near_misses.push_back(
          fmt::format("{} is shaped like {} and holds \"{}\", but is not counted: {}", e.symbol,
                      kind == EntryKind::file ? "a file handler" : "an FLB", r.raw, r.why));
    }
    if (open_ended) break;
  }
  if (open_ended && out.matched.size() == 1 && out.near_misses.empty())
    out.matched.front().symbol = c.symbol;
  return out;
}

// Why an object a scan found is not counted.
std::string scanned_miss(const MatchedObject& m, std::string_view why) {
  return fmt::format(
      "the object at {:#x} is shaped like {} and holds \"{}\", but is not counted: {}", m.address,
      m.kind == EntryKind::file ? "a file handler" : "an FLB", m.compatible, why);
}

// A scan's objects (candidates without a name) are guesses of where objects
// start: a handler copied into a template, or a stale copy, is shaped like
// the registered one. Two that point to the same ops cannot both be what was
// registered, and a scan cannot tell which one is; neither is counted.
void drop_shared_ops(const MemoryImage& image, const LuoModel& model,
                     std::vector<MatchedObject>& matched, std::set<uint64_t>& matched_at,
                     std::vector<std::pair<uint64_t, std::string>>& near_misses) {
  const auto ops_of = [&](const MatchedObject& m) {
    const ObjectLayout& layout = m.kind == EntryKind::file ? model.handler : model.flb;
    const auto p = image.pointer_at(m.address + layout.ops_offset);
    return p && p->to == Pointer::To::address ? std::optional<uint64_t>(p->address) : std::nullopt;
  };
  std::map<std::pair<EntryKind, uint64_t>, size_t> sharing;
  for (const MatchedObject& m : matched)
    if (m.symbol.empty())
      if (const auto ops = ops_of(m)) ++sharing[{m.kind, *ops}];
  std::vector<MatchedObject> kept;
  for (MatchedObject& m : matched) {
    const auto ops = m.symbol.empty() ? ops_of(m) : std::nullopt;
    if (!ops || sharing[{m.kind, *ops}] < 2) {
      kept.push_back(std::move(m));
      continue;
    }
    matched_at.erase(m.address);
    near_misses.emplace_back(
        m.address, scanned_miss(m, fmt::format("{} objects found by the scan share its ops at "
                                               "{:#x}, and a scan cannot tell which one is "
                                               "registered",
                                               sharing[{m.kind, *ops}], *ops)));
  }
  matched = std::move(kept);
}

// A scan's object is counted only when something refers to it: a handler or
// FLB that is registered has its address passed to the registering call (or
// kept in a table of pointers), where a stale copy or dead data has none.
void drop_unreferenced(const MemoryImage& image, std::vector<MatchedObject>& matched,
                       std::set<uint64_t>& matched_at,
                       std::vector<std::pair<uint64_t, std::string>>& near_misses) {
  std::vector<uint64_t> scanned;
  for (const MatchedObject& m : matched)
    if (m.symbol.empty()) scanned.push_back(m.address);
  if (scanned.empty()) return;
  const std::set<uint64_t> seen = referenced(image, scanned);
  std::vector<MatchedObject> kept;
  for (MatchedObject& m : matched) {
    if (!m.symbol.empty() || seen.count(m.address) != 0) {
      kept.push_back(std::move(m));
      continue;
    }
    matched_at.erase(m.address);
    near_misses.emplace_back(
        m.address, scanned_miss(m, "nothing in the image refers to it, so nothing registers it"));
  }
  matched = std::move(kept);
}

}  // namespace

std::optional<std::string> compatible_in(Bytes field) {
  const auto nul = std::find(field.begin(), field.end(), std::byte{0});
  if (nul == field.begin() || nul == field.end()) return std::nullopt;
  if (!all_zero(field.subspan(static_cast<size_t>(nul - field.begin())))) return std::nullopt;
  std::string out;
  for (auto it = field.begin(); it != nul; ++it) {
    const auto ch = static_cast<unsigned char>(*it);
    if (ch < 0x21 || ch > 0x7e) return std::nullopt;  // no spaces: strcmp keys, not prose
    out += static_cast<char>(ch);
  }
  // An empty component or an '@' cannot be matched by any kernel's strcmp of
  // components: not a handler's compatible.
  if (compatible_problem(out)) return std::nullopt;
  return out;
}

std::optional<MatchedObject> match_object(const MemoryImage& image, const ObjectCandidate& c,
                                          const LuoModel& model, std::string* why_not) {
  const ObjectReading handler = read_as(image, c.address, c.size, c.room, model.handler);
  const ObjectReading flb = read_as(image, c.address, c.size, c.room, model.flb);
  if (handler.why.empty() && flb.why.empty()) {
    // Only a layout without exact sizes can let one object pass as both; we
    // do not guess which it is.
    if (why_not != nullptr) *why_not = "it is shaped both like a file handler and like an FLB";
    return std::nullopt;
  }
  if (!handler.why.empty() && !flb.why.empty()) {
    if (why_not != nullptr)
      *why_not = fmt::format("not a file handler ({}); not an FLB ({})", handler.why, flb.why);
    return std::nullopt;
  }
  const bool is_handler = handler.why.empty();
  return MatchedObject{is_handler ? EntryKind::file : EntryKind::flb,
                       is_handler ? *handler.text : *flb.text, input_offset(image, c.address),
                       c.symbol, c.address};
}

ObjectMatches match_objects(const MemoryImage& image,
                            const std::vector<ObjectCandidate>& candidates, const LuoModel& model) {
  ObjectMatches out;
  std::set<uint64_t> matched_at;
  std::vector<std::pair<uint64_t, std::string>> near_misses;
  for (const ObjectCandidate& c : candidates) {
    if (matched_at.count(c.address) != 0) continue;  // an alias of an object already found
    KindResult as_handler = read_candidate(image, c, model.handler, EntryKind::file);
    KindResult as_flb = read_candidate(image, c, model.flb, EntryKind::flb);
    if (!as_handler.matched.empty() && !as_flb.matched.empty()) {
      near_misses.emplace_back(
          c.address, fmt::format("{} is shaped both like file handlers and like FLBs", c.symbol));
      continue;
    }
    // The kind that matched explains the object: the other reading's
    // half-matches are that kind's own fields seen at the wrong stride.
    // With neither, one near miss says it: as the kind whose ops it points
    // to, else as a handler when it half matches one, else as an FLB.
    const bool flb_ops_only = as_flb.ops_valid_miss && !as_handler.ops_valid_miss;
    const bool flb = !as_flb.matched.empty() || (as_handler.matched.empty() &&
                                                 (as_handler.near_misses.empty() || flb_ops_only));
    KindResult& kept = flb ? as_flb : as_handler;
    for (MatchedObject& m : kept.matched) {
      matched_at.insert(m.address);
      out.matched.push_back(std::move(m));
    }
    for (std::string& n : kept.near_misses) near_misses.emplace_back(c.address, std::move(n));
  }
  // A stale copy nothing refers to is no rival of the registered object.
  drop_unreferenced(image, out.matched, matched_at, near_misses);
  drop_shared_ops(image, model, out.matched, matched_at, near_misses);
  // Handlers first, then FLBs, each in address order: stable across builds.
  std::stable_sort(out.matched.begin(), out.matched.end(), [](const auto& a, const auto& b) {
    if (a.kind != b.kind) return a.kind == EntryKind::file;
    return a.address < b.address;
  });
  // A near miss at an address that also matched under another name is none.
  for (auto& [address, what] : near_misses)
    if (matched_at.count(address) == 0) out.near_misses.push_back(std::move(what));
  return out;
}

}  // namespace lucompat
