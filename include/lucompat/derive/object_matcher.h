// Deciding whether one data object is a LUO file handler or FLB, from the
// type evidence alone: its size, its inline compatible string, and the ops
// object its first pointer refers to. Names are never consulted. Strict: an
// object that half-matches is not a registration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lucompat/derive/memory_image.h"
#include "lucompat/derive/registration_layout.h"
#include "lucompat/table/version_table.h"

namespace lucompat {

struct ObjectCandidate {
  std::string symbol;
  uint64_t address = 0;
  std::optional<uint64_t> size;  // absent when the symbols carry no sizes (kallsyms)
  // Without sizes, the bytes up to the next symbol: an object is no larger.
  std::optional<uint64_t> room;
};

struct MatchedObject {
  EntryKind kind = EntryKind::file;  // file or flb
  std::string compatible;
  uint64_t offset = 0;  // input offset of the object
};

// The registration this candidate is, or nullopt with `why_not` saying why
// not (for -v and tests). Never throws.
std::optional<MatchedObject> match_object(const MemoryImage& image,
                                          const ObjectCandidate& candidate,
                                          const RegistrationLayout& layout,
                                          std::string* why_not = nullptr);

// The candidate has a handler's or an FLB's exact size and a valid inline
// compatible: if match_object refuses it, it is a near miss a human should
// see (a handler whose ops we could not vouch for would go uncounted).
std::optional<std::string> near_miss_compatible(const MemoryImage& image,
                                                const ObjectCandidate& candidate,
                                                const RegistrationLayout& layout);

// A compatible field: a non-empty printable ASCII string, NUL-terminated and
// zero-padded to the field's end, as a C initializer leaves it.
std::optional<std::string> compatible_in(Bytes field);

}  // namespace lucompat
