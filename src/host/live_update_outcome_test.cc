#include "lucompat/host/live_update_outcome.h"

#include <gtest/gtest.h>

namespace lucompat {
namespace {

KernelLog log_of(std::vector<std::string> lines, bool complete = true) {
  return KernelLog{std::move(lines), complete};
}

// The kernel's words in the boots of e2e.systemd and of corpus/real/TRUTH.tsv.
TEST(LiveUpdateOutcome, AHandoverThatWasRetrieved) {
  const LiveUpdateOutcome o = live_update_outcome(log_of({
      "Linux version 7.3.4",
      "KHO: found kexec handover data.",
      "KHO: scratch areas: lowmem: 16MiB global: 256MiB pernode: 64MiB",
      "luo: Retrieved live update data, liveupdate number: 1",
      "KHO: exec from: 7.3.4 (count 1)",
  }));
  EXPECT_EQ(o.result, LiveUpdateResult::handed_over);
  EXPECT_EQ(o.previous_release, "7.3.4");
  EXPECT_EQ(o.kexec_count, 1U);
  EXPECT_EQ(o.evidence.size(), 3U);
  EXPECT_EQ(result_name(o.result), "handed_over");
}

TEST(LiveUpdateOutcome, AMissingHandlerLosesEverySession) {
  const LiveUpdateOutcome o = live_update_outcome(log_of({
      "KHO: found kexec handover data.",
      "luo: Retrieved live update data, liveupdate number: 1",
      "luo: No registered handler for compatible 'memfd-v2'",
      "luo: Failed to deserialize files for session [systemd] -2",
  }));
  EXPECT_EQ(o.result, LiveUpdateResult::sessions_lost);
  EXPECT_EQ(o.evidence.back(), "luo: Failed to deserialize files for session [systemd] -2");
}

TEST(LiveUpdateOutcome, AnIncompatibleKhoTreeIsIgnoredWhole) {
  const LiveUpdateOutcome o = live_update_outcome(log_of({
      "KHO: setup: handover FDT (0x1000) is incompatible with 'kho-v5'",
      "KHO: disabling KHO revival",
  }));
  EXPECT_EQ(o.result, LiveUpdateResult::handover_ignored);
}

TEST(LiveUpdateOutcome, AKexecWithoutLuoStateRetrievedNothing) {
  const LiveUpdateOutcome o = live_update_outcome(log_of({"KHO: exec from: 7.2.13 (count 3)"}));
  EXPECT_EQ(o.result, LiveUpdateResult::nothing_retrieved);
  EXPECT_EQ(o.previous_release, "7.2.13");
  EXPECT_EQ(o.kexec_count, 3U);
}

TEST(LiveUpdateOutcome, SilenceIsAColdBootOnlyInAWholeLog) {
  EXPECT_EQ(live_update_outcome(log_of({"Linux version 7.3.4"})).result,
            LiveUpdateResult::cold_boot);
  EXPECT_EQ(live_update_outcome(log_of({"Linux version 7.3.4"}, false)).result,
            LiveUpdateResult::unknown);
}

}  // namespace
}  // namespace lucompat
