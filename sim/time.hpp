#pragma once
/// Simulation time: an int64 count of seconds since the scenario epoch
/// (midnight at the start of the epoch's civil date). Civil dates live in
/// sim::Calendar beside the clock, never in it; integer time means equal
/// instants compare equal, so tie-breaking is exact and reproducible.
#include <cstdint>

namespace sim {
using Time = std::int64_t;
using Duration = std::int64_t;
inline constexpr Duration kSecond = 1, kMinute = 60, kHour = 3600, kDay = 86400;
}  // namespace sim
