#pragma once
/// MPI for scsim (docs/cluster.md). The same binary runs as one process, or
/// as N ranks under `mpirun -n N scsim uncertainty ...`:
///  - MPI is initialised only when the process was started by an MPI launcher
///    (OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_RANK in the environment) and scsim
///    was built with MPI (Boost.MPI found at configure time); otherwise
///    nothing here does anything and scsim runs exactly as it does alone.
///  - Commands that spread work over ranks (today `uncertainty`) say so when
///    they register; any other command runs on rank 0 alone and the other
///    ranks exit at once with status 0 (rank 0 logs that they did).
///  - Rank 0 parses, checks and claims the output; the other ranks wait for
///    its word before doing anything (start_workers / wait_for_start), so a
///    bad input is reported once, by rank 0, and every rank exits with its
///    code. Rank 0 hands out tasks and gathers results (app/task_farm.hpp).
///  - At exit rank 0 releases the ranks still waiting or working
///    (release_workers), so no rank is left behind in MPI_Finalize.
/// Only the main thread of a rank calls MPI (MPI_THREAD_FUNNELED). Waits poll
/// with short sleeps: OpenMPI's blocking calls spin, which would take a core
/// from the simulation threads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scsim_app::mpi {

/// Built with MPI (Boost.MPI and an MPI library found at configure time)?
bool built_with_mpi();
/// Started by an MPI launcher (mpirun, srun)?
bool launched();

/// Initialises MPI for the life of the object when launched() and built with
/// it; does nothing otherwise. One per process, in main.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

/// Is MPI initialised in this process (even with one rank)?
bool active();
/// This process's rank (0 when not active) and the number of ranks (1 when not active).
int rank();
int size();

/// Ends a rank > 0 quietly with `code`: rank 0 reports what happened.
struct QuietExit {
  int code;
};

/// A command that spreads its tasks over the ranks says so from its static
/// initialiser: `const bool r = mpi::register_rank_command("uncertainty");`
bool register_rank_command(const std::string& name);
bool is_rank_command(const std::string& name);

/// Called with the parsed command's name (main.cpp). Under MPI, ranks > 0 of
/// a command that does not use them end at once (QuietExit{0}).
void command_chosen(const std::string& name);

/// Rank 0: every other rank may start the job, whose digest they check.
void start_workers(std::uint64_t digest);
/// Ranks > 0: waits for rank 0's word: the job digest, or QuietExit if rank 0 stopped.
std::uint64_t wait_for_start();
/// Rank 0, before exiting with `code`: stops every rank still waiting or
/// working (they exit with the same code) and waits until each has let go.
void release_workers(int code) noexcept;
/// Ranks > 0: tells rank 0 this rank failed (rank 0 prints `message` and
/// stops the job), then waits for rank 0's stop and throws QuietExit.
/// `task`: the task that failed, if one did (rank 0 reports the lowest).
[[noreturn]] void worker_failed(int code, const std::string& message,
                                std::size_t task = static_cast<std::size_t>(-1));

// ---- the wire, for app/task_farm.cpp: messages of 64-bit words between rank 0 and the others ----
namespace wire {
enum Tag : int {
  go = 1,     // 0 -> w: [digest]
  stop = 2,   // 0 -> w: [exit code]
  work = 3,   // w -> 0: [tasks wanted, results: task, count, values as bits...]
  tasks = 4,  // 0 -> w: [task...] (none: no more work)
  error = 5,  // w -> 0: [exit code, task, text]
  bye = 6,    // w -> 0: [0]: this rank is done and sends nothing more
};
struct Message {
  int source = 0, tag = 0;
  std::vector<std::uint64_t> words;
};
/// A message for this rank, if one has arrived (never blocks).
bool poll(Message& out);
/// Sends without blocking; the buffer is kept until the send completes.
void send(int dest, Tag tag, std::vector<std::uint64_t> words);
/// Completes what it can of the pending sends; true when none is left.
bool sends_done();
/// Rank 0: rank w said bye (it sends nothing more).
void note_bye(int w);
/// Text as words: [length, bytes packed 8 to a word...], and back from `at`.
void put_text(std::vector<std::uint64_t>& words, const std::string& s);
std::string get_text(const std::vector<std::uint64_t>& words, std::size_t at);
}  // namespace wire

}  // namespace scsim_app::mpi
