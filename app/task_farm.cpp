#include "app/task_farm.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include <time.h>

#include "app/exit_codes.hpp"
#include "app/mpi_session.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {

namespace {

using namespace std::chrono_literals;
namespace wire = mpi::wire;
constexpr std::size_t kNoTask = std::numeric_limits<std::size_t>::max();

/// Threads of this process computing the tasks pushed to them.
class LocalPool {
 public:
  struct Done {
    std::size_t task = 0;
    std::vector<double> values;
    std::exception_ptr error;
  };

  LocalPool(unsigned threads, const TaskFnFactory& make) {
    for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this, &make] { loop(make); });
  }
  ~LocalPool() { stop(); }
  LocalPool(const LocalPool&) = delete;
  LocalPool& operator=(const LocalPool&) = delete;

  /// Cancels the running tasks, drops the queued ones and joins the threads.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      queue_.clear();
    }
    cancel_ = true;
    work_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    threads_.clear();
  }
  void push(std::size_t task) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(task);
      ++outstanding_;
    }
    work_.notify_one();
  }
  /// Tasks pushed and not yet taken back.
  std::size_t outstanding() const {
    std::lock_guard lock(mu_);
    return outstanding_;
  }
  /// The tasks finished so far, waiting up to `wait` for one.
  std::vector<Done> take(std::chrono::microseconds wait) {
    std::unique_lock lock(mu_);
    finished_.wait_for(lock, wait, [&] { return !done_.empty(); });
    std::vector<Done> out;
    out.swap(done_);
    outstanding_ -= out.size();
    return out;
  }

 private:
  void loop(const TaskFnFactory& make) {
    sim::CancelScope scope(&cancel_);
    TaskFn fn;
    std::exception_ptr make_error;
    try {
      fn = make();
    } catch (...) {
      make_error = std::current_exception();
    }
    for (;;) {
      Done d;
      {
        std::unique_lock lock(mu_);
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        d.task = queue_.front();
        queue_.pop_front();
      }
      if (make_error) {
        d.error = make_error;
      } else {
        try {
          d.values = fn(d.task);
        } catch (...) {
          d.error = std::current_exception();
        }
      }
      {
        std::lock_guard lock(mu_);
        done_.push_back(std::move(d));
      }
      finished_.notify_one();
    }
  }

  mutable std::mutex mu_;
  std::condition_variable work_, finished_;
  std::deque<std::size_t> queue_;
  std::vector<Done> done_;
  std::size_t outstanding_ = 0;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::vector<std::thread> threads_;
};

/// CPU time of the calling thread, in seconds: what the MPI layer costs, not counting the
/// time the thread waits or is preempted on a busy machine.
double thread_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double since(double cpu_start) { return thread_cpu() - cpu_start; }

unsigned resolve_threads(unsigned threads) {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

bool user_interrupted(const std::atomic<bool>* flag) {
  return flag && flag->load(std::memory_order_relaxed);
}

}  // namespace

FarmStats farm_run(std::size_t tasks, const std::vector<char>& skip, unsigned threads,
                   const TaskFnFactory& make,
                   const std::function<void(std::size_t, std::vector<double>&&)>& deliver,
                   const std::function<void(const FarmProgress&)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  threads = resolve_threads(threads);
  std::deque<std::size_t> todo;
  for (std::size_t i = 0; i < tasks; ++i)
    if (i >= skip.size() || !skip[i]) todo.push_back(i);
  FarmProgress prog{0, todo.size(), 0};
  FarmStats stats;
  const int workers = mpi::active() ? mpi::size() - 1 : 0;
  int byes = 0;
  std::vector<std::size_t> held(static_cast<std::size_t>(workers) + 1, 0);  // tasks out on each rank
  const std::size_t depth = 2 * std::size_t{threads};
  const std::atomic<bool>* user = sim::cancel_flag();

  std::size_t failed_task = kNoTask;
  std::exception_ptr failure;
  auto fail = [&](std::size_t task, std::exception_ptr e) {
    if (!failure || task < failed_task) {
      failed_task = task;
      failure = std::move(e);
    }
  };

  LocalPool pool(threads, make);
  wire::Message m;
  while (prog.done < prog.total || byes < workers) {
    if (user_interrupted(user)) {
      pool.stop();
      throw sim::Cancelled();
    }
    while (!failure && pool.outstanding() < depth && !todo.empty()) {
      pool.push(todo.front());
      todo.pop_front();
    }
    std::size_t before = prog.done;
    for (auto& d : pool.take(workers > 0 ? 1ms : 50ms)) {
      if (d.error) {
        fail(d.task, d.error);
        continue;
      }
      deliver(d.task, std::move(d.values));
      ++prog.done;
      ++stats.local;
    }
    const double mpi_start = thread_cpu();
    double delivering = 0;  // the caller's time (e.g. the checkpoint's fsync), not the layer's
    while (workers > 0 && wire::poll(m)) {
      const auto& w = m.words;
      if (m.tag == wire::work) {
        const std::size_t want = w.at(0), count = w.at(1);
        std::size_t at = 2;
        for (std::size_t c = 0; c < count; ++c) {
          const std::size_t task = w.at(at), len = w.at(at + 1);
          std::vector<double> values(len);
          for (std::size_t i = 0; i < len; ++i) values[i] = std::bit_cast<double>(w.at(at + 2 + i));
          at += 2 + len;
          const double t_deliver = thread_cpu();
          deliver(task, std::move(values));
          delivering += since(t_deliver);
          ++prog.done;
          ++prog.remote;
          ++stats.remote;
          --held[static_cast<std::size_t>(m.source)];
        }
        std::vector<std::uint64_t> reply{0, 0};
        while (!failure && reply.size() - 2 < want && !todo.empty()) {
          reply.push_back(todo.front());
          todo.pop_front();
        }
        reply[0] = reply.size() - 2;
        held[static_cast<std::size_t>(m.source)] += reply[0];
        reply[1] = failure || todo.empty() ? 1 : 0;  // no more after these
        wire::send(m.source, wire::tasks, std::move(reply));
      } else if (m.tag == wire::error) {
        const auto code = static_cast<ExitCode>(w.at(0));
        const std::size_t task = w.at(1);
        fail(task, std::make_exception_ptr(CodedError(
                       code, "rank " + std::to_string(m.source) + ": " + wire::get_text(w, 2))));
      } else if (m.tag == wire::bye) {
        wire::note_bye(m.source);
        ++byes;
        if (held[static_cast<std::size_t>(m.source)] > 0)  // stopped (a signal) with work in hand
          fail(kNoTask, std::make_exception_ptr(CodedError(
                            ExitCode::interrupted, "rank " + std::to_string(m.source) +
                                                       " stopped before finishing its tasks (interrupted)")));
        if (w.size() > 1)
          stats.mpi_seconds += static_cast<double>(w[1]) * 1e-9;  // the rank's own time
      }
    }
    if (workers > 0) stats.mpi_seconds += since(mpi_start) - delivering;
    if (failure && pool.outstanding() == 0) break;
    if (progress && prog.done != before) progress(prog);
  }
  pool.stop();
  if (failure) std::rethrow_exception(failure);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

void farm_serve(unsigned threads, const TaskFnFactory& make) {
  threads = resolve_threads(threads);
  const std::size_t depth = 2 * std::size_t{threads};
  const std::atomic<bool>* user = sim::cancel_flag();
  LocalPool pool(threads, make);
  bool awaiting = false, no_more = false;
  std::vector<std::uint64_t> results;
  std::size_t count = 0;
  double mpi_seconds = 0;  // this rank's time in the MPI layer, reported in its bye
  wire::Message m;
  for (;;) {
    if (user_interrupted(user)) {  // mpirun passes Ctrl-C to every rank: rank 0 reports it
      pool.stop();
      wire::send(0, wire::bye, {0});
      throw mpi::QuietExit{static_cast<int>(ExitCode::interrupted)};
    }
    auto done = pool.take(1ms);
    const double mpi_start = thread_cpu();
    for (auto& d : done) {
      if (d.error) {
        pool.stop();
        const Outcome o = outcome_of(d.error);
        mpi::worker_failed(static_cast<int>(o.code), o.message, d.task);
      }
      results.push_back(d.task);
      results.push_back(d.values.size());
      for (double v : d.values) results.push_back(std::bit_cast<std::uint64_t>(v));
      ++count;
    }
    while (wire::poll(m)) {
      if (m.tag == wire::stop) {
        pool.stop();
        wire::send(0, wire::bye, {0});
        throw mpi::QuietExit{static_cast<int>(m.words.at(0))};
      }
      if (m.tag == wire::tasks) {
        awaiting = false;
        const std::size_t n = m.words.at(0);
        no_more = m.words.at(1) != 0;
        for (std::size_t i = 0; i < n; ++i) pool.push(m.words.at(2 + i));
      }
    }
    if (!awaiting) {
      const std::size_t in_hand = pool.outstanding();
      const std::size_t want = no_more || in_hand >= depth ? 0 : depth - in_hand;
      if (count > 0 || want > 0) {
        std::vector<std::uint64_t> words{want, count};
        words.insert(words.end(), results.begin(), results.end());
        wire::send(0, wire::work, std::move(words));
        results.clear();
        count = 0;
        awaiting = true;
      } else if (no_more && in_hand == 0) {
        mpi_seconds += since(mpi_start);
        wire::send(0, wire::bye, {0, static_cast<std::uint64_t>(mpi_seconds * 1e9)});
        return;
      }
    }
    mpi_seconds += since(mpi_start);
  }
}

}  // namespace scsim_app
