#pragma once
/// `scsim demo`: a self-contained showcase of the kernel. It simulates a
/// three-stage network of M/M/c queues, whose every stage has a closed-form
/// steady state (Erlang C), and prints the simulated figures with confidence
/// intervals beside the analytic ones, so a user can see at a glance both what
/// the simulator does and that it does it correctly.
#include <cstddef>
#include <cstdint>

namespace scsim_app {

struct DemoOptions {
  std::uint64_t seed = 1;         // master seed of the random streams
  std::size_t replications = 10;  // independent replications (>= 2 for a CI)
  unsigned threads = 0;           // 0 = hardware concurrency
  double days = 30;               // simulated length of each replication
};

/// Runs the demo and prints its report to stdout; returns a process exit
/// code (0 on success, 2 for invalid options, with a message on stderr).
int run_demo(const DemoOptions& options);

}  // namespace scsim_app
