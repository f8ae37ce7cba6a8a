#pragma once
/// Calibration (issue #5): fit a scenario's declared free parameters
/// (`calibrate:` block: key path, lower, upper) to observed targets
/// (models/targets.hpp) by weighted least squares on relative errors.
///
/// Each evaluation loads the scenario with the parameters as overrides (so any
/// declared numeric key works, including ones that reshape the national build
/// such as national.coverage_exponent) and computes the targets with the
/// analytic chain (models/analytic.hpp), which takes a fraction of a second
/// where a national simulation takes minutes. The residual of a target stated
/// as a range (its kind: "more than X" is [X, 1.15 X], see analysis/targets.hpp)
/// is 0 inside its interval and, outside, the distance to the interval's nearer
/// end divided by observed x tolerance; that of a point or exact figure is
/// (model - observed) / (observed x tolerance): one unit is one tolerance.
/// Eigen's Levenberg-Marquardt minimises the residuals over z, with
/// parameter = lower + (upper - lower) (1 + sin z) / 2, so the bounds hold. A
/// weak pull of each parameter towards its starting value (weight
/// CalibrationOptions::prior_weight per full range) keeps the problem
/// well-posed when targets are fewer than parameters; directions the targets
/// do not pin down therefore stay near their starting values, and are named.
///
/// Identifiability: at the fit, the Jacobian J of the targets (in tolerance
/// units, (model - observed) / (observed x tolerance), whether inside their
/// intervals or not) with respect to the parameters scaled to [0, 1] is
/// decomposed (SVD). A singular
/// value below `flat_threshold` is a flat direction: moving the parameters
/// along it, even across their whole ranges, changes the targets by less than
/// that many tolerances. Parameters loading on flat directions, parameters no
/// target depends on, and parameters stuck at a bound are reported.
///
/// A shares entry (e.g. pipeline.outcomes.removed) may be a free parameter:
/// the entries of its map that are not calibrated keep their proportions and
/// share the remainder, so the map still sums to 1. The map must be written
/// whole in the scenario (or a file it extends).
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "analysis/targets.hpp"

namespace scsim {

struct CalibrationOptions {
  std::vector<std::string> overrides;  // applied before the free parameters (e.g. `--set`)
  /// Only the declared parameters whose path starts with one of these are fitted;
  /// the others keep the values the scenario writes (empty: all are fitted). For a
  /// fit in stages, e.g. national parameters to national figures, then local ones.
  std::vector<std::string> free;
  int max_evaluations = 600;           // scenario evaluations for the fit (Jacobians included)
  double prior_weight = 0.01;          // pull towards the start, per full parameter range, in tolerances
  double flat_threshold = 0.1;         // singular value (tolerances per full range) below which a direction is flat
  std::function<void(const std::string&)> progress;  // one line per iteration (optional)
};

/// Where a value sits in its declared range: within kBoundMargin of the range's
/// width from a bound counts as at that bound.
enum class BoundSide { none, lower, upper };
inline constexpr double kBoundMargin = 0.005;
BoundSide bound_side(const CalibrationParam& p, double value);
std::string_view bound_side_name(BoundSide s);  // "", "lower", "upper"

/// A calibrated parameter's value in a scenario against its declared range
/// (scsim check-targets): a value at a bound fails unless the scenario declares
/// that bound physical (`physical_bound`, with its `reason`).
struct ParameterBound {
  const CalibrationParam* param = nullptr;
  std::optional<double> value;  // nullopt: the scenario does not write it (a built-in default applies)
  BoundSide side = BoundSide::none;
  bool physical = false;        // the bound it sits at is declared physical
  bool fails() const { return side != BoundSide::none && !physical; }
};
/// Every `calibrate:` entry of `sc` with the value its resolved tree holds at the path.
std::vector<ParameterBound> parameter_bounds(const Scenario& sc);

struct FittedParameter {
  std::string path, origin;  // origin: "file:line" of its calibrate entry
  double lower = 0, upper = 0, start = 0, value = 0;
  bool start_given = true;   // false: not written in the scenario, started at mid-range
  bool at_bound = false;     // within kBoundMargin (0.5 %) of the range's width from a bound
  bool shares_entry = false;
  /// Change of this parameter that moves the targets by one tolerance (from
  /// the Jacobian; infinite on a flat direction). A standard error in spirit.
  double one_tolerance = 0;
  std::string note;          // what the path names, e.g. the policy it belongs to
  BoundSide bound = BoundSide::none;  // which bound at_bound means
  bool physical = false;     // that bound is declared physical (CalibrationParam::physical_bound)
  std::string source, reason;  // CalibrationParam::source and the physical bound's reason
};

struct FittedTarget {
  const Target* target = nullptr;
  double start = 0, fitted = 0;  // analytic values
  double relative_error = 0;     // (fitted - observed) / observed
  bool within = false;           // inside the target's interval (analysis/targets.hpp within())
};

struct FlatDirection {
  double singular_value = 0;
  std::vector<std::pair<std::string, double>> loadings;  // parameter path, component (|.| >= 0.25)
};

struct CalibrationResult {
  std::string scenario;                 // the file calibrated
  std::vector<FittedParameter> params;
  std::vector<FittedTarget> targets;
  std::vector<double> singular_values;  // descending
  std::vector<FlatDirection> flat;
  std::vector<std::string> unidentified;  // parameters not pinned down, each with the reason
  int evaluations = 0;
  std::string status;                   // Levenberg-Marquardt's stopping reason
  double cost_start = 0, cost = 0;      // sum of squared target residuals (tolerance units, target_residual)
  std::vector<std::string> overrides;   // key=value of the fit (shares siblings included)
  std::vector<std::string> fixed;       // CalibrationOptions::overrides, written into the calibrated file too
  std::vector<std::string> held;        // declared parameters not free in this fit (CalibrationOptions::free)
};

/// Fits `scenario_file`'s `calibrate:` parameters to `targets`. Throws
/// ScenarioError for bad input (no free parameters, a target the analytic
/// chain cannot compute, a shares map not written whole, a target outside the
/// period or scope) before any fitting.
CalibrationResult calibrate(const std::filesystem::path& scenario_file, const Targets& targets,
                            const CalibrationOptions& opt = {});

/// The calibrated scenario: a YAML file that `extends` the original (path
/// relative to `out_file`'s directory) and sets the fitted values, opening
/// with a comment block listing each target (observed, fitted, error), each
/// parameter (range, start, fit) and the identifiability findings. Policies
/// append in an extending file, so fitted values inside `policies[i]` items
/// are written by replaying the policy list from the first fitted policy on
/// (the replayed copies without their `id`, which stays with the original),
/// with the fitted values (an arrest_bias, which multiplies, only when fitted
/// and as the ratio fitted / original); verify_calibrated_file checks that the
/// file reproduces the fit.
std::string calibrated_scenario_yaml(const CalibrationResult& r, const Targets& targets,
                                     const std::filesystem::path& out_file);

/// Loads the written file and checks that it reproduces the fitted target
/// values; throws ScenarioError (naming `written`) if not.
void verify_calibrated_file(const CalibrationResult& r, const Targets& targets, const std::filesystem::path& written);

}  // namespace scsim
