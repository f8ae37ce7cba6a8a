// sim::run_replications: the contract that makes parallel runs reproducible.
// Results must not depend on the number of threads or on which thread ran
// which replication, must come back in index order, and failures must
// surface rather than vanish in a worker thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "queue_models.hpp"
#include "sim/replication.hpp"

namespace {

/// Every field of every replication, in replication order, as exact hex
/// floats: two runs are equal here only if they are equal to the last bit.
std::string serialise(const std::vector<scsim_test::MMcResult>& rs) {
  std::string out;
  char buf[256];
  for (const auto& r : rs) {
    std::snprintf(buf, sizeof buf, "%a %a %a %a %llu %llu\n", r.mean_wait, r.p_wait, r.utilization, r.mean_queue,
                  static_cast<unsigned long long>(r.served), static_cast<unsigned long long>(r.events));
    out += buf;
  }
  return out;
}

std::string run_mmc_batch(std::uint64_t seed, unsigned threads) {
  scsim_test::MMcConfig cfg;
  cfg.servers = 3;
  cfg.mean_interarrival = 400;
  cfg.mean_service = 900;
  cfg.warmup = 50'000;
  cfg.horizon = 1'000'000;  // ~2,500 customers: cheap, yet thousands of events
  const auto rs = sim::run_replications(10, threads, [&](std::size_t i) { return scsim_test::run_mmc(cfg, seed, i); });
  return serialise(rs);
}

}  // namespace

TEST_CASE("replications are bit-identical for any thread count", "[kernel][threads]") {
  const std::string one = run_mmc_batch(7, 1);
  REQUIRE(one.size() > 10 * 20);
  CHECK(run_mmc_batch(7, 2) == one);
  CHECK(run_mmc_batch(7, 4) == one);
  CHECK(run_mmc_batch(7, 0) == one);  // hardware concurrency
  CHECK(run_mmc_batch(7, 1) == one);  // and run to run
  // The comparison is not vacuous: another seed gives other bytes.
  CHECK(run_mmc_batch(8, 1) != one);
}

TEST_CASE("replication results come back in index order", "[kernel][threads]") {
  constexpr std::size_t n = 24;
  for (unsigned threads : {1u, 3u, 8u}) {
    // Early indices take longest, so with several threads they finish last.
    const auto out = sim::run_replications(n, threads, [](std::size_t i) {
      std::this_thread::sleep_for(std::chrono::microseconds(200 * (n - i)));
      return std::to_string(i);
    });
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < n; ++i) expected.push_back(std::to_string(i));
    CHECK(out == expected);
  }
  CHECK(sim::run_replications(0, 4, [](std::size_t i) { return i; }).empty());
}

TEST_CASE("an exception in a replication propagates", "[kernel][threads]") {
  for (unsigned threads : {1u, 2u, 4u}) {
    INFO("threads = " << threads);
    auto fail_at = [](std::vector<std::size_t> bad) {
      return [bad](std::size_t i) {
        for (std::size_t b : bad)
          if (i == b) throw std::runtime_error("replication " + std::to_string(i));
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        return i;
      };
    };
    CHECK_THROWS_WITH(sim::run_replications(12, threads, fail_at({5})), "replication 5");
    CHECK_THROWS_WITH(sim::run_replications(12, threads, fail_at({11})), "replication 11");
    // Several failures: the lowest index wins, whatever thread saw which.
    for (int repeat = 0; repeat < 20; ++repeat)
      CHECK_THROWS_WITH(sim::run_replications(12, threads, fail_at({3, 4, 5, 9})), "replication 3");
  }
}

TEST_CASE("the progress callback is called once per replication, serialised", "[kernel][threads]") {
  constexpr std::size_t n = 17;
  for (unsigned threads : {1u, 4u}) {
    std::vector<std::size_t> finished;
    std::atomic<int> inside{0};
    bool overlapped = false, wrong_total = false;
    sim::run_replications(
        n, threads,
        [](std::size_t i) {
          std::this_thread::sleep_for(std::chrono::microseconds(50 * (i % 5)));
          return i;
        },
        [&](std::size_t done, std::size_t total) {
          if (inside.fetch_add(1) != 0) overlapped = true;
          finished.push_back(done);
          if (total != n) wrong_total = true;
          std::this_thread::sleep_for(std::chrono::microseconds(20));
          inside.fetch_sub(1);
        });
    CHECK_FALSE(overlapped);
    CHECK_FALSE(wrong_total);
    REQUIRE(finished.size() == n);
    for (std::size_t k = 0; k < n; ++k) CHECK(finished[k] == k + 1);
  }
}
