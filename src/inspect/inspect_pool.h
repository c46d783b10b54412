// Inspections run on worker threads, fed by one producer (a directory walk,
// an archive read in order) through a bounded queue, so memory holds at most
// `capacity` inputs waiting however many there are, and (for a package,
// whose members are read into memory) at most `max_held` bytes of them.
// Results keep submission order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lucompat/inspect/inspect.h"
#include "lucompat/inspect/module_tree.h"

namespace lucompat {

class InspectPool {
 public:
  using Task = std::function<Result<Inspection>()>;

  InspectPool(unsigned jobs, size_t capacity, Progress progress, uint64_t max_held = UINT64_MAX);
  ~InspectPool();
  InspectPool(const InspectPool&) = delete;
  InspectPool& operator=(const InspectPool&) = delete;

  // Blocks while the queue is full. `held` bytes, reserved before, are given
  // back when the task has run.
  void submit(Task task, uint64_t held = 0);
  // Blocks until `bytes` more fit within max_held, or nothing is held (one
  // input larger than max_held alone is its reader's to refuse), then counts them.
  void reserve(uint64_t bytes);
  void release(uint64_t bytes);
  // How many tasks will be submitted, when the producer knows it up front (a
  // listed tree): progress then counts towards it, not towards what has been
  // submitted so far. Unknown (a package read in order): 0.
  void expect(size_t total);
  // How many tasks have run so far.
  size_t done() const;
  // Waits for every task; results in submission order.
  std::vector<Result<Inspection>> finish();

 private:
  void work();
  void report(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  std::condition_variable changed_;
  struct Queued {
    size_t index;
    Task task;
    uint64_t held;
  };
  std::deque<Queued> queue_;
  std::vector<Result<Inspection>> results_;
  size_t capacity_;
  uint64_t max_held_;
  uint64_t held_ = 0;
  size_t submitted_ = 0;
  size_t done_ = 0;
  size_t expected_ = 0;
  std::chrono::steady_clock::time_point last_progress_{};
  bool closing_ = false;
  Progress progress_;
  std::vector<std::thread> workers_;
};

// A member over a resource limit ends its tree or package: one error line
// says so, rather than one per member, and the rest is not read (a tree of
// thousands of bombs would otherwise cost each one's limit in turn). Wraps a
// task: skipped once `stop` is set, setting it on a limit error.
InspectPool::Task stop_on_limit(std::atomic<bool>& stop, InspectPool::Task task);

// The one error of a tree or package whose members went over a limit: its
// --max-output budget, spent (members failed wherever their threads were when
// it ran out), else the first member, in submission order, over a limit of
// its own (tasks start in that order, so never one skipped after it).
std::optional<Error> over_limit(const OutputBudget& budget,
                                const std::vector<Result<Inspection>>& results,
                                const std::string& input, std::string_view members);

}  // namespace lucompat
