#include "inspect/inspect_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>

namespace lucompat {

InspectPool::InspectPool(unsigned jobs, size_t capacity, Progress progress, uint64_t max_held)
    : capacity_(std::max<size_t>(capacity, 1)),
      max_held_(max_held),
      progress_(std::move(progress)) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < jobs; ++i) workers_.emplace_back([this] { work(); });
}

InspectPool::~InspectPool() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
}

void InspectPool::submit(Task task, uint64_t held) {
  std::unique_lock lock(mu_);
  while (queue_.size() >= capacity_) report(lock);
  results_.emplace_back(Error{});
  queue_.push_back({submitted_++, std::move(task), held});
  changed_.notify_all();
}

void InspectPool::reserve(uint64_t bytes) {
  std::unique_lock lock(mu_);
  while (held_ != 0 && (held_ > max_held_ || bytes > max_held_ - held_)) report(lock);
  held_ += bytes;
}

void InspectPool::release(uint64_t bytes) {
  {
    std::lock_guard lock(mu_);
    held_ -= bytes;
  }
  changed_.notify_all();
}

void InspectPool::work() {
  for (;;) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto [index, task, held] = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();  // room for the producer
    lock.unlock();
    Result<Inspection> r = Error{};
    try {
      r = task();
    } catch (const std::exception& e) {  // out of memory, not an input problem
      r = Error{ErrorKind::limit, {}, std::nullopt, e.what()};
    }
    task = nullptr;  // the input's bytes, before they are counted as given back
    lock.lock();
    results_[index] = std::move(r);  // results_ only grows under the lock
    held_ -= held;
    ++done_;
    changed_.notify_all();
  }
}

void InspectPool::expect(size_t total) {
  std::lock_guard lock(mu_);
  expected_ = total;
}

// Waits a little for progress and calls the progress callback on this (the
// producer's) thread, so the callback needs no locking of its own. Every
// finished task wakes the wait, so redraws are held to ten a second.
void InspectPool::report(std::unique_lock<std::mutex>& lock) {
  constexpr auto kRedraw = std::chrono::milliseconds(100);
  changed_.wait_for(lock, kRedraw);
  const auto now = std::chrono::steady_clock::now();
  if (!progress_ || now - last_progress_ < kRedraw) return;
  last_progress_ = now;
  const size_t done = done_, total = expected_;
  lock.unlock();
  progress_(done, total);
  lock.lock();
}

size_t InspectPool::done() const {
  std::lock_guard lock(mu_);
  return done_;
}

std::vector<Result<Inspection>> InspectPool::finish() {
  std::unique_lock lock(mu_);
  while (done_ < submitted_) report(lock);
  closing_ = true;
  changed_.notify_all();
  lock.unlock();
  for (auto& w : workers_) w.join();
  if (progress_ && submitted_ > 0) progress_(submitted_, submitted_);
  return std::move(results_);
}

InspectPool::Task stop_on_limit(std::atomic<bool>& stop, InspectPool::Task task) {
  return [&stop, task = std::move(task)]() -> Result<Inspection> {
    if (stop.load(std::memory_order_relaxed))
      return Error{ErrorKind::limit, {}, std::nullopt, "not read: another member is over a limit"};
    Result<Inspection> r = task();
    if (!r && r.error().kind == ErrorKind::limit) stop.store(true, std::memory_order_relaxed);
    return r;
  };
}

std::optional<Error> over_limit(const OutputBudget& budget,
                                const std::vector<Result<Inspection>>& results,
                                const std::string& input, std::string_view members) {
  if (budget.exhausted())
    return Error{ErrorKind::limit, input, std::nullopt,
                 fmt::format("{} decompress to more than the {}-byte limit (--max-output), all "
                             "together",
                             members, budget.limit())};
  for (const auto& r : results)
    if (!r && r.error().kind == ErrorKind::limit) return r.error();
  return std::nullopt;
}

}  // namespace lucompat
