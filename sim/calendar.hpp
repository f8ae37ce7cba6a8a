#pragma once
/// Civil calendar for the kernel: maps integer simulation time (seconds since
/// the epoch's local midnight) to civil dates, and knows US federal holidays so
/// that rules counted in business time (e.g. the 48-hour detainer hold of
/// 8 CFR 287.7(d)) can be evaluated. Local civil time only: no zones, no DST,
/// every day is exactly 86400 s.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace sim {

using Date = std::chrono::year_month_day;

/// A US federal holiday (5 U.S.C. 6103). `date` is the day off actually
/// given (Saturday holidays move to Friday, Sunday ones to Monday); `actual`
/// is the statutory date. `name` points to static storage.
struct Holiday {
  Date date;
  Date actual;
  std::string_view name;
};

/// Holiday tables cover these years; outside them the holiday functions throw
/// std::out_of_range rather than silently treating a day as a working day.
inline constexpr int kFirstHolidayYear = 1990;
inline constexpr int kLastHolidayYear = 2100;

/// Holidays whose *observed* date falls in `year`, sorted by observed date.
/// Hence 2010 lists 2010-12-31 (New Year's Day 2011) and 2011 lists no New
/// Year's Day. Juneteenth is included from 2021. Throws std::out_of_range.
std::vector<Holiday> federal_holidays(int year);

/// True if `d` is the observed date of a federal holiday (table lookup built
/// once, thread-safe). Throws std::out_of_range outside the table's years and
/// std::invalid_argument for an invalid date.
bool is_federal_holiday(Date d);

/// Strict "YYYY-MM-DD". Throws std::invalid_argument naming the input.
Date parse_date(std::string_view iso);
/// "YYYY-MM-DD".
std::string format_date(Date d);

/// Converts between simulation time and civil dates for one scenario epoch.
class Calendar {
 public:
  /// Time 0 is 00:00:00 on `epoch`. Throws std::invalid_argument if !epoch.ok().
  explicit Calendar(Date epoch);

  Date epoch() const { return epoch_; }

  /// Negative before the epoch. Throws std::invalid_argument on an invalid
  /// date or a clock field out of range (hour 0-23, minute/second 0-59).
  Time to_time(Date d, int hour = 0, int minute = 0, int second = 0) const;
  /// Throws std::out_of_range if t falls outside std::chrono's years
  /// (-32767 to 32767), where the conversion would wrap around.
  Date date_of(Time t) const;
  std::chrono::weekday weekday_of(Time t) const;
  /// Seconds since local midnight, in [0, 86400).
  Duration time_of_day(Time t) const;
  /// Throws TimeOverflow within a day of the clock's start (no midnight before).
  Time start_of_day(Time t) const;

  /// Mon-Fri and not the observed date of a federal holiday.
  bool is_business_day(Date d) const;

  /// The instant at which `business` seconds of business-day time have
  /// elapsed after `start` (8 CFR 287.7(d): "not to exceed 48 hours,
  /// excluding Saturdays, Sundays, and holidays"). Counting starts at `start`
  /// if that day is a business day, otherwise at 00:00 of the next one; so a
  /// zero duration returns `start` on a business day, else the next business
  /// midnight. A count that ends exactly at a day boundary returns that
  /// midnight (Fri 00:00 + 24h = Sat 00:00). Throws std::invalid_argument if
  /// business < 0 and std::out_of_range if the count leaves the holiday table.
  Time add_business_time(Time start, Duration business) const;
  /// Business-day seconds in [a, b); the inverse of add_business_time in the
  /// sense business_time_between(a, add_business_time(a, d)) == d.
  /// Throws std::invalid_argument if b < a.
  Duration business_time_between(Time a, Time b) const;

  /// "2011-05-31 Tue 17:00", with ":SS" appended only if seconds != 0.
  std::string format(Time t) const;

  /// Whole calendar months from the epoch's month to t's month (0 in the
  /// epoch's month, negative before it); indexes monthly series.
  int month_index(Time t) const;
  /// "YYYY-MM" of the month `month_index` months after the epoch's month.
  std::string month_label(int month_index) const;

  /// The fiscal year containing `d`, for a year that starts on day 1 of
  /// `start_month` and is named by the calendar year in which it ends
  /// (start_month 10: FY2012 = 2011-10-01..2012-09-30; start_month 1: the
  /// calendar year). Throws std::invalid_argument unless 1 <= start_month <= 12.
  static int fiscal_year(Date d, unsigned start_month);

 private:
  bool is_business_day_index(std::int64_t day_index) const;

  Date epoch_;
  std::chrono::sys_days epoch_days_;
};

}  // namespace sim
