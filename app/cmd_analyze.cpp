// `scsim analyze SCENARIO`: the expected flows of a scenario from the analytic
// chain (models/analytic.hpp) in about a second, for a quick what-if before a
// full run: end-state shares, the absorbing chain's expected days per stage,
// branching probabilities per edge and expected counts in the period.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>

#include "app/commands.hpp"
#include "app/format.hpp"
#include "app/output.hpp"
#include "analysis/analytic.hpp"
#include "models/scenario/loader.hpp"

namespace scsim_app {

namespace {

using namespace scsim;

struct AnalyzeArgs {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string from, to;
  std::vector<std::string> jurisdictions;
  bool periods = false;
  int follow_days = 1095;
  std::string out;
  bool force = false;
};

std::optional<sim::Date> date_option(const std::string& text, const char* option) {
  if (text.empty()) return std::nullopt;
  try {
    return sim::parse_date(text);
  } catch (const std::exception&) {
    throw UsageError(std::string(option) + ": '" + text + "' is not a date (YYYY-MM-DD)");
  }
}

/// Policy change dates inside [from, to]: the cohort is split there with --periods.
std::vector<sim::Date> period_cuts(const Scenario& sc, sim::Date from, sim::Date to) {
  std::set<sim::Date> cuts;
  for (const auto& p : sc.policies) {
    if (p.from > from && p.from <= to) cuts.insert(p.from);
    if (p.to && *p.to > from && *p.to <= to) cuts.insert(*p.to);
  }
  return {cuts.begin(), cuts.end()};
}

void print_result(std::ostream& os, const AnalyticResult& a) {
  const auto& topo = Topology::pipeline();
  os << "  end states (share of the cohort's bookings)\n";
  os << "    state                          absorbed   expected count   recorded by the period end\n";
  for (std::size_t e = 0; e < kEndStates; ++e) {
    if (a.end_share[e] == 0 && a.end_share_at_horizon[e] == 0) continue;
    char line[200];
    std::snprintf(line, sizeof line, "    %-28s %9.4f%% %16s   %9.4f%%\n", std::string(kEndStateNames[e]).c_str(),
                  100 * a.end_share[e], grouped_number(a.end_share[e] * a.bookings).c_str(), 100 * a.end_share_at_horizon[e]);
    os << line;
  }
  os << "\n  stages (absorbing chain: N = (I - Q)^-1 from booking)\n";
  os << "    stage                  visits per booking   mean days per visit   expected days per booking\n";
  for (std::size_t s = 0; s < kStages; ++s) {
    const double visits = a.chain.N(long(Stage::booking), long(s));
    if (visits == 0) continue;
    char line[200];
    std::snprintf(line, sizeof line, "    %-22s %19.5f %21.3f %27.4f\n", std::string(kStageNames[s]).c_str(), visits,
                  a.chain.mean_days(long(s)), a.chain.expected_days(long(s)));
    os << line;
  }
  os << "    expected days from booking to an end state: " << fmt::format("{:.3f}", a.chain.expected_days.sum()) << "\n";
  os << "\n  transitions (P(edge | at its stage), expected count)\n";
  for (std::size_t e = 0; e < topo.transitions().size(); ++e) {
    if (a.edge_flow[e] == 0) continue;
    const auto& t = topo.transitions()[e];
    char line[220];
    std::snprintf(line, sizeof line, "    %-22s -> %-28s %8.4f %16s\n", std::string(t.from.name()).c_str(),
                  std::string(t.to.name()).c_str(), a.edge_probability[e], grouped_number(a.edge_flow[e]).c_str());
    os << line;
  }
}

/// Bookings of [first, last] split at every policy change date, each part analysed.
std::vector<std::pair<std::string, AnalyticResult>> analyze_periods(const Scenario& sc, const AnalyticOptions& opt,
                                                                    sim::Date first, sim::Date last,
                                                                    AnalyticCache& cache) {
  std::vector<std::pair<std::string, AnalyticResult>> by_period;
  auto cuts = period_cuts(sc, first, last);
  sim::Date from = first;
  cuts.push_back(sim::Date{std::chrono::sys_days{last} + std::chrono::days{1}});
  for (sim::Date cut : cuts) {
    AnalyticOptions po = opt;
    po.cohort_from = from;
    po.cohort_until = sim::Date{std::chrono::sys_days{cut} - std::chrono::days{1}};
    const std::string label = sim::format_date(from) + " to " + sim::format_date(*po.cohort_until);
    by_period.emplace_back(label, analyze(sc, po, &cache));
    from = cut;
  }
  return by_period;
}

void print_counts(std::ostream& os, const Scenario& sc, const AnalyticResult& a) {
  os << "\n  expected counts in the period (national scope, events of the cohort up to " << sim::format_date(sc.end)
     << ")\n";
  for (Metric m : {Metric::bookings, Metric::fingerprints_submitted, Metric::ident_matches,
                   Metric::ident_matches_level1, Metric::detainers_issued, Metric::notification_requests,
                   Metric::detainers_honored, Metric::detainers_declined, Metric::ice_bookings,
                   Metric::ice_bookings_level1, Metric::ice_bookings_level2, Metric::ice_bookings_level3,
                   Metric::ice_bookings_noncriminal, Metric::removals, Metric::us_citizens_detained}) {
    char line[160];
    std::snprintf(line, sizeof line, "    %-28s %16s\n", metric_name(m).c_str(),
                  grouped_number(a.cumulative(0, m, sc.end)).c_str());
    os << line;
  }
}

void print_periods(std::ostream& os, const std::vector<std::pair<std::string, AnalyticResult>>& by_period) {
  os << "\n  by period (bookings between policy changes): absorbed share of each end state\n"
     << "    period                   ";
  for (std::size_t e = 0; e + 1 < kEndStates; ++e) {
    std::string n(kEndStateNames[e]);
    if (n.rfind("released_", 0) == 0) n = n.substr(9);
    char cell[32];
    std::snprintf(cell, sizeof cell, " %10.10s", n.c_str());
    os << cell;
  }
  os << "\n";
  for (const auto& [label, r] : by_period) {
    os << "    " << label;
    for (std::size_t e = 0; e + 1 < kEndStates; ++e) {
      char cell[32];
      std::snprintf(cell, sizeof cell, " %10.4f", r.end_share[e]);
      os << cell;
    }
    os << "\n";
  }
}

/// analytic_monthly.csv: the expected count of every supported metric, month and scope.
std::string monthly_csv(const Scenario& sc, const AnalyticResult& a) {
  std::ostringstream monthly;
  monthly << "month,scope,metric,expected\n";
  const sim::Calendar cal(sc.start);
  const Months months = Months::build(sc);
  for (std::size_t mo = 0; mo < months.size(); ++mo) {
    const sim::Date a_day = cal.date_of(months.starts[mo]);
    const sim::Date b_day = cal.date_of((mo + 1 < months.size() ? months.starts[mo + 1] : months.horizon) - 1);
    for (std::size_t s = 0; s < a.scopes.size(); ++s)
      for (std::size_t m = 0; m < kMetrics; ++m) {
        if (!AnalyticResult::supports(Metric(m))) continue;
        monthly << months.labels[mo] << "," << csv_field(a.scopes.names[s]) << "," << metric_name(m) << ","
                << num(a.count(s, Metric(m), a_day, b_day)) << "\n";
      }
  }
  return monthly.str();
}

/// analytic_*.csv into `out`: flows, end states, stages, monthly counts and (with --periods) periods.
void write_csvs(OutputDir& out, const Scenario& sc, const AnalyticResult& a,
                const std::vector<std::pair<std::string, AnalyticResult>>& by_period) {
  std::ostringstream flows, ends, stages;
  flows << "from,to,probability,expected_count\n";
  const auto& topo = Topology::pipeline();
  for (std::size_t e = 0; e < topo.transitions().size(); ++e) {
    const auto& t = topo.transitions()[e];
    flows << t.from.name() << "," << t.to.name() << "," << num(a.edge_probability[e]) << "," << num(a.edge_flow[e])
          << "\n";
  }
  ends << "end_state,absorbed_share,expected_count,recorded_share_at_period_end\n";
  for (std::size_t e = 0; e < kEndStates; ++e)
    ends << kEndStateNames[e] << "," << num(a.end_share[e]) << "," << num(a.end_share[e] * a.bookings) << ","
         << num(a.end_share_at_horizon[e]) << "\n";
  stages << "stage,visits_per_booking,mean_days_per_visit,expected_days_per_booking\n";
  for (std::size_t s = 0; s < kStages; ++s)
    stages << kStageNames[s] << "," << num(a.chain.N(long(Stage::booking), long(s))) << ","
           << num(a.chain.mean_days(long(s))) << "," << num(a.chain.expected_days(long(s))) << "\n";
  write_file_atomic(out.file("analytic_flows.csv"), flows.str());
  write_file_atomic(out.file("analytic_end_states.csv"), ends.str());
  write_file_atomic(out.file("analytic_stages.csv"), stages.str());
  write_file_atomic(out.file("analytic_monthly.csv"), monthly_csv(sc, a));
  if (!by_period.empty()) {
    std::ostringstream per;
    per << "period_from,period_to,end_state,absorbed_share\n";
    for (const auto& [label, r] : by_period)
      for (std::size_t e = 0; e + 1 < kEndStates; ++e)
        per << label.substr(0, 10) << "," << label.substr(14) << "," << kEndStateNames[e] << "," << num(r.end_share[e])
            << "\n";
    write_file_atomic(out.file("analytic_periods.csv"), per.str());
  }
}

void run(const AnalyzeArgs& args) {
  const Scenario sc = load_scenario(args.scenario, args.overrides);
  AnalyticOptions opt;
  opt.cohort_from = date_option(args.from, "--from");
  opt.cohort_until = date_option(args.to, "--to");
  opt.jurisdictions = args.jurisdictions;
  opt.follow_days = args.follow_days;
  for (const auto& id : args.jurisdictions)
    if (!sc.find_jurisdiction(id)) throw UsageError("--jurisdiction: no jurisdiction '" + id + "' in the scenario");
  std::unique_ptr<OutputDir> out;
  if (!args.out.empty()) out = std::make_unique<OutputDir>(args.out, args.force, "analyze");

  const auto t0 = std::chrono::steady_clock::now();
  AnalyticCache cache;
  AnalyticResult a;
  try {
    a = analyze(sc, opt, &cache);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const sim::Date first = opt.cohort_from.value_or(sc.start);
  const sim::Date last = opt.cohort_until.value_or(sc.bookings_until.value_or(sc.end));
  std::ostream& os = std::cout;
  os << "scsim analyze: " << sc.name << " — expected flows from the analytic chain (" << fmt::format("{:.2f}", secs)
     << " s)\n";
  os << "  cohort: bookings of " << sim::format_date(first) << " to " << sim::format_date(last)
     << (args.jurisdictions.empty() ? std::string(" in every jurisdiction") : " in the chosen jurisdictions")
     << "; journeys followed " << args.follow_days << " days past " << sim::format_date(sc.end) << "\n";
  os << "  expected bookings: " << grouped_number(a.bookings) << "\n\n";
  print_result(os, a);
  print_counts(os, sc, a);

  std::vector<std::pair<std::string, AnalyticResult>> by_period;
  if (args.periods) {
    by_period = analyze_periods(sc, opt, first, last, cache);
    print_periods(os, by_period);
  }
  if (out) {
    write_csvs(*out, sc, a, by_period);
    out->commit();
    os << "\n  results written to " << args.out << "/\n";
  }
}

void add_analyze_command(CLI::App& app, Common&) {
  auto a = std::make_shared<AnalyzeArgs>();
  auto* cmd = app.add_subcommand(
      "analyze", "Expected flows from the analytic chain (no simulation): end shares, days per stage, branching");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set pipeline.pickup_probability=0.6");
  cmd->add_option("--from", a->from, "First booking day of the cohort (default: the period start)");
  cmd->add_option("--to", a->to, "Last booking day of the cohort (default: the last day with bookings)");
  cmd->add_option("--jurisdiction", a->jurisdictions, "Only bookings in this jurisdiction (repeatable)");
  cmd->add_flag("--periods", a->periods, "Also split the cohort at every policy change date");
  cmd->add_option("--follow", a->follow_days, "Days after the period end that journeys are followed")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  add_output_dir_options(cmd, a->out, a->force,
                         "Write analytic_*.csv (flows, end states, stages, monthly counts) into DIR");
  cmd->callback([a] { run(*a); });
}

const bool registered = register_command(15, &add_analyze_command);

}  // namespace

}  // namespace scsim_app
