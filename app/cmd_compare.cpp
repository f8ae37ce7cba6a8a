// `scsim compare BASE.yaml ALT.yaml [ALT2.yaml ...]`: runs every scenario with
// the same seed and replication indices (common random numbers, see
// models/compare.hpp) and reports, per scope and metric, the baseline and
// alternative means and the paired difference with its 95% interval.
// Writes compare.csv and results.sqlite into an output directory.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "app/format.hpp"
#include "app/json.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"
#include "app/sqlite_writer.hpp"
#include "analysis/compare.hpp"

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

void run_compare(const CompareArgs& a, const Common& common) {
  if (a.scenarios.size() < 2) throw UsageError("compare needs a baseline and at least one alternative scenario");
  // Labels are file stems, made unique so compare.csv's `alt` column tells them apart.
  std::map<std::string, int> seen;
  auto label_of = [&](const std::string& path) {
    std::string l = stem_of(path);
    const int n = ++seen[l];
    return n == 1 ? l : l + "#" + std::to_string(n);
  };
  RunRecord base = load_run(a.scenarios[0], a.overrides, label_of(a.scenarios[0]));
  a.sim.apply(base.scenario);
  std::vector<RunRecord> alts;
  for (std::size_t k = 1; k < a.scenarios.size(); ++k) {
    RunRecord alt = load_run(a.scenarios[k], a.overrides, label_of(a.scenarios[k]));
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
  cmd->add_flag("--independent-seeds", a->independent,
                "Give each alternative its own seed (no common random numbers: wider intervals)");
  add_output_dir_options(cmd, a->out, a->force, "Output directory (default: compare-BASE)");
  cmd->add_option("--set", a->overrides, "Override a key in every scenario, e.g. --set volume_scale=0.1")
      ->allow_extra_args(false);
  add_format_option(cmd, a->format, {"table", "csv", "json"});
  add_scope_option(cmd, a->scope);
  cmd->callback([a, &common] { run_compare(*a, common); });
}

const bool registered = register_command(14, &add_compare_command);
}  // namespace

}  // namespace scsim_app
