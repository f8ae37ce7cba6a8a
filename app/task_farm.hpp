#pragma once
/// A farm of independent tasks 0..n-1, each giving a vector of doubles: on
/// the threads of this process and, under MPI (app/mpi_session.hpp), on the
/// threads of every rank. Rank 0 hands tasks out dynamically, in increasing
/// order, a few per thread ahead so that no thread waits for the network;
/// results come back to rank 0's main thread, which passes each to `deliver`
/// in the order they finish. Whoever assembles them by task index gets the
/// same bytes for any number of ranks and threads.
///
/// Errors: the first failing task stops the handing out; the tasks in flight
/// finish, and the error of the lowest failing task is thrown (an error on
/// another rank as CodedError with its exit code). Ctrl-C cancels the running
/// tasks within about a millisecond and throws sim::Cancelled.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scsim_app {

/// One thread's computation of a task (it may keep state between tasks).
using TaskFn = std::function<std::vector<double>(std::size_t task)>;
/// Makes one TaskFn per thread, on that thread.
using TaskFnFactory = std::function<TaskFn()>;

struct FarmProgress {
  std::size_t done = 0, total = 0;  // tasks finished (of this run) and to do
  std::size_t remote = 0;           // of which on other ranks
};

struct FarmStats {
  std::size_t local = 0, remote = 0;  // tasks computed here and on other ranks
  double seconds = 0;
  /// Time every rank's main thread spent in the MPI layer (probing, packing,
  /// sending, unpacking, handing out), summed: the layer's cost (bench/scaling).
  double mpi_seconds = 0;
};

/// Rank 0 (or a process without MPI): runs every task not marked in `skip`.
FarmStats farm_run(
    std::size_t tasks, const std::vector<char>& skip, unsigned threads, const TaskFnFactory& make,
    const std::function<void(std::size_t task, std::vector<double>&& values)>& deliver,
    const std::function<void(const FarmProgress&)>& progress = {});

/// Ranks > 0: computes the tasks rank 0 sends until it has no more, then says bye.
void farm_serve(unsigned threads, const TaskFnFactory& make);

}  // namespace scsim_app
