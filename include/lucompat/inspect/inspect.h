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
  // The strings this input declares: its RFC table (`.liveupdate_versions`),
  // else the table derived from what it registers (method `registrations`).
  // Absent: neither.
  std::optional<LocatedTable> table;
  // Set only when the input has both an RFC table (in `table`) and
  // registrations: the two must agree (see registration_disagreements).
  std::optional<LocatedTable> registrations;
  // Registrations were searched for (the input had symbols to find them by):
  // without a table, "no LUO" is then a finding, not a gap.
  bool registrations_searched = false;
  // The registration layout from this kernel's own BTF, for its modules.
  std::optional<RegistrationLayout> layout;

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
  // The layout of the kernel whose modules these are (its BTF), when known.
  std::optional<RegistrationLayout> base_layout;
};

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

// True when every string of the input's table rests only on a byte scan
// (Evidence::scan): a verdict on it needs --trust-scan.
bool rests_on_scan_only(const Inspection& in);

// Errors carry `input` as their input name.
Result<Inspection> inspect_bytes(const std::string& input, Bytes data,
                                 const InspectOptions& options = {});
Result<Inspection> inspect_file(const std::string& path, const InspectOptions& options = {});

}  // namespace lucompat
