// Inspections run on worker threads, fed by one producer (a directory walk,
// an archive read in order) through a bounded queue, so memory holds at most
// `capacity` inputs waiting however many there are. Results keep submission
// order.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "lucompat/inspect/inspect.h"
#include "lucompat/inspect/module_tree.h"

namespace lucompat {

class InspectPool {
 public:
  using Task = std::function<Result<Inspection>()>;

  InspectPool(unsigned jobs, size_t capacity, Progress progress);
  ~InspectPool();
  InspectPool(const InspectPool&) = delete;
  InspectPool& operator=(const InspectPool&) = delete;

  // Blocks while the queue is full.
  void submit(Task task);
  // Waits for every task; results in submission order.
  std::vector<Result<Inspection>> finish();

 private:
  void work();
  void report(std::unique_lock<std::mutex>& lock);

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::pair<size_t, Task>> queue_;
  std::vector<Result<Inspection>> results_;
  size_t capacity_;
  size_t submitted_ = 0;
  size_t done_ = 0;
  bool closing_ = false;
  Progress progress_;
  std::vector<std::thread> workers_;
};

}  // namespace lucompat
