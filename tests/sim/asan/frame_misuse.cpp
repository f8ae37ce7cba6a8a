// Run by ctest in AddressSanitizer builds only (tests/CMakeLists.txt): reads
// the promise of a process that has finished, through a handle kept past its
// end. The frame is back in the pool, where it is poisoned, so ASan must stop
// the program with a use-after-poison report; reaching the end fails.
#include <coroutine>
#include <cstdio>

#include "sim/simulation.hpp"

namespace {
struct KeepHandle {
  std::coroutine_handle<sim::Process::promise_type>* out;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<sim::Process::promise_type> h) const noexcept {
    *out = h;
    return false;  // carry on at once
  }
  void await_resume() const noexcept {}
};

sim::Process short_lived(sim::Simulation& s, std::coroutine_handle<sim::Process::promise_type>* self) {
  co_await KeepHandle{self};
  co_await s.timeout(1);
}
}  // namespace

int main() {
  sim::Simulation s;
  std::coroutine_handle<sim::Process::promise_type> h;
  s.start(short_lived(s, &h));
  s.run();
  std::printf("frame_misuse: the process has finished; reading its promise\n");
  std::fflush(stdout);
  sim::Simulation* volatile seen = h.promise().sim;  // use of a freed frame
  std::printf("frame_misuse: NOT detected (read %p)\n", static_cast<void*>(seen));
  return 1;
}
