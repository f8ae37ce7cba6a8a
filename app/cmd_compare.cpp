// `scsim compare BASE.yaml ALT.yaml [ALT2.yaml ...]`: runs every scenario with
// the same seed and replication indices (common random numbers, see
// models/compare.hpp) and reports, per scope and metric, the baseline and
// alternative means and the paired difference with its 95% interval.
// Writes compare.csv and results.sqlite into an output directory.
// With --draws N, every scenario runs on the same N draws of the baseline's
// `uncertain:` parameters with the same seeds, and the distribution of the
// difference over the draws goes to difference_draws.csv and draws.csv.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <iostream>
#include <map>
#include <sstream>

#include "analysis/uncertainty.hpp"
#include "app/commands.hpp"
#include "app/draws.hpp"
#include "app/format.hpp"
#include "app/json.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"
#include "app/sqlite_writer.hpp"
#include "analysis/compare.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {
using scsim::ComparisonRow;
using scsim::Metric;

struct CompareArgs {
  std::vector<std::string> scenarios;  // base first
  SimulationArgs sim;
  bool independent = false;
  std::string out;
  bool force = false;
  std::vector<std::string> overrides;
  std::string format = "table";
  std::string scope = "national";
  DrawsArgs draws;
};

/// The metrics of the terminal table (compare.csv has them all).
constexpr Metric kShown[] = {
    Metric::fingerprints_submitted, Metric::ident_matches,     Metric::local_notifications, Metric::detainers_issued,
    Metric::detainers_honored,      Metric::detainers_declined, Metric::notification_requests,
    Metric::ice_bookings,           Metric::removals,          Metric::removals_level1,
    Metric::removals_noncriminal,   Metric::us_citizens_detained, Metric::extra_jail_bed_days,
    Metric::detainer_cost_usd,      Metric::net_detainer_cost_usd, Metric::ice_detention_cost_usd};

std::string csv_header() {
  return "scope,metric,base_mean,alt,alt_mean,diff_mean,diff_ci95_low,diff_ci95_high,rel_change\n";
}

void csv_rows(std::ostream& os, const std::vector<ComparisonRow>& rows) {
  for (const auto& r : rows)
    os << csv_field(r.scope) << ',' << r.metric << ',' << csv_num(r.base_mean) << ',' << csv_field(r.alt) << ','
       << csv_num(r.alt_mean) << ',' << csv_num(r.diff.mean) << ',' << csv_num(r.diff.ci95_low) << ','
       << csv_num(r.diff.ci95_high) << ',' << csv_num(r.rel_change) << '\n';
}

std::string shown(double v, const std::string& metric) {
  if (metric.size() > 4 && metric.compare(metric.size() - 4, 4, "_usd") == 0) return dollars(v);
  return grouped_number(v, std::fabs(v) < 100 && v != std::floor(v) ? 1 : 0);
}

void print_table(std::ostream& os, const RunRecord& base, const std::vector<RunRecord>& alts,
                 const std::vector<std::vector<ComparisonRow>>& rows, const std::string& scope, bool independent) {
  const auto& sc = base.scenario;
  os << "\n  COMPARISON, scope " << scope << ": " << sim::format_date(sc.start) << " to " << sim::format_date(sc.end)
     << ", " << base.reps.size() << " replications, seed " << sc.seed
     << (independent ? " (independent seeds: no common random numbers)" : " (common random numbers)") << "\n";
  os << "  base: " << base.label << " — " << sc.name << "\n";
  for (std::size_t k = 0; k < alts.size(); ++k) {
    os << "\n  alt:  " << alts[k].label << " — " << alts[k].scenario.name << "\n";
    os << fmt::format("  {:<28}{:>16}{:>16}{:>16}  {:<34}{:>9}\n", "metric", "base", "alt", "alt − base",
                      "95% CI of the difference", "change");
    std::map<std::string, const ComparisonRow*> by_metric;
    for (const auto& r : rows[k])
      if (r.scope == scope) by_metric[r.metric] = &r;
    for (Metric m : kShown) {
      const auto it = by_metric.find(scsim::metric_name(m));
      if (it == by_metric.end()) continue;
      const ComparisonRow& r = *it->second;
      const std::string ci = base.reps.size() > 1 ? "[" + shown(r.diff.ci95_low, r.metric) + ", " +
                                                        shown(r.diff.ci95_high, r.metric) + "]"
                                                  : "";
      const std::string rel = std::isnan(r.rel_change) ? "—" : fmt::format("{:+.1f}%", 100 * r.rel_change);
      os << fmt::format("  {:<28}{:>16}{:>16}{:>16}  {:<34}{:>9}\n", r.metric, shown(r.base_mean, r.metric),
                        shown(r.alt_mean, r.metric), shown(r.diff.mean, r.metric), ci, rel);
    }
  }
  os << "\n";
}

void print_json(std::ostream& os, const std::vector<std::vector<ComparisonRow>>& rows) {
  Json out = Json::array();
  for (const auto& alt : rows)
    for (const auto& r : alt)
      out.push_back({{"scope", r.scope},
                     {"metric", r.metric},
                     {"base_mean", r.base_mean},
                     {"alt", r.alt},
                     {"alt_mean", r.alt_mean},
                     {"diff_mean", r.diff.mean},
                     {"diff_ci95_low", r.diff.ci95_low},
                     {"diff_ci95_high", r.diff.ci95_high},
                     {"rel_change", r.rel_change}});
  os << json_text(out) << "\n";
}

// ---------------------------------------------------------------- --draws

constexpr Metric kDrawsKey[] = {Metric::detainers_issued,    Metric::detainers_honored,
                                Metric::ice_bookings,        Metric::removals,
                                Metric::extra_jail_bed_days, Metric::net_detainer_cost_usd};

/// One alternative's difference from the baseline over the draws.
struct DrawsComparison {
  std::string label;
  std::vector<scsim::UncertaintyRow> base, alt, diff;  // per value (scope x metric)
  scsim::DrawTable diff_table;
};

std::string draws_csv_header() {
  return "scope,metric,alt,base_mean,alt_mean,diff_mean,diff_p05,diff_p50,diff_p95,diff_mc_half_width,draws,"
         "replications\n";
}

void draws_csv_rows(std::ostream& os, const scsim::Scopes& scopes, const DrawsComparison& c) {
  for (std::size_t v = 0; v < c.diff.size(); ++v) {
    const auto& d = c.diff[v];
    os << csv_field(scopes.names[v / scsim::kMetrics]) << ',' << scsim::metric_name(v % scsim::kMetrics) << ','
       << csv_field(c.label) << ',' << csv_num(c.base[v].mean) << ',' << csv_num(c.alt[v].mean) << ','
       << csv_num(d.mean) << ',' << csv_num(d.p05) << ',' << csv_num(d.p50) << ',' << csv_num(d.p95) << ','
       << csv_num(d.mc_half_width) << ',' << d.draws << ',' << d.replications << '\n';
  }
}

/// One row per draw and alternative: the draw's values and its mean difference of the key metrics.
std::string per_draw_csv(const scsim::Design& d, const scsim::Scopes& scopes, std::size_t scope,
                         const std::vector<DrawsComparison>& cs) {
  std::ostringstream csv;
  csv << "draw";
  for (const auto& p : d.params) csv << ',' << csv_field(p);
  csv << ",alt,scope";
  for (Metric m : kDrawsKey) csv << ",diff_" << scsim::metric_name(m);
  csv << '\n';
  for (const auto& c : cs)
    for (std::size_t i = 0; i < d.draws; ++i) {
      csv << i;
      for (std::size_t p = 0; p < d.params.size(); ++p) csv << ',' << csv_num(d.value(i, p));
      csv << ',' << csv_field(c.label) << ',' << csv_field(scopes.names[scope]);
      const auto& t = c.diff_table;
      for (Metric m : kDrawsKey) csv << ',' << csv_num(t.mean[i * t.values + scope * scsim::kMetrics + std::size_t(m)]);
      csv << '\n';
    }
  return csv.str();
}

void print_draws_table(std::ostream& os, const scsim::Scenario& base, const std::string& base_label,
                       const std::vector<scsim::Scenario>& alts, const scsim::Design& d,
                       const scsim::UncertaintyOptions& opt, const scsim::Scopes& scopes, std::size_t scope,
                       const std::vector<DrawsComparison>& cs) {
  os << "\n  COMPARISON UNDER PARAMETER UNCERTAINTY, scope " << scopes.names[scope] << ": "
     << sim::format_date(base.start) << " to " << sim::format_date(base.end) << ", " << draws_description(d, opt)
     << " (the same draws and seeds for every scenario)\n";
  os << "  base: " << base_label << " — " << base.name << "\n";
  if (!d.fixed.empty()) {
    os << "  fixed by --set:";
    for (const auto& f : d.fixed) os << ' ' << f;
    os << "\n";
  }
  for (std::size_t k = 0; k < cs.size(); ++k) {
    os << "\n  alt:  " << cs[k].label << " — " << alts[k].name << "\n";
    os << fmt::format("  {:<28}{:>16}{:>16}{:>16}  {:<34}{:>16}\n", "metric", "base", "alt", "alt − base",
                      "90% of parameter sets", "MC +/- (95%)");
    for (Metric m : kShown) {
      const std::size_t v = scope * scsim::kMetrics + std::size_t(m);
      const std::string name = scsim::metric_name(m);
      const auto& r = cs[k].diff[v];
      const std::string range = "[" + shown(r.p05, name) + ", " + shown(r.p95, name) + "]";
      os << fmt::format("  {:<28}{:>16}{:>16}{:>16}  {:<34}{:>16}\n", name, shown(cs[k].base[v].mean, name),
                        shown(cs[k].alt[v].mean, name), shown(r.mean, name), range,
                        std::isnan(r.mc_half_width) ? std::string("—") : shown(r.mc_half_width, name));
    }
  }
  os << "\n  Means are over the draws. 90% of plausible parameter sets give a difference inside the range;\n"
        "  MC +/- is the Monte Carlo noise of one draw's difference (95%, paired replications).\n\n";
}

/// Labels are file stems, made unique ("stem#2") so the `alt` column of the outputs tells
/// two scenarios with the same file name apart.
std::vector<std::string> unique_labels(const std::vector<std::string>& paths) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (const auto& path : paths) {
    std::string l = stem_of(path);
    const int n = ++seen[l];
    out.push_back(n == 1 ? l : l + "#" + std::to_string(n));
  }
  return out;
}

void run_compare_draws(const CompareArgs& a, const Common& common) {
  if (a.scenarios.size() < 2) throw UsageError("compare needs a baseline and at least one alternative scenario");
  const std::vector<std::string> labels = unique_labels(a.scenarios);
  scsim::Scenario base = scsim::load_scenario(a.scenarios[0], a.overrides);
  a.sim.apply(base);
  const scsim::UncertaintyOptions opt = draws_options(base, a.draws);
  const scsim::Design design = draws_design(base, a.overrides, opt);
  std::vector<scsim::Scenario> alts;
  for (std::size_t k = 1; k < a.scenarios.size(); ++k) {
    scsim::Scenario alt = scsim::load_scenario(a.scenarios[k], a.overrides);
    try {
      scsim::check_comparable(base, alt, a.scenarios[0], a.scenarios[k]);
      scsim::check_draws_apply(base, alt, design, a.scenarios[0], a.scenarios[k]);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    alts.push_back(std::move(alt));
  }
  const scsim::Scopes scopes = scsim::Scopes::build(base);
  const std::size_t scope = scope_index(scopes, a.scope);
  const std::string out_dir = a.out.empty() ? "compare-" + labels[0] : a.out;
  OutputDir out(out_dir, a.force, "compare");

  // Task t: scenario t / per (0 the baseline), task t % per of the design (draw x R + replication).
  const std::size_t per = design.draws * opt.replications, n = a.scenarios.size();
  spdlog::info("compare --draws: {} scenarios x {}: {} tasks", n, draws_description(design, opt), n * per);
  const std::vector<std::string> paths = a.scenarios, overrides = a.overrides;
  TaskFnFactory make = [&design, &opt, paths, overrides, per] {
    auto runners = std::make_shared<std::vector<std::unique_ptr<scsim::TaskRunner>>>(paths.size());
    return TaskFn([&design, &opt, paths, overrides, per, runners](std::size_t task) {
      auto& r = (*runners)[task / per];
      if (!r) r = std::make_unique<scsim::TaskRunner>(paths[task / per], overrides, design, opt);
      return r->run(task % per);
    });
  };
  (void)common;
  const auto results = run_draw_tasks(n * per, a.sim.threads, make, "compare --draws");
  auto slice = [&](std::size_t s) {
    return std::vector<std::vector<double>>(results.begin() + long(s * per), results.begin() + long((s + 1) * per));
  };
  const auto base_tasks = slice(0);
  const auto base_rows = scsim::summarize_uncertainty(design, scsim::draw_table(design.draws, opt.replications, base_tasks));
  std::vector<DrawsComparison> cs;
  for (std::size_t k = 1; k < n; ++k) {
    const auto alt_tasks = slice(k);
    DrawsComparison c;
    c.label = labels[k];
    c.base = base_rows;
    c.alt = scsim::summarize_uncertainty(design, scsim::draw_table(design.draws, opt.replications, alt_tasks));
    c.diff_table = scsim::draw_table(design.draws, opt.replications, scsim::paired_differences(base_tasks, alt_tasks));
    c.diff = scsim::summarize_uncertainty(design, c.diff_table);
    cs.push_back(std::move(c));
  }

  std::ostringstream csv;
  csv << draws_csv_header();
  for (const auto& c : cs) draws_csv_rows(csv, scopes, c);
  if (a.format == "table") {
    print_draws_table(std::cout, base, labels[0], alts, design, opt, scopes, scope, cs);
  } else if (a.format == "csv") {
    std::cout << csv.str();
  } else {
    Json rows = Json::array();
    for (const auto& c : cs)
      for (std::size_t v = 0; v < c.diff.size(); ++v)
        rows.push_back({{"scope", scopes.names[v / scsim::kMetrics]},
                        {"metric", scsim::metric_name(v % scsim::kMetrics)},
                        {"alt", c.label},
                        {"base_mean", c.base[v].mean},
                        {"alt_mean", c.alt[v].mean},
                        {"diff_mean", c.diff[v].mean},
                        {"diff_p05", c.diff[v].p05},
                        {"diff_p50", c.diff[v].p50},
                        {"diff_p95", c.diff[v].p95},
                        {"diff_mc_half_width", c.diff[v].mc_half_width},
                        {"draws", c.diff[v].draws},
                        {"replications", c.diff[v].replications}});
    std::cout << json_text(rows) << "\n";
  }
  write_file_atomic(out.file("difference_draws.csv"), csv.str());
  write_file_atomic(out.file("draws.csv"), per_draw_csv(design, scopes, scope, cs));
  write_file_atomic(out.file("scenario.resolved.yaml"), base.resolved_yaml);
  out.commit();
  spdlog::info("wrote {}", out_dir);
  if (a.format == "table")
    std::cout << "  results written to " << out_dir << "/ (difference_draws.csv, draws.csv)\n";
}

void run_compare(const CompareArgs& a, const Common& common) {
  if (a.draws.draws > 0) return run_compare_draws(a, common);
  if (a.scenarios.size() < 2) throw UsageError("compare needs a baseline and at least one alternative scenario");
  const std::vector<std::string> labels = unique_labels(a.scenarios);
  RunRecord base = load_run(a.scenarios[0], a.overrides, labels[0]);
  a.sim.apply(base.scenario);
  std::vector<RunRecord> alts;
  for (std::size_t k = 1; k < a.scenarios.size(); ++k) {
    RunRecord alt = load_run(a.scenarios[k], a.overrides, labels[k]);
    try {
      scsim::check_comparable(base.scenario, alt.scenario, base.path, alt.path);
    } catch (const scsim::IncomparableError& e) {
      throw UsageError(e.what());
    }
    if (alt.scenario.seed != base.scenario.seed && !a.independent)
      spdlog::info("{}: seed {} replaced by the baseline's {} (common random numbers)", alt.path, alt.scenario.seed,
                   base.scenario.seed);
    alt.scenario.replications = base.scenario.replications;
    // Independent seeds exist to show what common random numbers buy; the
    // intervals stay valid, only wider.
    alt.scenario.seed = a.independent ? base.scenario.seed + k : base.scenario.seed;
    alts.push_back(std::move(alt));
  }
  scope_index(scsim::Scopes::build(base.scenario), a.scope);  // a bad --scope fails before the run
  if (base.scenario.replications < 2)
    spdlog::warn("one replication: differences have no confidence interval");

  const std::string out_dir = a.out.empty() ? "compare-" + base.label : a.out;
  OutputDir out(out_dir, a.force, "compare");

  const std::size_t total = 1 + alts.size();
  execute(base, a.sim.threads, common, "compare 1/" + std::to_string(total) + " " + base.label);
  std::vector<std::vector<ComparisonRow>> rows;
  for (std::size_t k = 0; k < alts.size(); ++k) {
    execute(alts[k], a.sim.threads, common, "compare " + std::to_string(k + 2) + "/" + std::to_string(total) + " " +
                                            alts[k].label);
    rows.push_back(scsim::compare_runs(base.scenario, base.reps, alts[k].scenario, alts[k].reps, alts[k].label));
  }

  if (a.format == "table") {
    print_table(std::cout, base, alts, rows, a.scope, a.independent);
  } else if (a.format == "csv") {
    std::cout << csv_header();
    for (const auto& r : rows) csv_rows(std::cout, r);
  } else {
    print_json(std::cout, rows);
  }

  std::ostringstream csv;
  csv << csv_header();
  for (const auto& r : rows) csv_rows(csv, r);
  write_file_atomic(out.file("compare.csv"), csv.str());
  SqliteWriter db(out.file("results.sqlite"));
  const std::int64_t base_id = db.add_run(base);
  for (std::size_t k = 0; k < alts.size(); ++k) db.add_comparisons(base_id, db.add_run(alts[k]), rows[k]);
  db.commit();
  out.commit();
  spdlog::info("wrote {}", out_dir);
  if (a.format == "table") std::cout << "  results written to " << out_dir << "/ (compare.csv, results.sqlite)\n";
}

void add_compare_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand("compare",
                                 "Compare scenarios with a baseline: paired differences under common random numbers");
  cmd->add_option("scenarios", a->scenarios, "BASE.yaml ALT.yaml [ALT2.yaml ...]")
      ->required()
      ->check(CLI::ExistingFile);
  add_simulation_options(cmd, a->sim, "of every scenario", "the baseline's");
  auto* independent = cmd->add_flag("--independent-seeds", a->independent,
                                    "Give each alternative its own seed (no common random numbers: wider intervals)");
  add_output_dir_options(cmd, a->out, a->force, "Output directory (default: compare-BASE)");
  cmd->add_option("--set", a->overrides, "Override a key in every scenario, e.g. --set volume_scale=0.1")
      ->allow_extra_args(false);
  add_format_option(cmd, a->format, {"table", "csv", "json"});
  add_scope_option(cmd, a->scope);
  add_draws_options(cmd, a->draws,
                    "run every scenario on the same draws and seeds: the distribution of the difference");
  independent->excludes("--draws");
  cmd->callback([a, &common] { run_compare(*a, common); });
}

const bool registered = register_command(14, &add_compare_command);
}  // namespace

}  // namespace scsim_app
