// Clock arithmetic that cannot go wrong quietly (sim/time.hpp): sums that
// leave int64 throw TimeOverflow naming the operation, and floating-point
// durations that are NaN, infinite or too large are refused instead of
// reaching llround (which returns an unspecified value for them).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/calendar.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"
#include "sim/time.hpp"

namespace {
constexpr sim::Time kMax = std::numeric_limits<sim::Time>::max();
constexpr sim::Time kMin = std::numeric_limits<sim::Time>::min();

using Catch::Matchers::Contains;

sim::Process sleeper(sim::Simulation& s, sim::Duration first, sim::Duration second) {
  co_await s.timeout(first);
  co_await s.timeout(second);
}
}  // namespace

TEST_CASE("add_time adds within int64 and throws TimeOverflow naming the operation outside it", "[time]") {
  CHECK(sim::add_time(kMax - 5, 5, "op") == kMax);
  CHECK(sim::add_time(kMin + 5, -5, "op") == kMin);
  CHECK(sim::add_time(-7, 3, "op") == -4);
  CHECK_THROWS_AS(sim::add_time(kMax - 5, 6, "op"), sim::TimeOverflow);
  CHECK_THROWS_AS(sim::add_time(kMin, -1, "op"), std::overflow_error);
  CHECK_THROWS_WITH(sim::add_time(kMax, 1000, "Thing::later"),
                    Contains("Thing::later") && Contains(std::to_string(kMax)) && Contains("+ 1000 s"));
  CHECK_THROWS_WITH(sim::add_time(kMin, kMin, "Thing::earlier"), Contains("- 9223372036854775808 s"));
}

TEST_CASE("to_duration rounds like llround for ordinary values and refuses NaN, infinities and overflow", "[time]") {
  CHECK(sim::to_duration(1.5, sim::kDay, "op") == 36 * sim::kHour);
  CHECK(sim::to_duration(0.5, sim::kSecond, "op") == 1);
  CHECK(sim::to_duration(-0.5, sim::kSecond, "op") == -1);
  CHECK(sim::to_duration(2.4999, sim::kSecond, "op") == 2);
  CHECK(sim::to_duration(48, sim::kHour, "op") == 48 * sim::kHour);
  sim::Stream rng(sim::derive_seed(3, 0, "to_duration"));
  for (int i = 0; i < 10000; ++i) {
    const double x = rng.exponential(1e6) - 5e5;
    REQUIRE(sim::to_duration(x, sim::kSecond, "op") == std::llround(x));
  }
  CHECK(sim::to_duration(9.2e18, sim::kSecond, "op") == static_cast<sim::Duration>(9.2e18));
  CHECK(sim::to_duration(-0x1p63, sim::kSecond, "op") == kMin);
  CHECK_THROWS_AS(sim::to_duration(0x1p63, sim::kSecond, "op"), sim::TimeOverflow);
  CHECK_THROWS_AS(sim::to_duration(std::nan(""), sim::kDay, "op"), sim::TimeOverflow);
  CHECK_THROWS_AS(sim::to_duration(-std::numeric_limits<double>::infinity(), sim::kHour, "op"), sim::TimeOverflow);
  CHECK_THROWS_WITH(sim::to_duration(std::nan(""), sim::kDay, "stage.delay"),
                    Contains("stage.delay") && Contains("nan days") && Contains("not a finite number"));
  CHECK_THROWS_WITH(sim::to_duration(1.2e14, sim::kDay, "horizon"),
                    Contains("horizon") && Contains("1.2e+14 days") && Contains("does not fit"));
  CHECK_THROWS_WITH(sim::to_duration(1e300, 90, "odd"), Contains("x 90 s"));
}

TEST_CASE("a timeout past the end of the clock stops the run with TimeOverflow", "[time][kernel]") {
  sim::Simulation s;
  s.start(sleeper(s, 10, kMax - 5));
  CHECK_THROWS_WITH(s.run(), Contains("Simulation::timeout") && Contains("time 10 s"));
  sim::Simulation t;
  t.start(sleeper(t, kMax - 5, 5));  // lands exactly on the last instant
  t.run();
  CHECK(t.now() == kMax);
}

TEST_CASE("schedule past the end of the clock throws and leaves the simulation unchanged", "[time][kernel]") {
  sim::Simulation s;
  int ran = 0;
  s.schedule(100, [&] {
    ++ran;
    CHECK_THROWS_AS(s.schedule(kMax - 50, [&] { ran += 10; }), sim::TimeOverflow);
    s.schedule(5, [&] { ++ran; });
  });
  s.run();
  CHECK(ran == 2);
  CHECK(s.now() == 105);
  CHECK(s.pending_events() == 0);
  // A zero or negative delay never adds: it means "now".
  s.schedule(kMin, [&] { ++ran; });
  s.run();
  CHECK(ran == 3);
  CHECK(s.now() == 105);
}

TEST_CASE("calendar day arithmetic matches floor division and refuses instants it cannot represent",
          "[time][calendar]") {
  const sim::Calendar cal(sim::parse_date("2008-10-27"));
  sim::Stream rng(sim::derive_seed(5, 0, "days"));
  for (int i = 0; i < 20000; ++i) {
    const auto t = static_cast<sim::Time>(rng.uniform_int(std::uint64_t{1} << 44)) - (sim::Time{1} << 43);
    const sim::Time floor_day = (t >= 0 ? t / sim::kDay : (t - sim::kDay + 1) / sim::kDay) * sim::kDay;
    REQUIRE(cal.start_of_day(t) == floor_day);
    REQUIRE(cal.time_of_day(t) == t - floor_day);
  }
  CHECK(cal.start_of_day(kMax) == kMax - cal.time_of_day(kMax));
  CHECK(cal.time_of_day(kMin) >= 0);
  CHECK_THROWS_AS(cal.start_of_day(kMin), sim::TimeOverflow);
  // Beyond year 32767 std::chrono would wrap the date around without a word.
  CHECK_THROWS_AS(cal.date_of(kMax), std::out_of_range);
  CHECK_THROWS_AS(cal.date_of(kMin), std::out_of_range);
  CHECK_THROWS_AS(cal.format(400000LL * 365 * sim::kDay), std::out_of_range);
  CHECK(sim::format_date(cal.date_of(cal.to_time(sim::parse_date("9999-12-31")))) == "9999-12-31");
}

TEST_CASE("business time that would walk off the holiday table is refused at once", "[time][calendar]") {
  const sim::Calendar cal(sim::parse_date("2008-10-27"));
  CHECK_THROWS_AS(cal.add_business_time(0, kMax), std::out_of_range);
  CHECK_THROWS_WITH(cal.add_business_time(0, 200LL * 365 * sim::kDay), Contains("holiday table"));
  CHECK_THROWS_AS(cal.add_business_time(kMax, 48 * sim::kHour), std::out_of_range);
  CHECK_THROWS_AS(cal.add_business_time(kMin, 48 * sim::kHour), std::out_of_range);
  CHECK_THROWS_AS(cal.business_time_between(kMin, kMax), std::out_of_range);
}
