#include "app/interrupt.hpp"

#include <csignal>

namespace scsim_app {

namespace {
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_signal(int sig) {
  // Only async-signal-safe calls here.
  if (g_interrupted.exchange(true)) {
    std::signal(sig, SIG_DFL);  // the second Ctrl-C: stop now
    std::raise(sig);
  }
}
}  // namespace

const std::atomic<bool>* install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // reads and writes in progress complete; the flag is polled
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    sigaction(sig, &sa, &old);
    // A signal ignored from the start stays ignored (a background job of a
    // script, nohup): Ctrl-C in the terminal is not meant for this process.
    if (old.sa_handler == SIG_IGN) sigaction(sig, &old, nullptr);
  }
  return &g_interrupted;
}

bool interrupted() noexcept { return g_interrupted.load(); }

}  // namespace scsim_app
