#pragma once
/// Simulation time: an int64 count of seconds since the scenario epoch
/// (midnight at the start of the epoch's civil date). Civil dates live in
/// sim::Calendar beside the clock, never in it; integer time means equal
/// instants compare equal, so tie-breaking is exact and reproducible.
///
/// Arithmetic on the clock cannot wrap around quietly: the kernel adds
/// durations with add_time (an int64 overflow throws TimeOverflow naming the
/// operation), and a duration computed in floating point (days, hours, a
/// sampled distribution) becomes a Duration through to_duration, which
/// rejects NaN, infinities and values beyond int64 instead of handing them to
/// llround.
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace sim {
using Time = std::int64_t;
using Duration = std::int64_t;
inline constexpr Duration kSecond = 1, kMinute = 60, kHour = 3600, kDay = 86400;

/// A time or duration that does not fit the int64 clock (about 2.9e11 years
/// either side of the epoch), or a floating-point duration that is NaN or
/// infinite. The message names the operation and the operands.
class TimeOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

namespace detail {
[[noreturn, gnu::cold]] void throw_time_overflow(const char* operation, Time t, Duration d);
[[noreturn, gnu::cold]] void throw_bad_duration(const char* operation, double value, Duration unit);
}  // namespace detail

/// t + d; throws TimeOverflow naming `operation` (e.g. "Simulation::timeout")
/// if the sum leaves int64. One add and a never-taken branch on the hot path.
[[gnu::always_inline]] inline Time add_time(Time t, Duration d, const char* operation) {
  Time r;
  if (__builtin_add_overflow(t, d, &r)) [[unlikely]]
    detail::throw_time_overflow(operation, t, d);
  return r;
}

/// `value` units of `unit` seconds (kSecond, kHour, kDay...) as a Duration,
/// rounded to the nearest second, halves away from zero (as std::llround).
/// Throws TimeOverflow naming `operation` if value is NaN or infinite or the
/// result does not fit in int64.
inline Duration to_duration(double value, Duration unit, const char* operation) {
  const double s = value * static_cast<double>(unit);
  // Both bounds are exact doubles (-2^63, 2^63); NaN fails both tests.
  if (!(s >= -0x1p63 && s < 0x1p63)) [[unlikely]]
    detail::throw_bad_duration(operation, value, unit);
  return static_cast<Duration>(std::llround(s));
}

}  // namespace sim
