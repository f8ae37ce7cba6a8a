// The coroutine frame pool (sim/detail/frame_pool.hpp): frames of finished
// processes are reused, which is why, under AddressSanitizer, the pool must
// poison what it holds: otherwise a dangling handle into a reused or free
// frame would read valid-looking memory and ASan would see nothing.
// (tests/sim/asan/frame_misuse.cpp checks that ASan then stops such a use.)
#include <catch2/catch.hpp>

#include <coroutine>
#include <cstddef>

#include "sim/detail/frame_pool.hpp"
#include "sim/simulation.hpp"

namespace {
using Handle = std::coroutine_handle<sim::Process::promise_type>;

struct KeepHandle {
  Handle* out;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(Handle h) const noexcept {
    *out = h;
    return false;  // carry on at once
  }
  void await_resume() const noexcept {}
};

sim::Process wait_then_end(sim::Simulation& s, Handle* self, sim::Duration d) {
  co_await KeepHandle{self};
  co_await s.timeout(d);
}
}  // namespace

TEST_CASE("a finished process's frame goes to the next process of its size, a live one's does not",
          "[kernel][frames]") {
  sim::Simulation s;
  Handle a, b, c;
  s.start(wait_then_end(s, &a, 10));
  s.start(wait_then_end(s, &b, 20));
  CHECK(a.address() != b.address());
  s.run_until(15);  // a has finished, b is suspended
  CHECK(s.live_processes() == 1);
  s.start(wait_then_end(s, &c, 1));
  CHECK(c.address() == a.address());
  CHECK(c.address() != b.address());
  s.run();
  CHECK(s.live_processes() == 0);
}

#if defined(SCSIM_ASAN)
TEST_CASE("under ASan the pool poisons a freed frame and the unused tail of a live one", "[kernel][frames]") {
  STATIC_REQUIRE(sim::detail::kFramePoisoning);
  constexpr std::size_t kBytes = 100, kClassBytes = 128;  // two 64-byte grains
  auto* p = static_cast<char*>(sim::detail::frame_alloc(kBytes));
  CHECK(__asan_region_is_poisoned(p, kBytes) == nullptr);
  CHECK(__asan_address_is_poisoned(p + kBytes));
  CHECK(__asan_address_is_poisoned(p + kClassBytes - 1));
  sim::detail::frame_free(p, kBytes);
  for (std::size_t off = 0; off < kClassBytes; ++off) {
    INFO("byte " << off);
    CHECK(__asan_address_is_poisoned(p + off));
  }
  auto* q = static_cast<char*>(sim::detail::frame_alloc(kBytes));
  CHECK(q == p);  // the free list is LIFO: the same frame, unpoisoned again
  CHECK(__asan_region_is_poisoned(q, kBytes) == nullptr);
  sim::detail::frame_free(q, kBytes);
}

TEST_CASE("under ASan a process's frame is addressable while it lives and poisoned once it ends",
          "[kernel][frames]") {
  sim::Simulation s;
  Handle h;
  s.start(wait_then_end(s, &h, 5));
  const auto* frame = static_cast<const char*>(h.address());
  CHECK_FALSE(__asan_address_is_poisoned(frame));
  CHECK_FALSE(__asan_address_is_poisoned(&h.promise()));
  s.run();
  CHECK(__asan_address_is_poisoned(frame));
}

TEST_CASE("under ASan the frames a Simulation destroys at its end are poisoned", "[kernel][frames]") {
  Handle h;
  const char* frame = nullptr;
  {
    sim::Simulation s;
    s.start(wait_then_end(s, &h, 1000));
    s.run_until(10);
    frame = static_cast<const char*>(h.address());
    CHECK_FALSE(__asan_address_is_poisoned(frame));
  }
  CHECK(__asan_address_is_poisoned(frame));
}
#endif
