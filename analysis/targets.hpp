#pragma once
/// Calibration and validation targets: observed figures a scenario should
/// reproduce, read from a CSV with the columns
///
///     metric,scope,as_of,value,kind,tolerance,source
///
/// (`kind` may be left out, the header then being
/// metric,scope,as_of,value,tolerance,source: every target is then `point`.)
///
///   metric     a count metric of the simulator (models/metrics.hpp, e.g.
///              `ice_bookings_level1`, `end_removed`), or a ratio of two
///              written `A/B` (e.g. `ice_bookings_noncriminal/ice_bookings`)
///   scope      `national`, a state code (national scenarios and states with
///              several jurisdictions) or a jurisdiction id
///   as_of      YYYY-MM-DD: the count runs from the period start to the end of
///              that day (a ratio is of two such counts); or a window
///              FROM..TO (2011-01-01..2011-12-31): the count of those days,
///              both included (a published figure for one year of a longer run)
///   value      the observed figure (a count, or a ratio in [0, 1] terms)
///   kind       how the source states the figure, which sets the interval a
///              simulated value must fall in to pass (X = value):
///                point      X as given, within ±tolerance   [X(1-tol), X(1+tol)]
///                exact      the same check as point; the source gives X exactly
///                           (a count such as 61,234 rather than a round figure)
///                more_than  "more than X" / "over X": at least X, at most +15 %
///                                                            [X, 1.15 X]
///                approx     "≈ X", "about X", a round figure: ±5 %
///                                                            [0.95 X, 1.05 X]
///                just_over  "just over X": X to +5 %         [X, 1.05 X]
///                less_than  "fewer than X" / "under X": at most X, the mirror of
///                           more_than                        [X / 1.15, X]
///              The ends are included.
///   tolerance  `0.05` or `5%`: for point and exact, the allowed relative
///              error; for every kind, the unit of calibration residuals
///              (target_residual: a range figure outside its interval by
///              tolerance x X, or a point figure off by that much, is one
///              unit off)
///   source     free text; quote it ("...") if it holds commas. The shipped
///              files quote the source's wording there ("more than 8.4 million")
///
/// Lines starting with `#` and blank lines are skipped. Every problem is a
/// ScenarioError "FILE:LINE:COL: COLUMN: message"; the scenario-dependent
/// checks (scope exists, date inside the period) come from validate_targets.
///
/// Simulated values: the simulator records months, so a count as of a day
/// inside a month takes that month's count pro rata by time (exact at month
/// ends). Counts of a run with volume_scale != 1 are divided by volume_scale,
/// so a quick scaled run estimates full-scale counts; ratios are unscaled.
#include <array>
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

/// How a source states a figure (see the header comment).
enum class TargetKind { point, exact, more_than, approx, just_over, less_than };
inline constexpr std::array<std::string_view, 6> kTargetKindNames{"point",  "exact",     "more_than",
                                                                  "approx", "just_over", "less_than"};
std::string_view target_kind_name(TargetKind k);

struct Target {
  std::string metric;               // as written
  Metric numerator{};
  std::optional<Metric> denominator;
  std::string scope;
  sim::Date as_of{};
  std::optional<sim::Date> from;    // a window from..as_of; none: from the period start
  double value = 0;
  double tolerance = 0;             // relative
  TargetKind kind = TargetKind::point;
  std::string source;
  std::string file;
  int line = 0;
  int scope_column = 1, as_of_column = 1;  // where those fields start, for messages
  std::string label() const;        // "ice_bookings_level1 national 2011-05-31"
  std::string dates() const;        // "2011-05-31" or "2011-01-01..2011-12-31"
  bool is_ratio() const { return denominator.has_value(); }
  /// The interval a value must fall in to pass, ends included (from kind, value, tolerance).
  double low() const;
  double high() const;
  /// "more_than [260000, 299000]"
  std::string interval_text() const;
};

/// Whether `v` lies in the target's interval (ends included, with a margin of
/// 1e-6 x value: the precision of a calibrated file); false for NaN.
bool within(const Target& t, double v);
/// Calibration residual of `v`, in tolerance units (one unit = value x
/// tolerance). A figure stated as a range (more_than, approx, just_over, less_than): 0
/// inside the interval, else the distance to its nearer end. A point or exact
/// figure: the distance to the figure itself, as before kinds existed (the
/// figure is the aim; its tolerance only the pass band of the check).
double target_residual(const Target& t, double v);

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
  bool pass = false;                // the mean lies in the target's interval (within())
};
/// A check of one value (the analytic expectation, or a mean of replications).
TargetCheck check_value(const Target& t, const sim::Estimate& simulated);
std::vector<TargetCheck> check_targets(const Targets& t, const Scenario& sc,
                                       const std::vector<ReplicationResult>& reps);

/// targets_check.csv: metric,scope,as_of,observed,simulated_mean,ci95_low,ci95_high,relative_error,
/// kind,interval_low,interval_high,tolerance,pass,replications,source
std::string targets_check_csv(const std::vector<TargetCheck>& checks);

}  // namespace scsim
