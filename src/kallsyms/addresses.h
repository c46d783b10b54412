// The symbols' addresses: kallsyms_addresses (one pointer each), or
// kallsyms_offsets (s32 each) against kallsyms_relative_base. scripts/kallsyms.c
// sorts the table by address, so the decoded addresses never decrease: that
// is the check which tells the layouts apart and rejects wrong candidates.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lucompat/base/byte_reader.h"
#include "lucompat/kallsyms/kallsyms.h"

namespace lucompat {

// Pure: the addresses `offsets` stand for in `mode` (relative or
// absolute_percpu), truncated to the pointer size; nullopt when they
// decrease somewhere, or when absolute_percpu finds no negative offset (the
// kernel's own text is never absolute, so that mode always has some).
std::optional<std::vector<uint64_t>> relative_addresses(const std::vector<int32_t>& offsets,
                                                        uint64_t base, KallsymsAddressing mode,
                                                        int pointer_size);

// Which of relative and absolute_percpu holds; throws ParseError (at
// `offset`) when neither does, or when both do with different results.
KallsymsAddressing choose_relative_mode(const std::vector<int32_t>& offsets, uint64_t base,
                                        int pointer_size, uint64_t offset);

std::vector<int32_t> read_offsets(const ByteReader& image, uint64_t at, uint64_t count);
// One pointer per symbol; throws ParseError when they decrease.
std::vector<uint64_t> read_absolute(const ByteReader& image, uint64_t at, uint64_t count,
                                    int pointer_size);
uint64_t read_pointer(const ByteReader& image, uint64_t at, int pointer_size,
                      std::string_view field);

}  // namespace lucompat
