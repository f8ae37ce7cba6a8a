#pragma once
/// Shared by bench/kernel_model.cpp and bench/bare_loop.cpp: the model's
/// parameters, its end states, the command line, the clock and peak RSS.
/// (bench/simpy_model.py mirrors the same numbers in minutes.)
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sim/time.hpp"

namespace bench {

// Time in the C++ programs is int64 seconds (sim::Time).
inline constexpr double kBookingsPerDay = 30000.0;
inline constexpr double kMeanInterarrival = double(sim::kDay) / kBookingsPerDay;  // 2.88 s
inline constexpr double kIafisMean = 2.0 * sim::kMinute;
inline constexpr double kIdentMean = 1.0 * sim::kMinute;
inline constexpr double kLescMean = 30.0 * sim::kMinute;
inline constexpr double kJailMean = 3.0 * sim::kDay;
inline constexpr double kHoldMax = 48.0 * sim::kHour;
inline constexpr double kCustodyMean = 40.0 * sim::kDay;
inline constexpr int kIafisServers = 64, kIdentServers = 32, kLescServers = 64;
inline constexpr double kMatchP = 0.067;
inline constexpr std::array<double, 4> kLevelCum = {0.3, 0.5, 0.75, 1.0};  // level1, level2, level3, noncriminal
inline constexpr std::array<double, 4> kDetainerP = {0.9, 0.7, 0.5, 0.4};
inline constexpr double kPickupP = 0.8;
inline constexpr double kRemovedP = 0.7;

enum End : int { kReleasedNoMatch, kReleasedNoDetainer, kReleasedNotPickedUp, kRemoved, kRelief, kEnds };
inline constexpr std::array<const char*, kEnds> kEndNames = {
    "released_no_match", "released_no_detainer", "released_not_picked_up", "removed", "relief"};

/// A duration drawn in seconds, rounded to the nearest whole second (the
/// kernel's clock is integral). Draws are non-negative, so +0.5 and truncate.
inline sim::Duration secs(double s) noexcept { return static_cast<sim::Duration>(s + 0.5); }

/// Level index (0..3) from one uniform draw.
inline int level_of(double u) noexcept {
  int l = 0;
  while (l < 3 && u >= kLevelCum[l]) ++l;
  return l;
}

struct Options {
  double days = 54.0;
  std::uint64_t bookings = 0;  // 0: round(30,000 x days)
  std::uint64_t seed = 1;
  bool quiet = false;
  std::string queue = "calendar";  // bare_loop only: calendar | heap4
};

inline Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", argv[0], a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--days")
      o.days = std::atof(val());
    else if (a == "--bookings")
      o.bookings = std::strtoull(val(), nullptr, 10);
    else if (a == "--seed")
      o.seed = std::strtoull(val(), nullptr, 10);
    else if (a == "--quiet")
      o.quiet = true;
    else if (a == "--queue")
      o.queue = val();
    else {
      std::fprintf(stderr, "usage: %s [--days D] [--bookings N] [--seed S] [--queue calendar|heap4] [--quiet]\n", argv[0]);
      std::exit(2);
    }
  }
  if (o.bookings == 0) o.bookings = static_cast<std::uint64_t>(std::llround(kBookingsPerDay * o.days));
  return o;
}

inline double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/// Peak resident set of this process, MiB (ru_maxrss is KiB on Linux).
inline double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;
}

/// Checks that every booking ended exactly once, prints the end states to
/// stderr and the CSV line to stdout. Returns the process exit code.
inline int report(const char* impl, std::uint64_t bookings, std::uint64_t started, std::uint64_t events,
                  double wall, const std::array<std::uint64_t, kEnds>& ends, bool quiet) {
  std::uint64_t sum = 0;
  for (auto e : ends) sum += e;
  if (!quiet) {
    std::fprintf(stderr, "# %s end states:", impl);
    for (int i = 0; i < kEnds; ++i) std::fprintf(stderr, " %s=%llu", kEndNames[i], (unsigned long long)ends[i]);
    std::fprintf(stderr, "\n");
  }
  if (started != bookings || sum != bookings) {
    std::fprintf(stderr, "%s: end states sum to %llu, bookings started %llu, expected %llu\n", impl,
                 (unsigned long long)sum, (unsigned long long)started, (unsigned long long)bookings);
    return 1;
  }
  std::printf("%s,%llu,%llu,%.3f,%.0f,%.1f\n", impl, (unsigned long long)bookings, (unsigned long long)events, wall,
              double(bookings) / wall, peak_rss_mib());
  return 0;
}

}  // namespace bench
