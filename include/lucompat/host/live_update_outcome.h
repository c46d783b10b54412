// What the live update that brought this kernel up actually did, from the
// kernel's own words in its log (Linux 7.3: kernel/liveupdate/). The
// prediction is lucompat check's; this is the outcome to set beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lucompat/host/kernel_log.h"

namespace lucompat {

enum class LiveUpdateResult {
  cold_boot,          // no KHO handover came with this boot
  handed_over,        // LUO's state was retrieved and no session failed so far
  nothing_retrieved,  // a kexec with KHO, but no LUO state (LUO off here, or none sent)
  sessions_lost,      // a session could not be restored: /dev/liveupdate refuses every open
  handover_ignored,   // KHO's handover was refused whole: every session lost
  unknown,            // the log no longer holds the boot
};
inline constexpr LiveUpdateResult kLiveUpdateResults[] = {
    LiveUpdateResult::cold_boot,         LiveUpdateResult::handed_over,
    LiveUpdateResult::nothing_retrieved, LiveUpdateResult::sessions_lost,
    LiveUpdateResult::handover_ignored,  LiveUpdateResult::unknown};
std::string_view result_name(LiveUpdateResult r);  // "handed_over", JSON's spelling
std::optional<LiveUpdateResult> result_from_name(std::string_view name);

struct LiveUpdateOutcome {
  LiveUpdateResult result = LiveUpdateResult::unknown;
  std::optional<std::string> previous_release;  // "KHO: exec from: 7.3.4 (count 1)"
  std::optional<uint64_t> kexec_count;
  std::vector<std::string> evidence;  // the log lines that decided it, in order
};

LiveUpdateOutcome live_update_outcome(const KernelLog& log);

}  // namespace lucompat
