#include "fleet/handoff_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace lucompat {
namespace {

TEST(HandoffQueue, KeepsOrderAndEndsWhenClosedAndEmpty) {
  HandoffQueue<int> q(2);
  std::jthread producer([&](const std::stop_token& stop) {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.push(i, stop));
    q.close();
  });
  std::vector<int> got;
  while (auto v = q.pop()) got.push_back(*v);
  ASSERT_EQ(got.size(), 100U);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], i);
}

// The bound is what keeps an ingest's memory flat: the producer waits.
TEST(HandoffQueue, ProducerWaitsWhileFull) {
  HandoffQueue<int> q(1);
  std::atomic<int> pushed = 0;
  std::jthread producer([&](const std::stop_token& stop) {
    for (int i = 0; i < 3; ++i)
      if (q.push(i, stop)) ++pushed;
    q.close();
  });
  // The second push cannot land until something is taken: the producer
  // waits in it.
  while (q.waiting() == 0) std::this_thread::yield();
  EXPECT_EQ(pushed.load(), 1);
  EXPECT_EQ(q.pop(), 0);
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), std::nullopt);
  EXPECT_EQ(pushed.load(), 3);
}

// A consumer that fails stops the producer: without this, the producer would
// wait on a full queue forever and joining it would hang.
TEST(HandoffQueue, StopReleasesABlockedProducer) {
  HandoffQueue<int> q(1);
  std::atomic<bool> refused = false;
  {
    std::jthread producer([&](const std::stop_token& stop) {
      ASSERT_TRUE(q.push(1, stop));
      refused = !q.push(2, stop);
    });
    while (q.waiting() == 0) std::this_thread::yield();
  }  // the destructor requests the stop and joins
  EXPECT_TRUE(refused.load());
}

TEST(HandoffQueue, CloseWithNothingQueuedEndsAtOnce) {
  HandoffQueue<int> q(4);
  q.close();
  EXPECT_EQ(q.pop(), std::nullopt);
}

}  // namespace
}  // namespace lucompat
