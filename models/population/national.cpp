#include "models/population/national.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "models/population/rollout_data.hpp"
#include "models/scenario/csv.hpp"
#include "models/scenario/limits.hpp"
#include "models/scenario/parse.hpp"
#include "models/scenario/error.hpp"

// How the national rollout is built from the dated facts of data/sc_rollout/
// (read by rollout_data.cpp; data/README.md gives each file's columns and sources).
//
// 1. The target. DOMAIN.md §3 counts activated counties; scsim needs the share of
//    *bookings* that went through SC. The first counties were the largest border and
//    Hispanic ones (Harris, Dallas, Los Angeles, ...; Cox & Miles 2013), so bookings
//    covered lead counties covered. We take national booking coverage =
//    (county share)^e with e = NationalSpec::coverage_exponent, 0.56 by default,
//    pinned by two independent facts:
//      - the seven pilot counties hold ≈ 3.0 % of 2010 national bookings (their share
//        of their states' residents × their states' share of jail beds) at 7/3,181 =
//        0.22 % of counties: ln 0.030 / ln 0.0022 ≈ 0.57;
//      - with e = 0.56, bookings under SC from Oct 27 2008 to May 31 2011 come to
//        ≈ 8.4 M, the seed's count of fingerprints checked. (e = 0.5 gives 9.4 M,
//        e = 0.6 about 7.7 M.) It is a calibration parameter like any other.
// 2. The states. Some states follow dated facts (state_ramps.csv: pilots; San Diego and
//    Los Angeles counties; Texas and California complete; IL/NY/MA late), and some
//    free states start on a dated first activation (forced_starts.csv: the North Carolina
//    pilots, Virginia, Florida, Louisiana; docs/sources/sc-dated-figures.md). The others
//    ("free" states) start in an order -- border states (border_first.csv), then by
//    Latinx share of the jail population -- at dates that make the number of states
//    with an activated county follow states_started.csv (DOMAIN.md §3: 11 in Oct 2009,
//    30/32 in Sep 2010, 40 in Mar 2011, 44 at end FY2011). The county counts are
//    national_counts.csv. Once started, a free state's coverage grows with a single national
//    progress variable u(t); u is solved at each table date so that the
//    booking-weighted national coverage equals the target exactly there, and is
//    linear in time in between. All states are at 1 on Jan 22 2013.
// 3. Monotone by construction: fixed ramps do not decrease, u does not decrease (if
//    fixed states alone already exceed the target, u waits), so every state's ramp and
//    the national curve are non-decreasing. Ramps say where ICE activated SC, nothing
//    else: a state's refusal (IL, NY, MA in 2011) is a `state_refuses` policy of the
//    scenario, which freezes the state's coverage while it lasts (models/pipeline/timeline.cpp).

namespace scsim {
namespace {

using sim::Date;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr Date ymd(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

/// Whole days from a to b (negative if b is earlier).
long days_between(Date a, Date b) {
  return static_cast<long>((std::chrono::sys_days{b} - std::chrono::sys_days{a}).count());
}

/// Extra dates at which national booking coverage is also pinned to the
/// county-share curve, inside long gaps of the table, so states do not drift
/// far from it between rows. Kept out of gaps that contain a large fixed step
/// (Los Angeles, Aug 27 2009): pinning the curve just before a step would make
/// the nation overshoot it just after. (Method, not data: the dated facts are
/// in data/sc_rollout/, read by rollout_data.cpp.)
const std::vector<Date> kExtraPins{ymd(2010, 1, 1), ymd(2010, 4, 1), ymd(2010, 7, 1), ymd(2012, 1, 1),
                                   ymd(2012, 4, 1), ymd(2012, 7, 1), ymd(2012, 10, 1)};

// ---------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------

constexpr std::array<std::string_view, 9> kColumns{
    "year",           "state_fips",        "state",             "state_name",               "jail_population",
    "latinx_jail_population", "jail_held_for_ice", "population_15to64", "latinx_population_15to64"};

constexpr double kMaxCount = 1e9;

[[noreturn]] void csv_error(const std::string& path, int line, int column, std::string_view key,
                            const std::string& msg) {
  throw ScenarioError(path, line, column, std::string(key), msg);
}

/// A whole number or a finite number; nullopt for anything else (the caller says what was expected).
std::optional<double> parse_number(std::string_view s) {
  const auto v = parse::to_double(s);
  return v ? std::optional<double>(v.value) : std::nullopt;
}

std::optional<int> parse_int(std::string_view s) {
  const auto v = parse::to_integer(s);
  return v && std::in_range<int>(v.value) ? std::optional<int>(static_cast<int>(v.value)) : std::nullopt;
}

/// ScenarioError coordinates from a "file:line[:column]" origin (as the loader
/// writes them); an origin that does not look like that is used as the file.
[[noreturn]] void spec_error(const NationalSpec& spec, const std::string& key, const std::string& msg) {
  std::string file = spec.origin;
  int line = 0, column = 0;
  auto take_number = [&](int& out) {
    auto pos = file.rfind(':');
    if (pos == std::string::npos) return false;
    auto n = parse_int(std::string_view(file).substr(pos + 1));
    if (!n) return false;
    out = *n;
    file.resize(pos);
    return true;
  };
  int a = 0, b = 0;
  if (take_number(a)) {
    if (take_number(b)) {
      line = b;
      column = a;
    } else {
      line = a;
    }
  }
  throw ScenarioError(file, line, column, "national." + key, msg);
}

// ---------------------------------------------------------------------------
// Rollout solver
// ---------------------------------------------------------------------------

/// One state's part in the rollout.
struct StatePlan {
  std::string code;
  double weight = 0;                    // share of national bookings
  bool fixed = false;                   // ramp given by state_ramps.csv
  std::vector<CoveragePoint> base;      // fixed ramp, or the pilot floor (free states)
  std::optional<Date> start;            // free states: first activation
  double pace = 1;                      // free states: progress per unit of national progress
};

/// Progress u(t) of the free states, piecewise linear between pins.
struct Progress {
  std::vector<Date> dates;
  std::vector<double> u;
  double at(Date d) const {
    if (dates.empty() || d <= dates.front()) return u.empty() ? 0.0 : u.front();
    if (d >= dates.back()) return u.back();
    auto it = std::upper_bound(dates.begin(), dates.end(), d);
    std::size_t i = static_cast<std::size_t>(it - dates.begin());
    double f = double(days_between(dates[i - 1], d)) / double(days_between(dates[i - 1], dates[i]));
    return u[i - 1] + (u[i] - u[i - 1]) * f;
  }
};

/// A free state's coverage: its floor F(t) plus the rest (1 - F) times its
/// progress, which is the national progress gained since the state started
/// times the state's pace, capped at 1. With NationalSpec::rollout_latinx_pace
/// = 0 every free state moves at the same pace once started; otherwise states
/// with a larger Latinx share move faster (Cox & Miles 2013). The earlier a
/// state starts the further along it is.
double free_value(const StatePlan& s, Date d, double u_now, double u_start) {
  double f = coverage_at(s.base, d);
  double p = (s.start && *s.start <= d) ? std::clamp((u_now - u_start) * s.pace, 0.0, 1.0) : 0.0;
  return f + (1.0 - f) * p;
}

/// Assigns start dates to the free states without a forced one, in `order`,
/// so that the number of states with coverage > 0 follows states_started.csv. A
/// free state's ramp is 0 on its start date and positive from the next day,
/// so a state counted on day d gets start d - 1.
void assign_starts(std::vector<StatePlan>& plans, const std::vector<std::size_t>& order, const RolloutData& data) {
  const std::vector<CoveragePoint> states_started = data.states_started_ramp();
  auto positive_on = [](const StatePlan& p, Date d) {
    if (coverage_at(p.base, d) > 0) return true;
    return !p.fixed && p.start && *p.start < d;
  };
  std::size_t next = 0;
  for (Date d = data.program_start(); next < order.size();
       d = Date{std::chrono::sys_days{d} + std::chrono::days{1}}) {
    const Date day_before{std::chrono::sys_days{d} - std::chrono::days{1}};
    if (d >= data.all_activated()) {  // defensive: the schedule reaches 51 well before this
      for (; next < order.size(); ++next) plans[order[next]].start = day_before;
      break;
    }
    int allowed = static_cast<int>(std::floor(coverage_at(states_started, d) + 1e-9));
    int started = 0;
    for (const auto& p : plans) started += positive_on(p, d);
    while (next < order.size() && started < allowed) {
      plans[order[next++]].start = day_before;
      ++started;
    }
  }
}

/// Solves the national progress at each pin so that booking-weighted coverage
/// equals the county-share curve there (exactly, up to bisection precision).
/// Between pins progress is linear in time, and a state starting inside an
/// interval starts from the interpolated progress; that keeps national
/// coverage at a pin monotone in the pin's progress, so bisection applies.
Progress solve_progress(const std::vector<StatePlan>& plans, double exponent, const RolloutData& data) {
  std::vector<Date> pins;
  for (const auto& r : data.counties) pins.push_back(r.date);
  for (Date d : kExtraPins)
    if (data.program_start() < d && d < data.all_activated()) pins.push_back(d);
  std::sort(pins.begin(), pins.end());
  pins.erase(std::unique(pins.begin(), pins.end()), pins.end());

  Progress pr;
  pr.dates.push_back(pins.front());
  pr.u.push_back(0.0);
  for (std::size_t k = 1; k < pins.size(); ++k) {
    const Date t0 = pins[k - 1], t1 = pins[k];
    const double u0 = pr.u.back();
    const double span = double(days_between(t0, t1));
    auto national = [&](double cand) {
      double sum = 0;
      for (const auto& s : plans) {
        if (s.fixed) {
          sum += s.weight * coverage_at(s.base, t1);
          continue;
        }
        double u_start = 0;
        if (s.start && *s.start <= t1)
          u_start = *s.start <= t0 ? pr.at(*s.start) : u0 + (cand - u0) * double(days_between(t0, *s.start)) / span;
        sum += s.weight * free_value(s, t1, cand, u_start);
      }
      return sum;
    };
    const double target = t1 >= data.all_activated() ? 1.0 : national_booking_coverage(data, t1, exponent);
    double lo = u0, hi = u0 + 1;
    if (national(lo) >= target) {
      // Fixed states alone already reach the curve: free states wait.
      pr.dates.push_back(t1);
      pr.u.push_back(u0);
      continue;
    }
    while (national(hi) < target && hi - u0 < 1e6) hi = u0 + 2 * (hi - u0);
    for (int i = 0; i < 200; ++i) {
      double mid = 0.5 * (lo + hi);
      (national(mid) < target ? lo : hi) = mid;
    }
    pr.dates.push_back(t1);
    pr.u.push_back(hi);
  }
  return pr;
}

/// Samples every state's coverage on the dates that matter (pins, month
/// starts, fixed knots, start dates) and keeps the points needed to
/// reproduce it by linear interpolation.
std::vector<CoveragePoint> ramp_for(const StatePlan& s, const Progress& pr, const std::vector<Date>& grid) {
  std::vector<CoveragePoint> pts;
  for (Date d : grid) {
    double v;
    if (d >= grid.back())  // the date every county was activated
      v = 1.0;
    else if (s.fixed)
      v = coverage_at(s.base, d);
    else
      v = free_value(s, d, pr.at(d), s.start ? pr.at(*s.start) : 0.0);
    if (v > 1.0 - 1e-12) v = 1.0;
    pts.push_back({d, v});
  }
  // Leading zeros: keep only the one just before the first positive value
  // (coverage_at is 0 before the first point anyway). The grid ends on
  // the date all counties were activated, with 1.0, so a positive value exists.
  std::size_t first = 0;
  while (first < pts.size() && pts[first].fraction == 0.0) ++first;
  if (first > 0) --first;
  // Nothing after the first 1.0 (the last value holds).
  std::size_t last = first;
  while (last + 1 < pts.size() && pts[last].fraction < 1.0) ++last;
  std::vector<CoveragePoint> kept(pts.begin() + static_cast<long>(first), pts.begin() + static_cast<long>(last) + 1);
  // Drop interior points that lie on the line through their neighbours.
  std::vector<CoveragePoint> out;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (!out.empty() && i + 1 < kept.size()) {
      const auto& a = out.back();
      const auto& c = kept[i + 1];
      double f = double(days_between(a.date, kept[i].date)) / double(days_between(a.date, c.date));
      if (std::abs(a.fraction + (c.fraction - a.fraction) * f - kept[i].fraction) < 1e-12) continue;
    }
    out.push_back(kept[i]);
  }
  return out;
}

/// The dates of sample_grid: from the program start to the date all counties were activated (the last).
std::vector<Date> sample_grid(const std::vector<StatePlan>& plans, const RolloutData& data) {
  const Date first = data.program_start(), all = data.all_activated();
  std::set<Date> g{first, all};
  for (const auto& r : data.counties) g.insert(r.date);
  for (Date d : kExtraPins) g.insert(d);
  const Date first_month = (std::chrono::year_month{first.year(), first.month()} + std::chrono::months{1}) / day{1};
  for (Date d = first_month; d < all; d += std::chrono::months{1}) g.insert(d);
  for (const auto& s : plans) {
    for (const auto& p : s.base) g.insert(p.date);
    if (s.start) g.insert(*s.start);
  }
  std::vector<Date> out;
  for (Date d : g)
    if (d >= first && d <= all) out.push_back(d);
  return out;
}

/// Coverage ramps for the states in `rows` (which hold the spec year's 51 rows).
std::map<std::string, std::vector<CoveragePoint>> build_ramps(const std::vector<StateJailRow>& rows,
                                                              const RolloutData& data, double exponent,
                                                              double latinx_pace) {
  double total = 0, latinx = 0;
  for (const auto& r : rows) {
    total += r.jail_population;
    latinx += r.jail_population * r.latinx_share();
  }
  latinx /= total;  // booking-weighted national Latinx share
  std::vector<StatePlan> plans;
  for (const auto& r : rows) {
    StatePlan p;
    p.code = r.state;
    p.weight = r.jail_population / total;  // bookings share: one turnover for all states
    for (const auto& f : data.state_ramps)
      if (f.state == r.state) {
        p.fixed = true;
        p.base = f.ramp;
      }
    for (const auto& f : data.forced_starts)
      if (f.state == r.state) {
        p.start = f.start;
        if (f.floor > 0) p.base = {{f.start, f.floor}};  // the pilot counties, covered from the start
      }
    // Pace relative to the national Latinx share; floored so that no state stalls.
    if (latinx_pace > 0) p.pace = std::max(0.02, std::pow(r.latinx_share() / latinx, latinx_pace));
    plans.push_back(std::move(p));
  }
  // Rank the remaining free states: border first, then by Latinx share of the
  // jail population (Cox & Miles 2013), ties by postal code.
  std::vector<std::size_t> order;
  for (const auto& b : data.border_first)
    for (std::size_t i = 0; i < plans.size(); ++i)
      if (plans[i].code == b.state && !plans[i].fixed && !plans[i].start) order.push_back(i);
  std::vector<std::size_t> rest;
  for (std::size_t i = 0; i < plans.size(); ++i)
    if (!plans[i].fixed && !plans[i].start && std::find(order.begin(), order.end(), i) == order.end())
      rest.push_back(i);
  std::sort(rest.begin(), rest.end(), [&](std::size_t a, std::size_t b) {
    double la = rows[a].latinx_share(), lb = rows[b].latinx_share();
    return la != lb ? la > lb : rows[a].state < rows[b].state;
  });
  order.insert(order.end(), rest.begin(), rest.end());
  assign_starts(plans, order, data);

  Progress pr = solve_progress(plans, exponent, data);
  std::vector<Date> grid = sample_grid(plans, data);
  std::map<std::string, std::vector<CoveragePoint>> out;
  for (const auto& s : plans) out[s.code] = ramp_for(s, pr, grid);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------

std::string default_rollout_dir(const std::string& data_file) {
  return (std::filesystem::path(data_file).parent_path() / "sc_rollout").string();
}

double national_county_share(const RolloutData& data, sim::Date d) {
  const auto& table = data.counties;
  if (d < table.front().date) return 0.0;
  if (d >= table.back().date) return 1.0;
  auto it = std::upper_bound(table.begin(), table.end(), d, [](Date x, const DatedCount& r) { return x < r.date; });
  const auto& b = *it;
  const auto& a = *(it - 1);
  double f = double(days_between(a.date, d)) / double(days_between(a.date, b.date));
  return (a.count + (b.count - a.count) * f) / double(kUsCounties);
}

double national_booking_coverage(const RolloutData& data, sim::Date d, double exponent) {
  double c = national_county_share(data, d);
  return c <= 0 ? 0.0 : std::pow(c, exponent);
}

double coverage_at(const std::vector<CoveragePoint>& ramp, sim::Date d) {
  if (ramp.empty() || d < ramp.front().date) return 0.0;
  if (d >= ramp.back().date) return ramp.back().fraction;
  auto it = std::upper_bound(ramp.begin(), ramp.end(), d, [](Date x, const CoveragePoint& p) { return x < p.date; });
  const auto& b = *it;
  const auto& a = *(it - 1);
  double f = double(days_between(a.date, d)) / double(days_between(a.date, b.date));
  return a.fraction + (b.fraction - a.fraction) * f;
}

double StateJailRow::latinx_share() const {
  if (latinx_jail_population) return *latinx_jail_population / jail_population;
  // Fallback where Vera reports no Latinx jail count (the unified prison-jail
  // states CT, DE, HI, RI, VT in most years): the state's Latinx share of
  // residents aged 15-64. Residents understate the jail share in most states
  // that do report it, so this is conservative.
  return population_15to64 > 0 ? latinx_population_15to64 / population_15to64 : 0.0;
}

std::vector<StateJailRow> read_state_jails_csv(const std::string& path) {
  return parse_state_jails_csv(csv::read_file(path, limits::kDataBytes, "national.data_file", "the state jail data file"),
                               path);
}

std::vector<StateJailRow> parse_state_jails_csv(std::string_view text, const std::string& path) {
  if (text.size() > limits::kDataBytes)
    csv_error(path, 0, 0, "national.data_file", "the state jail data file is larger than the limit (models/limits.hpp)");
  parse::check_text(text, path, "");
  std::vector<StateJailRow> rows;
  std::set<std::pair<int, std::string>> seen;
  // The Vera extract has no quoted fields, so a quote is an error rather than something to interpret.
  for (const csv::Row& row : csv::read_table(text, path, kColumns, csv::SplitOptions{.quotes = false, .trim = false})) {
    const int line_no = row.line;
    const auto& fields = row.fields;
    auto number = [&](std::size_t i, bool optional) -> std::optional<double> {
      const csv::Field& f = fields[i];
      if (f.text.empty()) {
        if (optional) return std::nullopt;
        csv_error(path, line_no, f.column, kColumns[i], "value is required");
      }
      auto v = parse_number(f.text);
      if (!v) csv_error(path, line_no, f.column, kColumns[i], "'" + std::string(f.text) + "' is not a number");
      if (*v < 0) csv_error(path, line_no, f.column, kColumns[i], "'" + std::string(f.text) + "' is negative");
      // Counts of people in one state: beyond this they are a typo, and sums over states would overflow.
      if (*v > kMaxCount)
        csv_error(path, line_no, f.column, kColumns[i], "'" + std::string(f.text) + "' is more people than live in the US");
      return v;
    };
    StateJailRow r;
    r.line = line_no;
    auto y = parse_int(fields[0].text);
    if (!y)
      csv_error(path, line_no, fields[0].column, kColumns[0], "'" + std::string(fields[0].text) + "' is not a year");
    r.year = *y;
    if (!parse_int(fields[1].text))
      csv_error(path, line_no, fields[1].column, kColumns[1],
                "'" + std::string(fields[1].text) + "' is not a FIPS code");
    r.state = std::string(fields[2].text);
    if (!is_state_code(r.state))
      csv_error(path, line_no, fields[2].column, kColumns[2],
                "'" + r.state + "' is not the postal code of a state or DC");
    r.state_name = std::string(fields[3].text);
    if (r.state_name.empty()) csv_error(path, line_no, fields[3].column, kColumns[3], "value is required");
    r.jail_population = *number(4, false);
    if (r.jail_population <= 0) csv_error(path, line_no, fields[4].column, kColumns[4], "must be positive");
    r.latinx_jail_population = number(5, true);
    r.jail_held_for_ice = number(6, true);
    r.population_15to64 = *number(7, false);
    r.latinx_population_15to64 = *number(8, false);
    if (!seen.insert({r.year, r.state}).second)
      csv_error(path, line_no, fields[2].column, kColumns[2],
                "second row for " + r.state + " in " + std::to_string(r.year));
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<StateJailRow> state_rows_for_year(const std::vector<StateJailRow>& rows, int year_wanted,
                                              const std::string& path) {
  std::vector<StateJailRow> out;
  int last_line = 1;
  for (const auto& r : rows) {
    last_line = std::max(last_line, r.line);
    if (r.year == year_wanted) out.push_back(r);
  }
  if (out.size() == kStateCodes.size()) return out;
  std::string missing;
  for (std::string_view s : kStateCodes)
    if (std::none_of(out.begin(), out.end(), [&](const StateJailRow& r) { return r.state == s; }))
      missing += (missing.empty() ? "" : ", ") + std::string(s);
  // Point at the last row of that year if there is one, else at the end of the file.
  int line = out.empty() ? last_line : out.back().line;
  csv_error(path, line, 1, out.empty() ? kColumns[0] : kColumns[2],
            "year " + std::to_string(year_wanted) + (out.empty() ? " has no rows" : " lacks rows for " + missing) +
                " (the 50 states and DC are needed)");
}

std::vector<Jurisdiction> build_national(const NationalSpec& spec, const Jurisdiction& prototype) {
  if (!(spec.annual_turnover > 0)) spec_error(spec, "annual_turnover", "must be positive");
  if (!(spec.coverage_exponent > 0 && spec.coverage_exponent <= 1))
    spec_error(spec, "coverage_exponent", "must be in (0, 1] (concave: booking coverage leads county coverage)");
  for (const auto& [code, ramp] : spec.state_ramps) {
    if (!is_state_code(code)) spec_error(spec, "state_ramps." + code, "not the postal code of a state or DC");
    for (std::size_t i = 0; i < ramp.size(); ++i) {
      if (!(ramp[i].fraction >= 0 && ramp[i].fraction <= 1))
        spec_error(spec, "state_ramps." + code, "fractions must be in [0, 1]");
      if (i > 0 && !(ramp[i - 1].date < ramp[i].date))
        spec_error(spec, "state_ramps." + code, "dates must be strictly increasing");
    }
  }

  auto rows = state_rows_for_year(read_state_jails_csv(spec.data_file), spec.year, spec.data_file);
  const RolloutData data =
      read_rollout_data(spec.rollout_dir.empty() ? default_rollout_dir(spec.data_file) : spec.rollout_dir);
  auto ramps = build_ramps(rows, data, spec.coverage_exponent, spec.rollout_latinx_pace);

  std::vector<Jurisdiction> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    Jurisdiction j = prototype;
    j.state = r.state;
    j.id = r.state;
    std::transform(j.id.begin(), j.id.end(), j.id.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    j.name = r.state_name;
    j.bookings_per_day = r.jail_population * spec.annual_turnover / 365.0;
    j.population.group_mix = prototype.population.noncitizens.group_mix(r.latinx_share());
    j.activation.reset();
    auto over = spec.state_ramps.find(r.state);
    j.coverage = over != spec.state_ramps.end() ? over->second : ramps.at(r.state);
    j.origin = spec.data_file + ":" + std::to_string(r.line);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace scsim
