// The inspect pipeline: an input's bytes in, its identity and version table out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lucompat/base/file.h"
#include "lucompat/base/result.h"
#include "lucompat/elf/elf_reader.h"

namespace lucompat {

enum class InputKind { kernel, module, object };
std::string_view name(InputKind k);

struct Inspection {
  std::string input;   // the path or name as the user gave it
  std::string format;  // "ELF64 MSB s390 executable"
  InputKind kind = InputKind::object;
  ElfInfo elf;
  KernelIdentity identity;
  std::optional<LocatedTable> table;  // absent: no table in this input
};

struct InspectOptions {
  uint64_t max_file_size = kDefaultMaxFileSize;
};

// Errors carry `input` as their input name.
Result<Inspection> inspect_bytes(const std::string& input, Bytes data);
Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options = {});

}  // namespace lucompat
