// The running kernel's log, as /dev/kmsg hands it out: what the boot said
// about the live update that brought it up (host/live_update_outcome.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lucompat/host/system_root.h"

namespace lucompat {

struct KernelLog {
  std::vector<std::string> messages;  // each record's text, without its prefix
  // The log still starts with the boot's first record (sequence 0) and no
  // record was overwritten while it was read: a message that is absent was
  // never logged.
  bool complete = false;
};

// Records in /dev/kmsg's format ("6,339,5140900,-;text\n", continuation
// lines " KEY=VALUE" dropped), as read from it or from a saved copy.
KernelLog parse_kmsg(std::string_view records);

// /dev/kmsg under `root`, read without blocking up to `max_bytes`.
Result<KernelLog> read_kernel_log(const SystemRoot& root, size_t max_bytes = size_t{16} << 20);

}  // namespace lucompat
