// Values passed from one producer thread to one consumer, at most `capacity`
// waiting: the producer blocks rather than run ahead, so memory holds a fixed
// number of values however long the input.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>

namespace lucompat {

template <typename T>
class HandoffQueue {
 public:
  explicit HandoffQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  HandoffQueue(const HandoffQueue&) = delete;
  HandoffQueue& operator=(const HandoffQueue&) = delete;

  // Blocks while the queue is full. False, and `value` dropped, once `stop`
  // is requested: the consumer wants nothing more.
  bool push(T value, std::stop_token stop) {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.wait(lock, stop, [&] { return queue_.size() < capacity_; });
    --waiting_;
    if (stop.stop_requested()) return false;
    queue_.push_back(std::move(value));
    changed_.notify_all();
    return true;
  }

  // Producers blocked in push() now: how a full queue shows that it holds
  // its producer back (and how its tests see it without sleeping).
  size_t waiting() const {
    const std::lock_guard lock(mu_);
    return waiting_;
  }

  // Producer: nothing more will come.
  void close() {
    const std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

  // The next value; nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return closed_ || !queue_.empty(); });
    if (queue_.empty()) return std::nullopt;
    std::optional<T> out(std::move(queue_.front()));
    queue_.pop_front();
    changed_.notify_all();
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable_any changed_;
  std::deque<T> queue_;
  size_t capacity_;
  bool closed_ = false;
  size_t waiting_ = 0;
};

}  // namespace lucompat
