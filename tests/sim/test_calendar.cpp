// Expected values below were worked out by hand from the statutes (5 U.S.C.
// 6103, 8 CFR 287.7(d)) and checked against OPM's published holiday lists;
// they are deliberately literal rather than recomputed with library code.
#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/calendar.hpp"

using namespace std::chrono;
using sim::Calendar;
using sim::Date;
using sim::parse_date;

namespace {

Date D(const char* iso) { return parse_date(iso); }

// (observed date, statutory date, name) as strings, for readable failures.
using Row = std::vector<std::string>;
std::vector<Row> rows(int year) {
  std::vector<Row> out;
  for (const auto& h : sim::federal_holidays(year))
    out.push_back({sim::format_date(h.date), sim::format_date(h.actual), std::string(h.name)});
  return out;
}

constexpr sim::Duration k48h = 48 * sim::kHour;

}  // namespace

TEST_CASE("federal holidays of 2010 include Christmas and next New Year's observed on the preceding Fridays",
          "[calendar]") {
  const std::vector<Row> expected{
      {"2010-01-01", "2010-01-01", "New Year's Day"},
      {"2010-01-18", "2010-01-18", "Birthday of Martin Luther King, Jr."},
      {"2010-02-15", "2010-02-15", "Washington's Birthday"},
      {"2010-05-31", "2010-05-31", "Memorial Day"},
      {"2010-07-05", "2010-07-04", "Independence Day"},  // Sunday -> Monday
      {"2010-09-06", "2010-09-06", "Labor Day"},
      {"2010-10-11", "2010-10-11", "Columbus Day"},
      {"2010-11-11", "2010-11-11", "Veterans Day"},
      {"2010-11-25", "2010-11-25", "Thanksgiving Day"},
      {"2010-12-24", "2010-12-25", "Christmas Day"},   // Saturday -> Friday
      {"2010-12-31", "2011-01-01", "New Year's Day"},  // next year's, Saturday -> Friday
  };
  CHECK(rows(2010) == expected);
}

TEST_CASE("federal holidays of 2011 have no New Year's Day because it was observed in 2010", "[calendar]") {
  const std::vector<Row> expected{
      {"2011-01-17", "2011-01-17", "Birthday of Martin Luther King, Jr."},
      {"2011-02-21", "2011-02-21", "Washington's Birthday"},
      {"2011-05-30", "2011-05-30", "Memorial Day"},
      {"2011-07-04", "2011-07-04", "Independence Day"},
      {"2011-09-05", "2011-09-05", "Labor Day"},
      {"2011-10-10", "2011-10-10", "Columbus Day"},
      {"2011-11-11", "2011-11-11", "Veterans Day"},
      {"2011-11-24", "2011-11-24", "Thanksgiving Day"},
      {"2011-12-26", "2011-12-25", "Christmas Day"},  // Sunday -> Monday
  };
  CHECK(rows(2011) == expected);
}

TEST_CASE("federal holidays of 2020 have no Juneteenth and move Independence Day to Friday", "[calendar]") {
  const std::vector<Row> expected{
      {"2020-01-01", "2020-01-01", "New Year's Day"},
      {"2020-01-20", "2020-01-20", "Birthday of Martin Luther King, Jr."},
      {"2020-02-17", "2020-02-17", "Washington's Birthday"},
      {"2020-05-25", "2020-05-25", "Memorial Day"},
      {"2020-07-03", "2020-07-04", "Independence Day"},  // Saturday -> Friday
      {"2020-09-07", "2020-09-07", "Labor Day"},
      {"2020-10-12", "2020-10-12", "Columbus Day"},
      {"2020-11-11", "2020-11-11", "Veterans Day"},
      {"2020-11-26", "2020-11-26", "Thanksgiving Day"},
      {"2020-12-25", "2020-12-25", "Christmas Day"},
  };
  CHECK(rows(2020) == expected);
}

TEST_CASE("federal holidays of 2021 number twelve observed dates including Juneteenth and New Year's 2022",
          "[calendar]") {
  const std::vector<Row> expected{
      {"2021-01-01", "2021-01-01", "New Year's Day"},
      {"2021-01-18", "2021-01-18", "Birthday of Martin Luther King, Jr."},
      {"2021-02-15", "2021-02-15", "Washington's Birthday"},
      {"2021-05-31", "2021-05-31", "Memorial Day"},
      {"2021-06-18", "2021-06-19", "Juneteenth National Independence Day"},  // Saturday -> Friday
      {"2021-07-05", "2021-07-04", "Independence Day"},                      // Sunday -> Monday
      {"2021-09-06", "2021-09-06", "Labor Day"},
      {"2021-10-11", "2021-10-11", "Columbus Day"},
      {"2021-11-11", "2021-11-11", "Veterans Day"},
      {"2021-11-25", "2021-11-25", "Thanksgiving Day"},
      {"2021-12-24", "2021-12-25", "Christmas Day"},   // Saturday -> Friday
      {"2021-12-31", "2022-01-01", "New Year's Day"},  // Saturday -> Friday of 2021
  };
  CHECK(rows(2021) == expected);
}

TEST_CASE("federal holidays of 2022 have Sunday Juneteenth and Christmas observed on Mondays", "[calendar]") {
  const std::vector<Row> expected{
      {"2022-01-17", "2022-01-17", "Birthday of Martin Luther King, Jr."},
      {"2022-02-21", "2022-02-21", "Washington's Birthday"},
      {"2022-05-30", "2022-05-30", "Memorial Day"},
      {"2022-06-20", "2022-06-19", "Juneteenth National Independence Day"},
      {"2022-07-04", "2022-07-04", "Independence Day"},
      {"2022-09-05", "2022-09-05", "Labor Day"},
      {"2022-10-10", "2022-10-10", "Columbus Day"},
      {"2022-11-11", "2022-11-11", "Veterans Day"},
      {"2022-11-24", "2022-11-24", "Thanksgiving Day"},
      {"2022-12-26", "2022-12-25", "Christmas Day"},
  };
  CHECK(rows(2022) == expected);
}

TEST_CASE("every statutory holiday of 2000-2035 is observed exactly once, on a weekday within a day of it",
          "[calendar]") {
  for (int y = 2000; y <= 2035; ++y) {
    INFO("year " << y);
    std::set<std::string> names;
    for (int oy = y - 1; oy <= y + 1; ++oy) {
      const auto list = sim::federal_holidays(oy);
      for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& h = list[i];
        CHECK(static_cast<int>(h.date.year()) == oy);
        if (i > 0) CHECK(sys_days{list[i - 1].date} < sys_days{h.date});
        const weekday wd{sys_days{h.date}};
        CHECK((wd != Saturday && wd != Sunday));
        const auto shift = (sys_days{h.date} - sys_days{h.actual}).count();
        CHECK((shift >= -1 && shift <= 1));
        CHECK(sim::is_federal_holiday(h.date));
        if (static_cast<int>(h.actual.year()) == y) CHECK(names.insert(std::string(h.name)).second);
      }
    }
    CHECK(names.size() == (y >= 2021 ? 11u : 10u));
  }
}

TEST_CASE("is_federal_holiday is true on observed dates only and rejects years outside the table", "[calendar]") {
  CHECK(sim::is_federal_holiday(D("2010-12-31")));   // New Year's 2011 observed
  CHECK_FALSE(sim::is_federal_holiday(D("2011-01-01")));  // the Saturday itself
  CHECK(sim::is_federal_holiday(D("2011-12-26")));
  CHECK_FALSE(sim::is_federal_holiday(D("2011-12-25")));
  CHECK(sim::is_federal_holiday(D("2021-06-18")));
  CHECK_FALSE(sim::is_federal_holiday(D("2020-06-19")));  // before Juneteenth became a holiday
  CHECK_FALSE(sim::is_federal_holiday(D("2011-11-25")));  // the day after Thanksgiving is not one
  CHECK(sim::is_federal_holiday(D("1990-01-01")));
  CHECK(sim::is_federal_holiday(D("2100-12-24")));  // Christmas 2100 is a Saturday
  CHECK(sim::is_federal_holiday(D("2100-12-31")));  // so is New Year's Day 2101, just past the table
  CHECK_THROWS_AS(sim::is_federal_holiday(D("1989-12-31")), std::out_of_range);
  CHECK_THROWS_AS(sim::is_federal_holiday(D("2101-01-01")), std::out_of_range);
  CHECK_THROWS_AS(sim::federal_holidays(1989), std::out_of_range);
  CHECK_THROWS_AS(sim::federal_holidays(2101), std::out_of_range);
}

TEST_CASE("business days exclude weekends and observed holidays but not the statutory weekend dates",
          "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK(cal.is_business_day(D("2011-05-31")));        // Tuesday
  CHECK_FALSE(cal.is_business_day(D("2011-06-04")));  // Saturday
  CHECK_FALSE(cal.is_business_day(D("2011-06-05")));  // Sunday
  CHECK_FALSE(cal.is_business_day(D("2011-05-30")));  // Memorial Day
  CHECK_FALSE(cal.is_business_day(D("2010-12-31")));  // New Year's 2011 observed
  CHECK(cal.is_business_day(D("2011-01-03")));        // Monday after Saturday Jan 1
  CHECK(cal.is_business_day(D("2011-11-25")));        // Friday after Thanksgiving
}

TEST_CASE("48 business hours from Friday 17:00 with no holiday end Tuesday 17:00", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-03"), 17), k48h) == cal.to_time(D("2011-06-07"), 17));
}

TEST_CASE("48 business hours from Friday 17:00 before a Monday holiday end Wednesday 17:00", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  // MLK Day Mon 2011-01-17: Fri 7h + Tue 24h + Wed 17h.
  CHECK(cal.add_business_time(cal.to_time(D("2011-01-14"), 17), k48h) == cal.to_time(D("2011-01-19"), 17));
}

TEST_CASE("48 business hours from a weekend start counting at Monday 00:00 and end Wednesday 00:00",
          "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  const sim::Time wed = cal.to_time(D("2011-06-08"));
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-04"), 10), k48h) == wed);      // Saturday
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-05"), 15, 30), k48h) == wed);  // Sunday
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-06")), k48h) == wed);          // Monday 00:00 exactly
}

TEST_CASE("48 business hours from a holiday start counting at the next business midnight", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  // Released on MLK Day 09:00: Tue 18 + Wed 19 -> Thu 20 00:00.
  CHECK(cal.add_business_time(cal.to_time(D("2011-01-17"), 9), k48h) == cal.to_time(D("2011-01-20")));
  // Released on Thanksgiving: Fri 25 (a business day) + Mon 28 -> Tue 29 00:00.
  CHECK(cal.add_business_time(cal.to_time(D("2011-11-24"), 10), k48h) == cal.to_time(D("2011-11-29")));
  // Day before Thanksgiving 12:00: Wed 12h + Fri 24h + Mon 12h.
  CHECK(cal.add_business_time(cal.to_time(D("2011-11-23"), 12), k48h) == cal.to_time(D("2011-11-28"), 12));
}

TEST_CASE("48 business hours around a weekend Christmas skip the observed weekday holiday", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  // Christmas 2010 (Sat) observed Fri 24: Thu 12h, Mon 27 24h, Tue 28 12h.
  CHECK(cal.add_business_time(cal.to_time(D("2010-12-23"), 12), k48h) == cal.to_time(D("2010-12-28"), 12));
  // Christmas 2011 (Sun) observed Mon 26: Fri 23 7h, Tue 27 24h, Wed 28 17h.
  CHECK(cal.add_business_time(cal.to_time(D("2011-12-23"), 17), k48h) == cal.to_time(D("2011-12-28"), 17));
  // New Year's 2011 observed Fri 2010-12-31: Thu 30 16h, Mon Jan 3 24h, Tue Jan 4 8h.
  CHECK(cal.add_business_time(cal.to_time(D("2010-12-30"), 8), k48h) == cal.to_time(D("2011-01-04"), 8));
  // Juneteenth 2021 (Sat) observed Fri 18: Thu 17 15h, Mon 21 24h, Tue 22 9h.
  CHECK(cal.add_business_time(cal.to_time(D("2021-06-17"), 9), k48h) == cal.to_time(D("2021-06-22"), 9));
}

TEST_CASE("business time that completes exactly at midnight ends at that midnight", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  // Friday 00:00 + 24h is reached at Saturday 00:00, not Monday 00:00.
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-03")), 24 * sim::kHour) == cal.to_time(D("2011-06-04")));
}

TEST_CASE("zero business time returns start on a business day and the next business midnight otherwise",
          "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  const sim::Time tue = cal.to_time(D("2011-05-31"), 13, 7, 5);
  CHECK(cal.add_business_time(tue, 0) == tue);
  CHECK(cal.add_business_time(cal.to_time(D("2011-06-04"), 10), 0) == cal.to_time(D("2011-06-06")));
  CHECK_THROWS_AS(cal.add_business_time(tue, -1), std::invalid_argument);
}

TEST_CASE("business time works for instants before the epoch", "[calendar]") {
  const Calendar cal{D("2011-06-01")};
  const sim::Time start = cal.to_time(D("2011-01-14"), 17);
  REQUIRE(start < 0);
  CHECK(cal.add_business_time(start, k48h) == cal.to_time(D("2011-01-19"), 17));
  CHECK(cal.business_time_between(start, cal.to_time(D("2011-01-19"), 17)) == k48h);
}

TEST_CASE("business_time_between counts only business-day seconds in a half-open interval", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  // Fri 2011-06-03 17:00 .. Mon 2011-06-06 09:00: 7h Friday + 9h Monday.
  CHECK(cal.business_time_between(cal.to_time(D("2011-06-03"), 17), cal.to_time(D("2011-06-06"), 9)) ==
        16 * sim::kHour);
  // Entirely inside a weekend.
  CHECK(cal.business_time_between(cal.to_time(D("2011-06-04"), 1), cal.to_time(D("2011-06-05"), 23)) == 0);
  // A whole non-holiday week.
  CHECK(cal.business_time_between(cal.to_time(D("2011-06-06")), cal.to_time(D("2011-06-13"))) == 5 * sim::kDay);
  // The week of Thanksgiving 2011 has four business days.
  CHECK(cal.business_time_between(cal.to_time(D("2011-11-21")), cal.to_time(D("2011-11-28"))) == 4 * sim::kDay);
  // One second ending at midnight is the previous day's.
  CHECK(cal.business_time_between(cal.to_time(D("2011-06-03"), 23, 59, 59), cal.to_time(D("2011-06-04"))) == 1);
  const sim::Time t = cal.to_time(D("2011-06-03"), 12);
  CHECK(cal.business_time_between(t, t) == 0);
  CHECK_THROWS_AS(cal.business_time_between(t, t - 1), std::invalid_argument);
}

TEST_CASE("business_time_between inverts add_business_time for random starts and durations", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  std::mt19937_64 rng{20081027};
  std::uniform_int_distribution<sim::Time> start_dist{cal.to_time(D("2000-01-01")), cal.to_time(D("2034-12-01"))};
  // Mostly short holds (to hit within-day ends), some up to 60 business days.
  std::uniform_int_distribution<sim::Duration> short_dist{0, 4 * sim::kDay};
  std::uniform_int_distribution<sim::Duration> long_dist{0, 60 * sim::kDay};
  for (int i = 0; i < 20000; ++i) {
    const sim::Time a = start_dist(rng);
    const sim::Duration d = (i % 4 == 0) ? long_dist(rng) : short_dist(rng);
    const sim::Time end = cal.add_business_time(a, d);
    INFO("start " << cal.format(a) << " duration " << d << " end " << cal.format(end));
    REQUIRE(end >= a);
    REQUIRE(cal.business_time_between(a, end) == d);
    // Minimality: one second earlier the count had not yet been reached.
    if (d > 0) REQUIRE(cal.business_time_between(a, end - 1) == d - 1);
  }
}

TEST_CASE("dates round-trip through time for every day of 40 years around the epoch", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  sys_days day{D("1995-01-01")};
  const sys_days end{D("2035-01-01")};
  sim::Time expected = -(sys_days{D("2011-01-01")} - day).count() * sim::kDay;  // known negative start
  REQUIRE(expected == -5844 * sim::kDay);  // 16 years incl. 4 leap days: 16*365 + 4
  bool all_ok = true;
  for (; day < end; day += days{1}, expected += sim::kDay) {
    const Date d{day};
    const sim::Time t = cal.to_time(d);
    const sim::Time late = cal.to_time(d, 23, 59, 59);
    const bool ok = t == expected && cal.date_of(t) == d && cal.date_of(late) == d &&
                    cal.date_of(t - 1) == Date{day - days{1}} && cal.time_of_day(t) == 0 &&
                    cal.time_of_day(late) == sim::kDay - 1 && cal.start_of_day(late) == t &&
                    cal.weekday_of(late) == weekday{day} && parse_date(sim::format_date(d)) == d;
    if (!ok) {
      FAIL_CHECK("round trip failed on " << sim::format_date(d));
      all_ok = false;
    }
  }
  CHECK(all_ok);
}

TEST_CASE("instants just before the epoch belong to the previous day", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK(cal.epoch() == D("2011-01-01"));
  CHECK(cal.to_time(D("2011-01-01")) == 0);
  CHECK(cal.date_of(-1) == D("2010-12-31"));
  CHECK(cal.time_of_day(-1) == sim::kDay - 1);
  CHECK(cal.start_of_day(-1) == -sim::kDay);
  CHECK(cal.start_of_day(-sim::kDay) == -sim::kDay);
  CHECK(cal.date_of(-sim::kDay - 1) == D("2010-12-30"));
  CHECK(cal.to_time(D("2010-12-31"), 17, 30, 15) == -sim::kDay + 17 * sim::kHour + 30 * sim::kMinute + 15);
}

TEST_CASE("weekday_of matches known weekdays", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK(cal.weekday_of(0) == Saturday);                                   // 2011-01-01
  CHECK(cal.weekday_of(cal.to_time(D("2008-10-27"), 12)) == Monday);       // Secure Communities' first day
  CHECK(cal.weekday_of(cal.to_time(D("2000-01-01"))) == Saturday);
  CHECK(cal.weekday_of(cal.to_time(D("2000-02-29"))) == Tuesday);
  CHECK(cal.weekday_of(cal.to_time(D("2011-05-31"), 23, 59, 59)) == Tuesday);
  CHECK(cal.weekday_of(cal.to_time(D("1970-01-01"))) == Thursday);
}

TEST_CASE("format shows date, weekday and HH:MM, adding seconds only when nonzero", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK(cal.format(cal.to_time(D("2011-05-31"), 17)) == "2011-05-31 Tue 17:00");
  CHECK(cal.format(cal.to_time(D("2011-05-31"), 17, 0, 5)) == "2011-05-31 Tue 17:00:05");
  CHECK(cal.format(0) == "2011-01-01 Sat 00:00");
  CHECK(cal.format(-1) == "2010-12-31 Fri 23:59:59");
  CHECK(cal.format(cal.to_time(D("2008-10-27"), 9, 5)) == "2008-10-27 Mon 09:05");
}

TEST_CASE("month_index counts calendar months from the epoch's month and month_label names them",
          "[calendar]") {
  const Calendar cal{D("2011-05-15")};
  CHECK(cal.month_index(0) == 0);
  CHECK(cal.month_index(cal.to_time(D("2011-05-01"))) == 0);
  CHECK(cal.month_index(cal.to_time(D("2011-05-31"), 23, 59, 59)) == 0);
  CHECK(cal.month_index(cal.to_time(D("2011-06-01"))) == 1);
  CHECK(cal.month_index(cal.to_time(D("2011-12-31"))) == 7);
  CHECK(cal.month_index(cal.to_time(D("2012-01-01"))) == 8);
  CHECK(cal.month_index(cal.to_time(D("2012-05-01"))) == 12);
  CHECK(cal.month_index(cal.to_time(D("2011-04-30"), 23, 59, 59)) == -1);
  CHECK(cal.month_index(cal.to_time(D("2010-05-01"))) == -12);
  CHECK(cal.month_label(0) == "2011-05");
  CHECK(cal.month_label(7) == "2011-12");
  CHECK(cal.month_label(8) == "2012-01");
  CHECK(cal.month_label(-5) == "2010-12");
  CHECK(cal.month_label(-17) == "2009-12");
  for (int i = -30; i <= 30; ++i) {
    const Date first{parse_date(cal.month_label(i) + "-01")};
    CHECK(cal.month_index(cal.to_time(first)) == i);
  }
}

TEST_CASE("fiscal_year is named by the calendar year in which the fiscal year ends", "[calendar]") {
  CHECK(Calendar::fiscal_year(D("2011-10-01"), 10) == 2012);
  CHECK(Calendar::fiscal_year(D("2011-09-30"), 10) == 2011);
  CHECK(Calendar::fiscal_year(D("2012-09-30"), 10) == 2012);
  CHECK(Calendar::fiscal_year(D("2011-12-31"), 10) == 2012);
  CHECK(Calendar::fiscal_year(D("2011-07-01"), 7) == 2012);
  CHECK(Calendar::fiscal_year(D("2011-06-30"), 7) == 2011);
  CHECK(Calendar::fiscal_year(D("2011-01-01"), 1) == 2011);
  CHECK(Calendar::fiscal_year(D("2011-12-31"), 1) == 2011);
  CHECK(Calendar::fiscal_year(D("2011-12-01"), 12) == 2012);
  CHECK(Calendar::fiscal_year(D("2011-11-30"), 12) == 2011);
  CHECK_THROWS_AS(Calendar::fiscal_year(D("2011-01-01"), 0), std::invalid_argument);
  CHECK_THROWS_AS(Calendar::fiscal_year(D("2011-01-01"), 13), std::invalid_argument);
}

TEST_CASE("parse_date accepts strict ISO dates and rejects malformed or impossible ones with a message",
          "[calendar]") {
  CHECK(parse_date("2011-05-31") == Date{year{2011}, May, day{31}});
  CHECK(parse_date("2012-02-29") == Date{year{2012}, February, day{29}});
  CHECK(sim::format_date(parse_date("0999-01-09")) == "0999-01-09");
  for (const char* bad : {"2011-13-01", "2011-00-10", "2011-02-30", "2011-02-29", "2011-04-31", "2011-05-00",
                          "20110101", "", "2011-5-31", "2011-05-31x", " 2011-05-31", "2011/05/31", "2011-0a-01",
                          "+011-05-31"}) {
    INFO("input \"" << bad << "\"");
    CHECK_THROWS_AS(parse_date(bad), std::invalid_argument);
    CHECK_THROWS_WITH(parse_date(bad), Catch::Matchers::Contains("\"" + std::string(bad) + "\""));
  }
}

TEST_CASE("to_time rejects invalid dates and clock fields out of range", "[calendar]") {
  const Calendar cal{D("2011-01-01")};
  CHECK_THROWS_AS(cal.to_time(Date{year{2011}, February, day{30}}), std::invalid_argument);
  CHECK_THROWS_AS(cal.to_time(D("2011-05-31"), 24), std::invalid_argument);
  CHECK_THROWS_AS(cal.to_time(D("2011-05-31"), 0, 60), std::invalid_argument);
  CHECK_THROWS_AS(cal.to_time(D("2011-05-31"), 0, 0, -1), std::invalid_argument);
  const Date feb30{year{2011}, February, day{30}};
  CHECK_THROWS_AS(Calendar{feb30}, std::invalid_argument);
}
