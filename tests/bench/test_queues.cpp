// The future-event sets the kernel does not use (bench/queues.hpp: binary and
// 8-ary heaps, the pairing heap) pop in strict (time, seq) order, like the
// kernel's own (tests/sim/queue_checks.hpp), so bench/queue_hold compares
// queues that do the same work.
#include <catch2/catch.hpp>

#include "bench/queues.hpp"
#include "tests/sim/queue_checks.hpp"

TEMPLATE_TEST_CASE("bench event queues pop in (time, seq) order like std::sort", "[queue]", bench::BinaryHeapQueue,
                   bench::OctonaryHeapQueue, bench::PairingHeapQueue) {
  queue_checks::check_queue_order<TestType>();
}
