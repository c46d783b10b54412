// The running kernel's derived version set: what it has registered now,
// built-in and in loaded modules, walked through its memory; the core strings
// in its read-only data; and what its outgoing sessions preserve now. The
// same model choice and the same set as the image readers', with lists to
// walk instead of objects to match.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lucompat/base/result.h"
#include "lucompat/derive/core_strings.h"
#include "lucompat/derive/derivation.h"
#include "lucompat/derive/derived_set.h"
#include "lucompat/derive/registration_list.h"

namespace lucompat {

// Where the running kernel keeps its lists, as the catalog names them: each
// a symbol that is the list head, or SYMBOL.MEMBER: a member of the struct
// the symbol is (the kernel names such globals after their struct:
// `static struct luo_flb_global luo_flb_global`), placed by the model. Tried
// in order; the first the kernel has is walked.
struct ListNames {
  std::vector<std::string> file;
  std::vector<std::string> flb;
  std::vector<std::string> sessions;  // the outgoing sessions' list
};

struct LiveEvidence {
  const KernelMemory* memory = nullptr;
  SymbolLookup symbols;  // the kernel's own (not its modules') symbols
  std::string release;
  std::optional<Bytes> btf;  // /sys/kernel/btf/vmlinux
  std::string btf_name;      // its path, for errors
  ListNames lists;
  size_t max_nodes = 4096;  // per list: a walk of a corrupt list ends here
  // The read-only data, for the core strings (null: none read).
  const MemoryImage* rodata = nullptr;
  // The module whose `struct module` is at an address; the symbol an
  // address lies in, and where that symbol starts (an empty name: none).
  std::function<std::string(uint64_t)> owner_name;
  std::function<std::pair<std::string, uint64_t>(uint64_t)> symbol_at;
};

// A list walked wrong (corrupt, changing) is an error: what was read is not
// the kernel's. A list the model cannot place is a gap.
Result<DerivedSet> derive_running(const LiveEvidence& evidence,
                                  std::span<const CompatibleForm> core_forms);

}  // namespace lucompat
