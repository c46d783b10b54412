// `lucompat inspect --running`: the file handlers, FLBs and core strings the
// running kernel has registered now, built-in and in loaded modules, read
// from its memory (/proc/kcore) at the addresses /proc/kallsyms gives, with
// the struct layout of /sys/kernel/btf/vmlinux. A handler whose module is
// not loaded is not there; one a module registered at load is.
#pragma once

#include <string>

#include "lucompat/catalog/catalog.h"
#include "lucompat/derive/live_derivation.h"
#include "lucompat/host/proc_kallsyms.h"
#include "lucompat/host/system_root.h"
#include "lucompat/inspect/inspect.h"

namespace lucompat {

struct LiveQuery {
  SystemRoot root;
  // The list heads' names and the core string forms: the catalog's data.
  RegistrationLists lists;
  std::vector<CompatibleForm> core_forms;
  size_t max_nodes = 4096;  // per list: a walk of a corrupt list ends here
};

LiveQuery live_query_from(const Catalog& catalog, SystemRoot root);

// What derive_running reads of a kernel: its memory, its /proc/kallsyms
// (both must outlive the evidence) and the query's lists; its BTF and
// read-only data are the caller's to add.
LiveEvidence live_evidence(const KernelMemory& memory, const ProcKallsyms& kallsyms,
                           const LiveQuery& query, std::string release);

// The running kernel as an Inspection whose table has method `running`.
// Errors of kind io or unsupported mean the query cannot be made here (not
// root, no /proc/kcore, addresses hidden, no BTF...): the message says which,
// and a caller may fall back to the kernel's image. Others (malformed,
// limit) mean what was read is wrong: never fall back from those.
Result<Inspection> inspect_running(const LiveQuery& query);

}  // namespace lucompat
