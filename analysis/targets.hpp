#pragma once
/// Calibration and validation targets: observed figures a scenario should
/// reproduce, read from a CSV with the columns
///
///     metric,scope,as_of,value,tolerance,source
///
///   metric     a count metric of the simulator (models/metrics.hpp, e.g.
///              `ice_bookings_level1`, `end_removed`), or a ratio of two
///              written `A/B` (e.g. `ice_bookings_noncriminal/ice_bookings`)
///   scope      `national`, a state code (national scenarios and states with
///              several jurisdictions) or a jurisdiction id
///   as_of      YYYY-MM-DD: the count runs from the period start to the end of
///              that day (a ratio is of two such counts)
///   value      the observed figure (a count, or a ratio in [0, 1] terms)
///   tolerance  allowed relative error, `0.05` or `5%`
///   source     free text; quote it ("...") if it holds commas
///
/// Lines starting with `#` and blank lines are skipped. Every problem is a
/// ScenarioError "FILE:LINE:COL: COLUMN: message"; the scenario-dependent
/// checks (scope exists, date inside the period) come from validate_targets.
///
/// Simulated values: the simulator records months, so a count as of a day
/// inside a month takes that month's count pro rata by time (exact at month
/// ends). Counts of a run with volume_scale != 1 are divided by volume_scale,
/// so a quick scaled run estimates full-scale counts; ratios are unscaled.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analytic.hpp"
#include "models/pipeline/journey.hpp"
#include "models/scenario/scenario.hpp"
#include "sim/stats.hpp"

namespace scsim {

/// A metric by its snake_case name (metric_name), if it is one.
std::optional<Metric> metric_by_name(std::string_view name);

struct Target {
  std::string metric;               // as written
  Metric numerator{};
  std::optional<Metric> denominator;
  std::string scope;
  sim::Date as_of{};
  double value = 0;
  double tolerance = 0;             // relative
  std::string source;
  std::string file;
  int line = 0;
  int scope_column = 1, as_of_column = 1;  // where those fields start, for messages
  std::string label() const;        // "ice_bookings_level1 national 2011-05-31"
  bool is_ratio() const { return denominator.has_value(); }
};

struct Targets {
  std::string path;
  std::vector<Target> items;
};

/// Reads and checks a targets CSV (syntax, metric names, numbers).
Targets read_targets(const std::string& path);
/// Same from text (tests); messages name `display_name`.
Targets parse_targets(std::string_view text, const std::string& display_name);

/// Checks every target against a scenario: the scope exists and the as-of
/// date lies within the period. Throws ScenarioError naming the file and line.
void validate_targets(const Targets& t, const Scenario& sc);

/// A target's value in one replication (see the header comment for months and volume_scale).
double simulated_value(const Target& t, const Scenario& sc, const ReplicationResult& r);
/// A target's expected value from the analytic chain (counts divided by volume_scale).
double analytic_value(const Target& t, const Scenario& sc, const AnalyticResult& a);

/// One target against replications.
struct TargetCheck {
  const Target* target = nullptr;
  sim::Estimate simulated{};        // mean and 95% interval across replications
  double relative_error = 0;        // (mean - observed) / observed
  bool pass = false;                // |relative_error| <= tolerance
};
std::vector<TargetCheck> check_targets(const Targets& t, const Scenario& sc,
                                       const std::vector<ReplicationResult>& reps);

/// targets_check.csv: metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,tolerance,pass,source
std::string targets_check_csv(const std::vector<TargetCheck>& checks);

}  // namespace scsim
