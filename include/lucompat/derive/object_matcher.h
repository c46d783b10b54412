// Deciding whether data objects are LUO file handlers or FLBs, from the type
// evidence alone: their size, their inline compatible string, and the ops
// object their first pointer refers to. Names are never consulted. Strict: an
// object that half-matches is not a registration, and is reported as a near
// miss so that no verdict rests on a set that may lack it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/derive/luo_model.h"
#include "lucompat/derive/memory_image.h"
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
  std::string symbol;   // "memfd_luo_handler", or "test_flbs[1]" for an array's element
  uint64_t address = 0;
};

struct ObjectMatches {
  std::vector<MatchedObject> matched;  // handlers first, then FLBs, each in address order
  std::vector<std::string> near_misses;
};

// Every registration among `candidates`, an array of them element by element
// (`test_flbs[3]` is one symbol), and the near misses: objects sized like a
// handler or FLB (or with room for one) whose compatible or ops are valid,
// but not both. A candidate that aliases an object already matched counts once.
ObjectMatches match_objects(const MemoryImage& image,
                            const std::vector<ObjectCandidate>& candidates, const LuoModel& model);

// The registration one object is, or nullopt with `why_not` saying why not.
std::optional<MatchedObject> match_object(const MemoryImage& image,
                                          const ObjectCandidate& candidate, const LuoModel& model,
                                          std::string* why_not = nullptr);

// A compatible field: a non-empty printable ASCII string, NUL-terminated and
// zero-padded to the field's end, as a C initializer leaves it.
std::optional<std::string> compatible_in(Bytes field);

}  // namespace lucompat
