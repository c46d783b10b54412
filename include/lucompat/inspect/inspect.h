// The inspect pipeline: an input's bytes in; the containers around the
// kernel, its identity and its version table out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lucompat/base/file.h"
#include "lucompat/base/result.h"
#include "lucompat/container/layer.h"
#include "lucompat/container/unwrap.h"
#include "lucompat/elf/elf_reader.h"
#include "lucompat/table/table_format.h"

namespace lucompat {

enum class InputKind { kernel, module, object };
std::string_view name(InputKind k);

struct Inspection {
  std::string input;  // the path or name as the user gave it
  uint64_t input_size = 0;
  std::vector<Layer> chain;  // containers, outermost first; empty for a bare ELF
  std::string format;        // the innermost data: "ELF64 MSB s390 executable", "raw binary image"
  InputKind kind = InputKind::object;
  std::optional<ElfInfo> elf;  // absent for a raw image
  std::string arch;            // "x86_64", "arm64": for matching two kernels; empty if unknown
  std::optional<ByteOrder> byte_order;
  KernelIdentity identity;
  // The RFC table this input carries (`.liveupdate_versions`); absent: none.
  std::optional<LocatedTable> table;
  // The set derived from what the input registers, when it could be searched
  // (a symbol table, kallsyms, a scan, or the running kernel's memory).
  std::optional<DerivedSet> derived;
  // The LUO model from this kernel's own BTF, for its modules.
  std::optional<LuoModel> model;

  // "x86 bzImage ▸ xz ▸ ELF64 LSB x86-64 executable"
  std::string describe_chain() const;
  // The codec of the innermost compressed layer, or empty.
  std::string compression() const;
};

inline constexpr uint64_t kDefaultMaxMembers = 100000;

struct InspectOptions {
  uint64_t max_file_size = kDefaultMaxFileSize;
  // At most kMaxTableEntries, the decoders' own ceiling (the stream capture
  // keeps exactly that much after each table magic).
  uint64_t max_entries = kMaxTableEntries;
  uint64_t max_members = kDefaultMaxMembers;  // kernel images and modules read from one package
  UnwrapOptions unwrap;
  // unwrap.max_output was chosen, not left at its default: a package's
  // budget is then exactly it, else the larger of it and kPackageOutputRatio
  // times the package's size.
  bool max_output_given = false;
  // The model of the kernel whose modules these are (its BTF), when known.
  std::optional<LuoModel> base_model;
  // The core ABI string forms to look for: the site's catalog's core
  // families; empty: the built-in catalog's.
  std::vector<CompatibleForm> core_forms;
};

// The strings a verdict on this input rests on: its RFC table's entries, or
// else those derived from its registrations; empty when it has neither.
const std::vector<TableEntry>& declared_entries(const Inspection& in);

// Whether the input has strings to judge, or a derivation that found
// something it could not read: an RFC table, or a derived set that is not
// empty and complete.
bool has_version_set(const Inspection& in);

// Whether the input's strings are known whole: an RFC table, or a complete
// derived set of a kernel (or module) that has LUO. inspect exits 0 only
// then: no LUO, a near miss or an unread list is not a "fine" (exit 4).
bool answers_fully(const Inspection& in);

// Whether LUO is in this input: present with an RFC table; else what the
// derivation concluded; unknown when nothing could be searched.
LuoPresence luo_presence(const Inspection& in);

// What an RFC table and the registrations of one input disagree on, as
// sentences; empty when they agree (or the input lacks either). The RFC
// table lists file handlers and the core luo string, not FLBs nor the
// session and KHO strings, so only file handlers must appear in both, and
// every RFC entry must be registered. Registrations without any file
// handler (handlers of another shape) are not compared.
std::vector<std::string> registration_disagreements(const Inspection& in);

// What an input's strings rest on, for a report header: "version table
// (section)", "registrations (symtab + BTF)", or "none".
std::string evidence_of(const Inspection& in);

// True when every derived string of an input without an RFC table rests only
// on a byte scan (Evidence::scan): a verdict on it needs --trust-scan.
bool rests_on_scan_only(const Inspection& in);

// Errors carry `input` as their input name.
Result<Inspection> inspect_bytes(const std::string& input, Bytes data,
                                 const InspectOptions& options = {});
Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options = {});

}  // namespace lucompat
