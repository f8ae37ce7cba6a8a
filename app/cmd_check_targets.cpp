// `scsim check-targets SCENARIO TARGETS.csv`: the validation report. Runs the
// scenario's replications and prints, for every target, the observed value,
// the simulated mean with its 95% interval, the relative error and pass/fail
// against the target's interval (set by its kind: point, exact, more_than,
// approx, just_over; analysis/targets.hpp); writes targets_check.csv (into
// --out DIR, a directory made like `run --out`, or else into the current
// directory). It also lists the scenario's calibrated parameters (its
// `calibrate:` list) against their declared ranges: one at a bound that the
// scenario does not declare physical fails the check too. Exit status 0 when
// everything passes, 4 when a target or a parameter fails, 2 for bad input
// (nothing is run or written then). Any targets file with the same columns
// works (later dates, other states): see analysis/targets.hpp for the format.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/format.hpp"
#include "app/output.hpp"
#include "app/progress.hpp"
#include "analysis/analytic.hpp"
#include "analysis/calibration.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"
#include "analysis/targets.hpp"

namespace scsim_app {

namespace {

using namespace scsim;

struct CheckArgs {
  std::string scenario, targets;
  SimulationArgs sim;
  std::vector<std::string> overrides;
  std::string out;
  bool force = false;
  bool analytic = false;
};

/// A targets_check.csv of an earlier check (the only file --force replaces).
bool is_targets_check_csv(const std::string& head) { return head.rfind("metric,scope,as_of,observed,simulated_mean,", 0) == 0; }

/// The analytic expectation itself, as checks (no sampling noise, no interval):
/// a quick look, not the validation.
std::vector<TargetCheck> analytic_checks(const Targets& targets, const Scenario& sc) {
  AnalyticOptions ao;
  ao.follow_days = 0;
  const AnalyticResult res = analyze(sc, ao);
  std::vector<TargetCheck> checks;
  for (const auto& t : targets.items) checks.push_back(check_value(t, sim::estimate(std::vector<double>{analytic_value(t, sc, res)})));
  return checks;
}

/// The report's table; returns how many targets failed. Each target passes when
/// the simulated mean lies in its interval, which its kind sets (models/targets.hpp).
std::size_t print_checks(std::ostream& os, const std::vector<TargetCheck>& checks) {
  char line[512];
  std::snprintf(line, sizeof line, "  %-44s %-8s %-10s %12s %12s %27s %9s  %-36s %s\n", "metric", "scope", "as of",
                "observed", "simulated", "95% interval", "error", "target: kind [interval]", "result");
  os << line;
  std::size_t failed = 0;
  for (const auto& c : checks) {
    const Target& t = *c.target;
    const std::string ci =
        c.simulated.n > 1 ? "[" + significant(c.simulated.ci95_low) + ", " + significant(c.simulated.ci95_high) + "]"
                          : std::string("-");
    std::string kind = std::string(target_kind_name(t.kind)) + " [" + significant(t.low()) + ", " +
                       significant(t.high()) + "]";
    if (t.kind == TargetKind::point || t.kind == TargetKind::exact)
      kind += " ±" + significant(100 * t.tolerance, 3) + "%";
    std::snprintf(line, sizeof line, "  %-44s %-8s %-10s %12s %12s %27s %9s  %-36s %s\n", t.metric.c_str(),
                  t.scope.c_str(), t.dates().c_str(), significant(t.value).c_str(),
                  significant(c.simulated.mean).c_str(), ci.c_str(), signed_percent(c.relative_error).c_str(),
                  kind.c_str(), c.pass ? "pass" : "FAIL");
    os << line;
    if (!c.pass) ++failed;
  }
  return failed;
}

/// The calibrated parameters against their declared ranges; returns how many
/// sit at a bound that is not declared physical.
std::size_t print_parameter_bounds(std::ostream& os, const std::vector<ParameterBound>& bounds) {
  if (bounds.empty()) return 0;
  char line[512];
  os << "\n  calibrated parameters (the scenario's calibrate: list) against their ranges; at a bound = within "
     << significant(100 * kBoundMargin) << " % of the range's width:\n";
  std::snprintf(line, sizeof line, "  %-62s %22s %10s  %s\n", "parameter", "range", "value", "result");
  os << line;
  std::size_t failed = 0;
  for (const auto& b : bounds) {
    const CalibrationParam& c = *b.param;
    const std::string range = "[" + significant(c.lower) + ", " + significant(c.upper) + "]";
    const std::string side(bound_side_name(b.side));
    const std::string result = !b.value ? "not written (a built-in default applies)"
                               : b.side == BoundSide::none ? "inside"
                               : b.physical ? "at its physical " + side + " bound"
                                            : "AT " + side + " BOUND: FAIL";
    std::snprintf(line, sizeof line, "  %-62s %22s %10s  %s\n", c.path.c_str(), range.c_str(),
                  b.value ? significant(*b.value).c_str() : "-", result.c_str());
    os << line;
    if (!c.source.empty()) os << "      range: " << c.source << "\n";
    if (b.physical) os << "      physical bound: " << c.reason << "\n";
    if (b.fails()) ++failed;
  }
  return failed;
}

void run(const CheckArgs& a, const Common& common) {
  Scenario sc = load_scenario(a.scenario, a.overrides);
  a.sim.apply(sc);
  const Targets targets = read_targets(a.targets);
  validate_targets(targets, sc);  // before any work: a bad file stops here, nothing written
  // The output is claimed before the run: a bad --out stops here.
  std::unique_ptr<OutputDir> out_dir;
  std::unique_ptr<OutputFile> out_file;
  if (!a.out.empty())
    out_dir = std::make_unique<OutputDir>(a.out, a.force, "check-targets");
  else
    out_file = std::make_unique<OutputFile>("targets_check.csv", a.force, &is_targets_check_csv);
  const std::filesystem::path written =
      out_dir ? std::filesystem::path(a.out) / "targets_check.csv" : out_file->final_path();

  std::vector<TargetCheck> checks;
  std::vector<ReplicationResult> reps;
  const auto t0 = std::chrono::steady_clock::now();
  if (a.analytic) {
    checks = analytic_checks(targets, sc);
  } else {
    spdlog::info("running '{}': {} replications for {} targets", sc.name, sc.replications, targets.items.size());
    ProgressBar bar(!common.quiet && ProgressBar::stderr_is_tty(), "scsim check-targets", sc.start);
    reps = run_scenario(sc, sc.replications, a.sim.threads, [&](const RunProgress& p) { bar.update(p); });
    bar.done();
    checks = check_targets(targets, sc, reps);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ostream& os = std::cout;
  os << "scsim check-targets: " << sc.name << " against " << a.targets << "\n  "
     << (a.analytic ? std::string("analytic expectation (no replications)")
                    : std::to_string(sc.replications) + " replications, seed " + std::to_string(sc.seed) +
                          (sc.volume_scale != 1 ? ", volume_scale " + significant(sc.volume_scale) + " (counts scaled back)"
                                                : ""))
     << ", " << significant(secs, 3) << " s\n\n";
  const std::size_t failed = print_checks(os, checks);
  const std::size_t at_bound = print_parameter_bounds(os, parameter_bounds(sc));
  if (out_dir) {
    write_file_atomic(out_dir->file("targets_check.csv"), targets_check_csv(checks));
    out_dir->commit();
  } else {
    out_file->write(targets_check_csv(checks));
  }
  os << "\n  " << (checks.size() - failed) << " of " << checks.size() << " targets within their intervals";
  if (at_bound) os << "; " << at_bound << " calibrated parameter" << (at_bound == 1 ? "" : "s") << " at a bound";
  os << "; wrote " << written.string() << "\n";
  std::string why;
  if (failed) why = std::to_string(failed) + " of " + std::to_string(checks.size()) + " targets outside their intervals";
  if (at_bound)
    why += (why.empty() ? "" : "; ") + std::to_string(at_bound) + " calibrated parameter" + (at_bound == 1 ? "" : "s") +
           " at a bound of the declared range (not declared physical)";
  if (!why.empty()) throw TargetsMissed(why);
}

void add_check_targets_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check-targets",
                                 "Validation report: simulated vs observed targets, calibrated parameters vs their bounds (exit 4 if a target is missed or a parameter sits at a bound)");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("targets", a->targets, "Targets CSV: metric,scope,as_of,value,kind,tolerance,source (kind optional)")
      ->required()
      ->check(CLI::ExistingFile);
  add_simulation_options(cmd, a->sim);
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set volume_scale=0.1");
  cmd->add_option("-o,--out", a->out,
                  "Write targets_check.csv into this output directory (made like run --out; default: "
                  "targets_check.csv in the current directory)");
  cmd->add_flag("-f,--force", a->force, "Replace an output (directory or targets_check.csv) scsim wrote before");
  cmd->add_flag("--analytic", a->analytic, "Use the analytic expectation instead of simulating (quick look)");
  cmd->callback([a, &common] { run(*a, common); });
}

const bool registered = register_command(35, &add_check_targets_command);

}  // namespace

}  // namespace scsim_app
