#include "lucompat/derive/object_matcher.h"

#include "lucompat/table/compatible.h"

#include <fmt/format.h>

#include <algorithm>

namespace lucompat {
namespace {

bool all_zero(Bytes b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

// Why a candidate is not of one kind; empty when it is.
using Verdict = std::string;

// The ops object: read-only data, one whole object when sizes are known,
// function pointers into text (or to functions elsewhere, from a module),
// at least one of them set, and an owner that is not code.
Verdict check_ops(const MemoryImage& image, const Pointer& ops, const OpsLayout& layout) {
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
    const auto it = image.object_rooms->find(ops.address);
    if (it == image.object_rooms->end() || it->second < layout.size)
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

Verdict check_kind(const MemoryImage& image, const ObjectCandidate& c, const ObjectLayout& layout,
                   std::string& compatible) {
  if (c.size ? (layout.exact ? *c.size != layout.size : *c.size < layout.size) : !layout.exact)
    return c.size ? fmt::format("its size {} is not {}{}", *c.size, layout.exact ? "" : "at least ",
                                layout.size)
                  : "its size is unknown and the layout gives no exact one";
  if (c.room && layout.size > *c.room)
    return fmt::format("it is followed by another symbol within {} bytes, so it is smaller than {}",
                       *c.room, layout.size);
  const MemoryRegion* r = image.region_of(c.address, layout.size);
  if (r == nullptr) return "its bytes are not in the image";
  if (r->kind != RegionKind::data) return "it is not in writable data";
  const Bytes object = r->bytes.subspan(c.address - r->address, layout.size);
  auto s = compatible_in(object.subspan(layout.compatible_offset, layout.compatible_size));
  if (!s) return "its compatible field is not a NUL-terminated printable string";
  if (layout.zero_from != 0 && !all_zero(object.subspan(layout.zero_from)))
    return "its private list heads are not zero";
  const auto ops = image.pointer_at(c.address + layout.ops_offset);
  if (!ops) return "its first member is not a pointer";
  if (Verdict v = check_ops(image, *ops, layout.ops); !v.empty()) return v;
  compatible = std::move(*s);
  return {};
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

std::optional<std::string> near_miss_compatible(const MemoryImage& image, const ObjectCandidate& c,
                                                const RegistrationLayout& layout) {
  if (!c.size) return std::nullopt;
  for (const ObjectLayout* l : {&layout.handler, &layout.flb}) {
    if (!l->exact || *c.size != l->size) continue;
    const auto field = image.read(c.address + l->compatible_offset, l->compatible_size);
    if (!field) continue;
    if (auto s = compatible_in(*field)) return s;
  }
  return std::nullopt;
}

std::optional<MatchedObject> match_object(const MemoryImage& image, const ObjectCandidate& c,
                                          const RegistrationLayout& layout, std::string* why_not) {
  std::string handler, flb;
  const Verdict as_handler = check_kind(image, c, layout.handler, handler);
  const Verdict as_flb = check_kind(image, c, layout.flb, flb);
  if (as_handler.empty() && as_flb.empty()) {
    // Only a layout without exact sizes can let one object pass as both; we
    // do not guess which it is.
    if (why_not != nullptr) *why_not = "it is shaped both like a file handler and like an FLB";
    return std::nullopt;
  }
  if (!as_handler.empty() && !as_flb.empty()) {
    if (why_not != nullptr)
      *why_not = fmt::format("not a file handler ({}); not an FLB ({})", as_handler, as_flb);
    return std::nullopt;
  }
  const MemoryRegion* r = image.region_of(c.address, 1);
  const uint64_t offset = r->offset + (c.address - r->address);
  if (as_handler.empty()) return MatchedObject{EntryKind::file, std::move(handler), offset};
  return MatchedObject{EntryKind::flb, std::move(flb), offset};
}

}  // namespace lucompat
