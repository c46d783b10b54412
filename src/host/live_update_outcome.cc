#include "lucompat/host/live_update_outcome.h"

#include <charconv>

namespace lucompat {
namespace {

bool has(std::string_view line, std::string_view what) {
  return line.find(what) != std::string_view::npos;
}

// "KHO: exec from: 7.3.4 (count 1)": the kexec metadata the previous kernel
// left (kernel/liveupdate/kexec_handover.c).
void read_exec_from(std::string_view line, LiveUpdateOutcome& out) {
  constexpr std::string_view kFrom = "exec from: ";
  std::string_view rest = line.substr(line.find(kFrom) + kFrom.size());
  const size_t count_at = rest.rfind(" (count ");
  if (count_at == std::string_view::npos) {
    out.previous_release = std::string(rest);
    return;
  }
  out.previous_release = std::string(rest.substr(0, count_at));
  rest.remove_prefix(count_at + std::string_view(" (count ").size());
  uint64_t count = 0;
  if (std::from_chars(rest.data(), rest.data() + rest.size(), count).ec == std::errc())
    out.kexec_count = count;
}

}  // namespace

std::string_view result_name(LiveUpdateResult r) {
  switch (r) {
    case LiveUpdateResult::cold_boot:
      return "cold_boot";
    case LiveUpdateResult::handed_over:
      return "handed_over";
    case LiveUpdateResult::nothing_retrieved:
      return "nothing_retrieved";
    case LiveUpdateResult::sessions_lost:
      return "sessions_lost";
    case LiveUpdateResult::handover_ignored:
      return "handover_ignored";
    case LiveUpdateResult::unknown:
      break;
  }
  return "unknown";
}

std::optional<LiveUpdateResult> result_from_name(std::string_view name) {
  for (const LiveUpdateResult r : kLiveUpdateResults)
    if (result_name(r) == name) return r;
  return std::nullopt;
}

LiveUpdateOutcome live_update_outcome(const KernelLog& log) {
  LiveUpdateOutcome out;
  bool handover = false, retrieved = false, lost = false, ignored = false;
  for (const std::string& line : log.messages) {
    bool evidence = true;
    if (has(line, "KHO: exec from: ")) {
      read_exec_from(line, out);
      handover = true;
    } else if (has(line, "KHO: found kexec handover data")) {
      handover = true;
    } else if (has(line, "luo: Retrieved live update data")) {
      retrieved = true;
    } else if (has(line, "No registered handler for compatible") ||
               has(line, "Failed to deserialize files for session") ||
               has(line, "LUO state is incompatible")) {
      lost = true;
    } else if (has(line, "disabling KHO revival") ||
               (has(line, "KHO: ") && has(line, "is incompatible"))) {
      ignored = true;
    } else {
      evidence = false;
    }
    if (evidence) out.evidence.push_back(line);
  }
  if (ignored)
    out.result = LiveUpdateResult::handover_ignored;
  else if (lost)
    out.result = LiveUpdateResult::sessions_lost;
  else if (retrieved)
    out.result = LiveUpdateResult::handed_over;
  else if (handover)
    out.result = LiveUpdateResult::nothing_retrieved;
  else
    out.result = log.complete ? LiveUpdateResult::cold_boot : LiveUpdateResult::unknown;
  return out;
}

}  // namespace lucompat
