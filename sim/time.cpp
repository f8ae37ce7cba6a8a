#include "sim/time.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace sim::detail {
namespace {
std::string unit_name(Duration unit) {
  switch (unit) {
    case kSecond: return "s";
    case kMinute: return "minutes";
    case kHour: return "hours";
    case kDay: return "days";
    case 7 * kDay: return "weeks";
    default: return "x " + std::to_string(unit) + " s";
  }
}
}  // namespace

void throw_time_overflow(const char* operation, Time t, Duration d) {
  throw TimeOverflow(std::string(operation) + ": time " + std::to_string(t) + " s " + (d < 0 ? "- " : "+ ") +
                     std::to_string(d < 0 ? -static_cast<unsigned long long>(d) : static_cast<unsigned long long>(d)) +
                     " s does not fit the int64 clock (about 2.9e11 years either side of the epoch)");
}

void throw_bad_duration(const char* operation, double value, Duration unit) {
  char v[64];
  const auto r = std::to_chars(v, v + sizeof v, value);  // shortest form that reads back the same
  const std::string what = std::string(operation) + ": duration of " + std::string(v, r.ptr) + " " + unit_name(unit);
  if (std::isnan(value) || std::isinf(value)) throw TimeOverflow(what + " is not a finite number");
  throw TimeOverflow(what + " does not fit the int64 clock (about 2.9e11 years either side of the epoch)");
}

}  // namespace sim::detail
