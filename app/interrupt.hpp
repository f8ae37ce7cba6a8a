#pragma once
/// Ctrl-C and SIGTERM on the command line. The first signal sets a flag that
/// every simulation of the process watches (sim/cancel.hpp): the run stops
/// within about a millisecond, the command removes what it was writing and
/// exits 130. A second signal ends the process at once (the default action);
/// what it was writing is a stale claim the next run removes (app/output.hpp).
/// A signal the process inherited as ignored stays ignored.
#include <atomic>

namespace scsim_app {

/// Installs the handlers (SIGINT, SIGTERM) and returns the flag they set.
const std::atomic<bool>* install_interrupt_handlers();
/// Has a signal arrived?
bool interrupted() noexcept;

}  // namespace scsim_app
