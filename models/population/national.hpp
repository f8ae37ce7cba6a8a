#pragma once
/// The national model: the 50 states and DC as jurisdictions, built from the
/// Vera Institute of Justice Incarceration Trends state file
/// (data/us_state_jails_2005_2016.csv), each with an activation-coverage ramp
/// that makes the national rollout follow DOMAIN.md §3's table; the table and
/// the other dated facts of the rollout are data too (data/sc_rollout/,
/// models/population/rollout_data.hpp).
///
/// Coverage is measured in *bookings*, not counties: a state's coverage at a
/// date is the share of its bookings made in counties where Secure
/// Communities was active. The national table counts counties, and the first
/// counties were the big border and Hispanic ones (Cox & Miles 2013), so
/// booking coverage leads county coverage. The mapping used here is
///
///     national booking coverage = (activated counties / 3,181) ^ exponent
///
/// with exponent = NationalSpec::coverage_exponent (0.56 by default; see
/// national.cpp for the two facts that pin it). The builder then spreads that
/// national curve over the states in a documented activation order.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/population/rollout_data.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/calendar.hpp"

namespace scsim {

/// The rollout directory a spec without `rollout_dir` uses: sc_rollout/ beside
/// the state jail file (data/sc_rollout/ for data/us_state_jails_2005_2016.csv).
std::string default_rollout_dir(const std::string& data_file);

/// Share of the nation's 3,181 counties activated on `d`: the county counts of
/// `data` (national_counts.csv), linear between its rows, 0 before the first
/// and 1 from the last.
double national_county_share(const RolloutData& data, sim::Date d);

/// National share of bookings covered on `d` implied by the county share:
/// national_county_share(data, d) ^ exponent.
double national_booking_coverage(const RolloutData& data, sim::Date d, double exponent);

/// A coverage ramp read at a civil date: linear between points (by day), 0
/// before the first point, the last value after the last. Points must be in
/// increasing date order (as the builder and the loader produce them).
double coverage_at(const std::vector<CoveragePoint>& ramp, sim::Date d);

/// One validated row of the Vera state file.
struct StateJailRow {
  int year = 0;
  std::string state;        // postal code, e.g. "CA"
  std::string state_name;   // e.g. "California"
  double jail_population = 0;
  std::optional<double> latinx_jail_population;  // blank in some states and years
  std::optional<double> jail_held_for_ice;       // blank in some states and years
  double population_15to64 = 0;
  double latinx_population_15to64 = 0;
  int line = 0;             // 1-based line in the file, for messages and origins

  /// Latinx share of the jail population; where the jail count is blank, the
  /// state's Latinx share of residents aged 15-64 stands in for it.
  double latinx_share() const;
};

/// Reads the Vera state CSV strictly: the header must match exactly, every
/// row must have 9 fields, numbers must parse completely and be >= 0, state
/// codes must be one of the 50 states + DC, and (year, state) must be unique.
/// Throws ScenarioError("file:line:column: column_name: message").
std::vector<StateJailRow> read_state_jails_csv(const std::string& path);
/// The same from the file's text (tests, fuzzing); messages name `path`.
std::vector<StateJailRow> parse_state_jails_csv(std::string_view text, const std::string& path);

/// The 51 rows (50 states + DC, in file order) of `year`; throws ScenarioError
/// naming the file when the year is absent or some states are missing.
std::vector<StateJailRow> state_rows_for_year(const std::vector<StateJailRow>& rows, int year,
                                              const std::string& path);

/// The 50 states + DC as jurisdictions (id "ca", state "CA", name "California").
/// Each starts as a copy of `prototype` (the scenario defaults) and gets
/// bookings_per_day = jail_population x annual_turnover / 365, a group mix
/// from the state's Latinx share (see NationalSpec) and a coverage ramp; a
/// ramp in spec.state_ramps replaces the computed one for that state (the
/// other states keep theirs, so national coverage then departs from the table,
/// which is what a what-if about one state wants). spec.data_file and
/// spec.rollout_dir are used as given (the loader resolves them against the
/// scenario file); an empty rollout_dir means default_rollout_dir(data_file).
std::vector<Jurisdiction> build_national(const NationalSpec& spec, const Jurisdiction& prototype);

}  // namespace scsim
