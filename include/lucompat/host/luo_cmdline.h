// Whether a kernel command line lets the Live Update Orchestrator run:
// `liveupdate=` turns it on (off by default, kernel/liveupdate/luo_core.c),
// and `kho=` off turns it off with KHO (kexec_handover.c; its default is the
// build's CONFIG_KEXEC_HANDOVER_ENABLE_DEFAULT, so only an explicit off is
// known to disable it). Each is an early_param read with kstrtobool, the
// last occurrence winning.
#pragma once

#include <string>
#include <string_view>

namespace lucompat {

struct LuoCmdline {
  bool enabled = false;
  std::string why_not;  // "has no liveupdate=on", "has kho=off"; empty when enabled
};

LuoCmdline luo_in_cmdline(std::string_view cmdline);

}  // namespace lucompat
