// `scsim calibrate SCENARIO TARGETS.csv`: fits the scenario's `calibrate:`
// parameters to the targets with the analytic chain and Levenberg-Marquardt
// (models/calibration.hpp), writes a scenario that extends the original with
// the fitted values and a comment block (targets, fit, errors, parameters,
// identifiability), then confirms the fit by simulating that scenario (exit 4
// if the simulation misses a target; the file is written either way).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/format.hpp"
#include "app/output.hpp"
#include "analysis/calibration.hpp"
#include "analysis/runner.hpp"
#include "models/scenario/loader.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {

namespace {

using namespace scsim;
namespace fs = std::filesystem;

struct CalibrateArgs {
  std::string scenario, targets, out;
  bool force = false;
  std::vector<std::string> overrides, free;
  int max_evaluations = 600;
  int confirm = -1;  // replications of the confirmation run; -1: the scenario's
  unsigned threads = 0;
};

/// A scenario an earlier `scsim calibrate` wrote (the only file --force replaces).
bool is_calibrated_scenario(const std::string& head) {
  const std::string first = head.substr(0, head.find('\n'));
  return first.rfind("# ", 0) == 0 && first.find("written by `scsim calibrate`") != std::string::npos;
}

/// "more_than [2.6e+05, 2.99e+05]"; point and exact add their tolerance.
std::string kind_interval(const Target& t) {
  std::string s = std::string(target_kind_name(t.kind)) + " [" + significant(t.low()) + ", " + significant(t.high()) + "]";
  if (t.kind == TargetKind::point || t.kind == TargetKind::exact) s += " ±" + significant(100 * t.tolerance, 3) + "%";
  return s;
}

/// Confirmation by simulation of the written scenario: exit 4 (TargetsMissed) if it misses a target.
void confirm(const fs::path& out, const Targets& targets, const CalibrateArgs& a, std::ostream& os) {
  char line[400];
  Scenario sc = load_scenario(out);
  const std::size_t reps = a.confirm < 0 ? sc.replications : std::size_t(a.confirm);
  if (reps == 0) return;
  os << "\n  confirming with " << reps << " simulation replications of " << out.filename().string() << " ...\n";
  os.flush();
  const auto t1 = std::chrono::steady_clock::now();
  const auto results = run_scenario(sc, reps, a.threads);
  const auto checks = check_targets(targets, sc, results);
  std::snprintf(line, sizeof line, "  %-44s %-8s %12s %12s %27s %9s  %-36s %s\n", "target", "scope", "observed",
                "simulated", "95% interval", "error", "target: kind [interval]", "result");
  os << line;
  int failed = 0;
  for (const auto& c : checks) {
    const std::string ci = "[" + significant(c.simulated.ci95_low) + ", " + significant(c.simulated.ci95_high) + "]";
    std::snprintf(line, sizeof line, "  %-44s %-8s %12s %12s %27s %9s  %-36s %s\n", c.target->metric.c_str(),
                  c.target->scope.c_str(), significant(c.target->value).c_str(),
                  significant(c.simulated.mean).c_str(), ci.c_str(), signed_percent(c.relative_error).c_str(),
                  kind_interval(*c.target).c_str(), c.pass ? "pass" : "FAIL");
    os << line;
    failed += c.pass ? 0 : 1;
  }
  os << "  " << (checks.size() - std::size_t(failed)) << " of " << checks.size() << " targets within their intervals ("
     << significant(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(), 3) << " s)\n";
  if (failed)  // the file stays: it reproduces the analytic fit; the simulation does not confirm it
    throw TargetsMissed(std::to_string(failed) + " of " + std::to_string(checks.size()) +
                        " targets outside their intervals in the confirming simulation of " + out.string());
}

/// The fit: targets (observed, start, fitted), parameters, identifiability.
void print_fit(std::ostream& os, const CalibrationResult& r) {
  char line[400];
  std::snprintf(line, sizeof line, "  %-44s %-8s %-10s %12s %12s %12s %9s  %s\n", "target", "scope", "as of",
                "observed", "start", "fitted", "error", "target: kind [interval]");
  os << line;
  for (const auto& t : r.targets) {
    std::snprintf(line, sizeof line, "  %-44s %-8s %-10s %12s %12s %12s %9s  %s%s\n", t.target->metric.c_str(),
                  t.target->scope.c_str(), t.target->dates().c_str(),
                  significant(t.target->value).c_str(), significant(t.start).c_str(), significant(t.fitted).c_str(),
                  signed_percent(t.relative_error).c_str(), kind_interval(*t.target).c_str(),
                  t.within ? "" : "  outside");
    os << line;
  }
  os << "\n";
  std::snprintf(line, sizeof line, "  %-62s %22s %10s %10s %14s\n", "parameter", "range", "start", "fitted",
                "±1 tolerance");
  os << line;
  for (const auto& p : r.params) {
    const std::string range = "[" + significant(p.lower) + ", " + significant(p.upper) + "]";
    const std::string side(bound_side_name(p.bound));
    const std::string status = !p.at_bound  ? std::string()
                               : p.physical ? "  at its physical " + side + " bound"
                                            : "  AT " + side + " BOUND (warning)";
    std::snprintf(line, sizeof line, "  %-62s %22s %10s %10s %14s%s\n", p.path.c_str(), range.c_str(),
                  p.start_given ? significant(p.start).c_str() : "mid", significant(p.value).c_str(),
                  std::isfinite(p.one_tolerance) ? significant(p.one_tolerance, 2).c_str() : "not pinned",
                  status.c_str());
    os << line;
    if (!p.source.empty()) os << "      range: " << p.source << "\n";
    if (p.physical) os << "      physical bound: " << p.reason << "\n";
  }
  std::size_t at_bound = 0;
  for (const auto& p : r.params)
    if (p.at_bound && !p.physical) {
      ++at_bound;
      spdlog::warn("calibrate: {} = {} sits at its {} bound (range [{}, {}]; within {} % of its width): the "
                   "targets would push it further. Widen the range if a source allows, or declare the bound "
                   "physical (physical_bound + reason) if a source says so",
                   p.path, significant(p.value), bound_side_name(p.bound), significant(p.lower),
                   significant(p.upper), significant(100 * kBoundMargin));
    }
  if (at_bound)
    os << "\n  WARNING: " << at_bound << " fitted value" << (at_bound == 1 ? " sits" : "s sit")
       << " at a bound of the declared range (within " << significant(100 * kBoundMargin)
       << " % of its width) without a declared physical bound; scsim check-targets fails on them\n";
  if (!r.held.empty()) {
    os << "  held as written (not free in this fit):";
    for (const auto& h : r.held) os << " " << h;
    os << "\n";
  }
  os << "\n  identifiability: singular values of the target Jacobian (tolerances per full range):";
  for (double s : r.singular_values) os << " " << significant(s, 3);
  os << "\n";
  if (r.unidentified.empty()) os << "    every parameter is pinned down by the targets\n";
  for (const auto& u : r.unidentified) os << "    NOT PINNED: " << u << "\n";
  for (const auto& f : r.flat) {
    os << "    flat direction (singular value " << significant(f.singular_value, 3) << "):";
    for (const auto& [path, v] : f.loadings) os << " " << (v >= 0 ? "+" : "") << significant(v, 2) << " " << path;
    os << "\n";
  }

}

void run(const CalibrateArgs& a, const Common& common) {
  const fs::path scenario(a.scenario);
  fs::path out = a.out.empty() ? scenario.parent_path() / (scenario.stem().string() + ".calibrated.yaml") : fs::path(a.out);
  if (fs::weakly_canonical(out) == fs::weakly_canonical(scenario))
    throw UsageError("the calibrated file must not replace the scenario it extends");
  const Targets targets = read_targets(a.targets);
  OutputFile out_file(out, a.force, &is_calibrated_scenario);  // checked and claimed before the fit

  CalibrationOptions opt;
  opt.overrides = a.overrides;
  opt.free = a.free;
  opt.max_evaluations = a.max_evaluations;
  opt.progress = [quiet = common.quiet](const std::string& s) {
    sim::throw_if_cancelled();  // Ctrl-C: stop between Jacobians
    if (!quiet) std::fprintf(stderr, "  calibrate: %s\n", s.c_str());
  };
  const auto t0 = std::chrono::steady_clock::now();
  const CalibrationResult r = calibrate(scenario, targets, opt);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::ostream& os = std::cout;
  os << "scsim calibrate: " << a.scenario << " against " << a.targets << "\n  " << r.status << "; " << r.evaluations
     << " analytic evaluations in " << significant(secs, 3) << " s; cost " << significant(r.cost_start, 4) << " -> "
     << significant(r.cost, 4) << " (sum of squared errors in tolerances)\n\n";
  print_fit(os, r);

  // Write beside the target (the claim), check that it reproduces the fit,
  // then rename: a failed check leaves nothing behind.
  const std::string text = calibrated_scenario_yaml(r, targets, out);
  {
    std::ofstream f(out_file.path(), std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) throw UsageError("cannot write '" + out.string() + "'");
  }
  verify_calibrated_file(r, targets, out_file.path());
  out_file.commit();
  os << "\n  wrote " << out.string() << "\n";

  confirm(out, targets, a, os);
}

void add_calibrate_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand("calibrate", "Fit a scenario's calibrate: parameters to targets (analytic chain + "
                                              "Levenberg-Marquardt), write the calibrated scenario, confirm by simulation");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file with a calibrate: list")->required()->check(CLI::ExistingFile);
  cmd->add_option("targets", a->targets, "Targets CSV: metric,scope,as_of,value,kind,tolerance,source (kind optional)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", a->out, "Calibrated scenario to write (default: SCENARIO's stem + .calibrated.yaml beside it)");
  cmd->add_flag("-f,--force", a->force, "Replace a calibrated scenario scsim wrote before");
  cmd->add_option("--set", a->overrides, "Override a scenario key for the fit (written into the calibrated file)");
  cmd->add_option("--free", a->free,
                  "Fit only the declared parameters whose path starts with this (repeatable); the others stay as "
                  "written");
  cmd->add_option("--max-evaluations", a->max_evaluations, "Budget of analytic evaluations for the fit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--confirm", a->confirm, "Replications of the confirming simulation (0: skip; default: the scenario's)");
  cmd->add_option("-t,--threads", a->threads, "Threads for the confirming simulation (0 = all cores)");
  cmd->callback([a, &common] { run(*a, common); });
}

const bool registered = register_command(30, &add_calibrate_command);

}  // namespace

}  // namespace scsim_app
