#pragma once
/// Independent replications on a pool of threads. Replication i's result lands
/// in slot i whatever thread ran it, and each replication seeds its random
/// streams from (master seed, i) only, so results are bit-identical for any
/// thread count or scheduling order. The same per-index function can later be
/// spread over MPI ranks unchanged.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace sim {

/// Called after each finished replication with (finished, total), serialised.
using ReplicationProgress = std::function<void(std::size_t, std::size_t)>;

/// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = hardware
/// concurrency) and returns the results in index order. If any replication
/// throws, the exception of the lowest failing index is rethrown after all
/// threads stop.
template <class Fn>
auto run_replications(std::size_t n, unsigned threads, Fn&& fn, const ReplicationProgress& progress = {})
    -> std::vector<std::invoke_result_t<Fn&, std::size_t>> {
  using R = std::invoke_result_t<Fn&, std::size_t>;
  std::vector<std::optional<R>> slots(n);
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mutex;
  std::size_t finished = 0;

  auto worker = [&] {
    for (;;) {
      // Check for failure before claiming an index, never after: an index once
      // claimed always runs, so every index below a failing one runs and the
      // lowest failing index is the one reported.
      if (failed.load()) return;
      std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        slots[i].emplace(fn(i));
      } catch (...) {
        errors[i] = std::current_exception();
        failed = true;
      }
      if (progress) {
        std::lock_guard lock(progress_mutex);
        progress(++finished, n);
      }
    }
  };

  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(n, 1)));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  }
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  std::vector<R> out;
  out.reserve(n);
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace sim
