#include "sim/calendar.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdio>
#include <stdexcept>

namespace sim {
namespace {

using namespace std::chrono;

constexpr sys_days kTableBegin = sys_days{year{kFirstHolidayYear} / January / 1};
constexpr sys_days kTableEnd = sys_days{year{kLastHolidayYear + 1} / January / 1};
constexpr std::size_t kTableDays = static_cast<std::size_t>((kTableEnd - kTableBegin).count());
constexpr std::size_t kTableYears = kLastHolidayYear - kFirstHolidayYear + 1;
// The years std::chrono::year_month_day represents.
constexpr sys_days kCivilBegin = sys_days{year::min() / January / 1};
constexpr sys_days kCivilEnd = sys_days{year::max() / December / 31};

// 5 U.S.C. 6103(b): for employees on a Mon-Fri schedule a Saturday holiday is
// taken the Friday before and a Sunday holiday the Monday after.
Date observed(Date actual) {
  const sys_days d{actual};
  const weekday wd{d};
  if (wd == Saturday) return d - days{1};
  if (wd == Sunday) return d + days{1};
  return actual;
}

struct Tables {
  std::array<std::vector<Holiday>, kTableYears> by_year;
  // One bit per day: is_business_day sits on hot paths (millions of calls),
  // so weekends and observed holidays are folded into a single lookup.
  std::bitset<kTableDays> holiday;
  std::bitset<kTableDays> business;
};

// Built once on first use; function-local static init is thread-safe.
const Tables& tables() {
  static const Tables t = [] {
    Tables tb;
    // Statutory dates are generated one year past the table because only
    // New Year's Day can be observed in the previous year (Jan 1 on a
    // Saturday); nothing is ever observed in the following year.
    for (int yi = kFirstHolidayYear; yi <= kLastHolidayYear + 1; ++yi) {
      const year y{yi};
      auto add = [&](Date actual, std::string_view name) {
        const Date obs = observed(actual);
        const int oy = static_cast<int>(obs.year());
        if (oy < kFirstHolidayYear || oy > kLastHolidayYear) return;
        tb.by_year[static_cast<std::size_t>(oy - kFirstHolidayYear)].push_back({obs, actual, name});
        tb.holiday.set(static_cast<std::size_t>((sys_days{obs} - kTableBegin).count()));
      };
      add(y / January / 1, "New Year's Day");
      add(Date{y / January / Monday[3]}, "Birthday of Martin Luther King, Jr.");
      add(Date{y / February / Monday[3]}, "Washington's Birthday");
      add(Date{y / May / Monday[last]}, "Memorial Day");
      if (yi >= 2021) add(y / June / 19, "Juneteenth National Independence Day");
      add(y / July / 4, "Independence Day");
      add(Date{y / September / Monday[1]}, "Labor Day");
      add(Date{y / October / Monday[2]}, "Columbus Day");
      add(y / November / 11, "Veterans Day");
      add(Date{y / November / Thursday[4]}, "Thanksgiving Day");
      add(y / December / 25, "Christmas Day");
    }
    for (auto& v : tb.by_year)
      std::sort(v.begin(), v.end(), [](const Holiday& a, const Holiday& b) { return sys_days{a.date} < sys_days{b.date}; });
    for (std::size_t i = 0; i < kTableDays; ++i) {
      const weekday wd{kTableBegin + days{static_cast<int>(i)}};
      tb.business[i] = wd != Saturday && wd != Sunday && !tb.holiday[i];
    }
    return tb;
  }();
  return t;
}

std::size_t table_index(sys_days d) {
  if (d < kTableBegin || d >= kTableEnd)
    throw std::out_of_range("calendar: " +
                            (d >= kCivilBegin && d <= kCivilEnd ? format_date(Date{d}) : std::string("a day beyond the civil years")) +
                            " is outside the holiday table (" +
                            std::to_string(kFirstHolidayYear) + "-" + std::to_string(kLastHolidayYear) + ")");
  return static_cast<std::size_t>((d - kTableBegin).count());
}

// Simulation time may be negative (before the epoch); C++ division truncates
// toward zero, which would put 1 s before the epoch on the epoch's own day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr std::array<const char*, 7> kWeekdayAbbrev{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

}  // namespace

std::vector<Holiday> federal_holidays(int year) {
  if (year < kFirstHolidayYear || year > kLastHolidayYear)
    throw std::out_of_range("federal_holidays: year " + std::to_string(year) + " is outside " +
                            std::to_string(kFirstHolidayYear) + "-" + std::to_string(kLastHolidayYear));
  return tables().by_year[static_cast<std::size_t>(year - kFirstHolidayYear)];
}

bool is_federal_holiday(Date d) {
  if (!d.ok()) throw std::invalid_argument("is_federal_holiday: invalid date");
  return tables().holiday[table_index(sys_days{d})];
}

Date parse_date(std::string_view iso) {
  auto fail = [iso](const char* why) {
    throw std::invalid_argument("parse_date: \"" + std::string(iso) + "\" is not a valid date: " + why);
  };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') fail("expected YYYY-MM-DD");
  auto number = [&](std::size_t pos, std::size_t len) {
    unsigned v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (iso[i] < '0' || iso[i] > '9') fail("expected YYYY-MM-DD");
      v = v * 10 + static_cast<unsigned>(iso[i] - '0');
    }
    return v;
  };
  const Date d{year{static_cast<int>(number(0, 4))}, month{number(5, 2)}, day{number(8, 2)}};
  if (!d.month().ok()) fail("month must be 01-12");
  if (!d.ok()) fail("no such day in that month");
  return d;
}

std::string format_date(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

Calendar::Calendar(Date epoch) : epoch_(epoch), epoch_days_(epoch.ok() ? sys_days{epoch} : sys_days{}) {
  if (!epoch.ok()) throw std::invalid_argument("Calendar: invalid epoch date");
}

Time Calendar::to_time(Date d, int hour, int minute, int second) const {
  if (!d.ok()) throw std::invalid_argument("Calendar::to_time: invalid date");
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    throw std::invalid_argument("Calendar::to_time: clock time out of range on " + format_date(d));
  return (sys_days{d} - epoch_days_).count() * kDay + hour * kHour + minute * kMinute + second;
}

Date Calendar::date_of(Time t) const {
  // std::chrono's conversion wraps around quietly outside its years; say so instead.
  const sys_days d = epoch_days_ + days{floor_div(t, kDay)};
  if (d < kCivilBegin || d > kCivilEnd)
    throw std::out_of_range("Calendar::date_of: time " + std::to_string(t) +
                            " s is outside the civil calendar (years -32767 to 32767)");
  return Date{d};
}

weekday Calendar::weekday_of(Time t) const { return weekday{epoch_days_ + days{floor_div(t, kDay)}}; }

Duration Calendar::time_of_day(Time t) const {
  const Duration r = t % kDay;
  return r < 0 ? r + kDay : r;
}

Time Calendar::start_of_day(Time t) const {
  Time r;
  if (__builtin_sub_overflow(t, time_of_day(t), &r))  // within a day of the clock's start
    throw TimeOverflow("Calendar::start_of_day: the midnight before time " + std::to_string(t) +
                       " s is before the int64 clock begins");
  return r;
}

bool Calendar::is_business_day(Date d) const {
  if (!d.ok()) throw std::invalid_argument("Calendar::is_business_day: invalid date");
  return tables().business[table_index(sys_days{d})];
}

bool Calendar::is_business_day_index(std::int64_t day_index) const {
  return tables().business[table_index(epoch_days_ + days{day_index})];
}

Time Calendar::add_business_time(Time start, Duration business) const {
  if (business < 0) throw std::invalid_argument("Calendar::add_business_time: negative duration");
  if (business > static_cast<Duration>(kTableDays) * kDay)  // would walk off the table day by day
    throw std::out_of_range("Calendar::add_business_time: " + std::to_string(business) +
                            " s of business time reach beyond the holiday table (" + std::to_string(kFirstHolidayYear) +
                            "-" + std::to_string(kLastHolidayYear) + ")");
  std::int64_t day = floor_div(start, kDay);
  Duration into_day = time_of_day(start);
  while (!is_business_day_index(day)) {
    ++day;
    into_day = 0;
  }
  for (;;) {
    // `<=`: a count that completes exactly at midnight ends at that midnight,
    // not at the start of the next business day.
    if (business <= kDay - into_day) return day * kDay + into_day + business;
    business -= kDay - into_day;
    do ++day;
    while (!is_business_day_index(day));
    into_day = 0;
  }
}

Duration Calendar::business_time_between(Time a, Time b) const {
  if (b < a) throw std::invalid_argument("Calendar::business_time_between: b < a");
  if (b == a) return 0;
  Duration total = 0;
  const std::int64_t last = floor_div(b - 1, kDay);  // the day holding the last counted second
  for (std::int64_t day = floor_div(a, kDay); day <= last; ++day) {
    if (!is_business_day_index(day)) continue;
    total += std::min(b, (day + 1) * kDay) - std::max(a, day * kDay);
  }
  return total;
}

std::string Calendar::format(Time t) const {
  const Duration tod = time_of_day(t);
  const auto h = static_cast<int>(tod / kHour), m = static_cast<int>(tod % kHour / kMinute),
             s = static_cast<int>(tod % kMinute);
  char buf[32];
  if (s != 0)
    std::snprintf(buf, sizeof buf, " %s %02d:%02d:%02d", kWeekdayAbbrev[weekday_of(t).c_encoding()], h, m, s);
  else
    std::snprintf(buf, sizeof buf, " %s %02d:%02d", kWeekdayAbbrev[weekday_of(t).c_encoding()], h, m);
  return format_date(date_of(t)) + buf;
}

int Calendar::month_index(Time t) const {
  const Date d = date_of(t);
  return (static_cast<int>(d.year()) - static_cast<int>(epoch_.year())) * 12 +
         (static_cast<int>(static_cast<unsigned>(d.month())) - static_cast<int>(static_cast<unsigned>(epoch_.month())));
}

std::string Calendar::month_label(int month_index) const {
  // year_month + months normalises negative offsets into the previous years.
  const year_month ym = epoch_.year() / epoch_.month() + months{month_index};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
  return buf;
}

int Calendar::fiscal_year(Date d, unsigned start_month) {
  if (start_month < 1 || start_month > 12)
    throw std::invalid_argument("Calendar::fiscal_year: start_month must be 1-12, got " + std::to_string(start_month));
  const int y = static_cast<int>(d.year());
  // Named by the year it ends in: months from start_month onward belong to
  // the FY ending next calendar year (never the case when start_month is 1).
  return (start_month != 1 && static_cast<unsigned>(d.month()) >= start_month) ? y + 1 : y;
}

}  // namespace sim
