// `scsim budget SCENARIO --jurisdiction ID --fiscal-year 2012`: what honouring
// ICE detainers costs one jail in one fiscal (or calendar) year, as a one-page
// statement with 95% intervals, written as budget.csv and budget.md (and
// results.sqlite) into an output directory. With --draws N, the statement also
// runs on N draws of the scenario's `uncertain:` parameters and gives, beside
// each line's Monte Carlo interval, the range 90 % of the parameter sets give
// (budget_draws.csv, draws.csv, a paragraph of budget.md).
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include "analysis/uncertainty.hpp"
#include "app/commands.hpp"
#include "app/draws.hpp"
#include "app/format.hpp"
#include "app/json.hpp"
#include "app/output.hpp"
#include "app/run_record.hpp"
#include "app/sqlite_writer.hpp"
#include "models/costs/costs.hpp"

namespace scsim_app {

namespace {
using scsim::BudgetLine;
using scsim::Period;

struct BudgetArgs {
  std::string scenario;
  std::string jurisdiction;
  int fiscal_year = 0, calendar_year = 0;
  bool allow_partial = false;
  SimulationArgs sim;
  std::string out;
  bool force = false;
  std::vector<std::string> overrides;
  std::string format = "table";
  DrawsArgs draws;
};

/// budget --draws: the statement's lines over the draws of the `uncertain:` parameters.
struct LineDraws {
  scsim::Design design;
  scsim::UncertaintyOptions opt;
  scsim::DrawTable table;                   // per draw: the mean of each line over its replications
  std::vector<scsim::UncertaintyRow> rows;  // per line
};

/// What the statement is about, for every rendering.
struct Heading {
  std::string scenario_name, scenario_path, scope, scope_name, period, first_day, last_day;
  std::size_t replications = 0, months = 0;
  std::uint64_t seed = 0;
  bool complete = true;
  double inflation = 0;
  int fiscal_start = 7;
  double scaap_rate = 0;  // the share of the bed-day cost SCAAP repays in the period's federal fiscal year
  int scaap_min_days = 4;
};

std::string list_some(const std::vector<std::string>& xs, std::size_t n = 12) {
  std::string s;
  for (std::size_t i = 0; i < xs.size() && i < n; ++i) s += (i ? ", " : "") + xs[i];
  if (xs.size() > n) s += ", … (" + std::to_string(xs.size()) + " in all)";
  return s;
}

/// The scope a --jurisdiction names: a jurisdiction id, or a scope name
/// (national, a state with two or more jurisdictions, a state code in a national run).
std::size_t resolve_scope(const scsim::Scenario& sc, const scsim::Scopes& scopes, const std::string& id,
                          std::string& display) {
  for (std::size_t j = 0; j < sc.jurisdictions.size(); ++j)
    if (sc.jurisdictions[j].id == id) {
      display = sc.jurisdictions[j].name + " (" + id + ")";
      return scopes.of_jurisdiction[j];
    }
  const std::size_t s = scopes.find(id);
  if (s != std::string::npos) {
    display = s == 0 ? "all jurisdictions (national)" : id;
    return s;
  }
  std::vector<std::string> ids;
  for (const auto& j : sc.jurisdictions) ids.push_back(j.id);
  throw UsageError("unknown jurisdiction '" + id + "' in " + sc.path + " (jurisdictions: " + list_some(ids) +
                   "; or a scope: national" + (scopes.size() > sc.jurisdictions.size() + 1 ? ", a state code" : "") + ")");
}

std::string value_text(double v, const std::string& unit) {
  if (unit == "USD") return dollars(v);
  if (unit == "USD per bed-day") return dollars_cents(v);
  if (unit == "count") return grouped_number(v, 0);
  return grouped_number(v, 1);
}

std::string interval_text(const BudgetLine& l) {
  const auto& e = l.value;
  if (std::isnan(e.ci95_low) || e.ci95_low == e.ci95_high) return "";
  return "[" + value_text(e.ci95_low, l.unit) + " – " + value_text(e.ci95_high, l.unit) + "]";
}

/// "[p05 – p95]" of a line over the draws; empty when every parameter set gives the same.
std::string draws_range_text(const BudgetLine& l, const scsim::UncertaintyRow& r) {
  if (std::isnan(r.p05) || r.p05 == r.p95) return "";
  return "[" + value_text(r.p05, l.unit) + " – " + value_text(r.p95, l.unit) + "]";
}

/// What a budget officer reads about parameter uncertainty: one sentence per cost line.
std::vector<std::string> draws_sentences(const std::vector<BudgetLine>& lines, const LineDraws& d) {
  std::vector<std::string> out;
  out.push_back(fmt::format(
      "Parameter uncertainty: the statement was also computed for {} plausible sets of the {} parameters the "
      "scenario lists as uncertain ({} sampling, {} replication{} each, the same random numbers for every set).",
      d.design.draws, d.design.params.size(), scsim::sampling::sampler_name(d.opt.sampler), d.opt.replications,
      d.opt.replications == 1 ? "" : "s"));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (l.key != "detainer_cost_usd" && l.key != "net_detainer_cost_usd" && l.key != "extra_jail_bed_days")
      continue;
    const auto& r = d.rows[i];
    std::string s = fmt::format("{}: 90 % of plausible parameter sets give between {} and {} (median {})",
                                l.label, value_text(r.p05, l.unit), value_text(r.p95, l.unit),
                                value_text(r.p50, l.unit));
    if (!std::isnan(r.mc_half_width))
      s += fmt::format("; for any one set, the simulation's own noise is about ± {}", value_text(r.mc_half_width, l.unit));
    out.push_back(s + ".");
  }
  out.push_back("The first range is what is not known about the parameters; the 95% CI is what more replications "
                "would narrow.");
  return out;
}

const char* section_title(const std::string& s) {
  if (s == "activity") return "ACTIVITY";
  if (s == "county") return "COUNTY JAIL";
  return "FEDERAL (ICE)";
}

std::vector<std::string> notes(const Heading& h) {
  std::vector<std::string> n;
  n.push_back(fmt::format("Dollars of each month's calendar year, inflated from each cost's base year at {:.1f}% a year.",
                          100 * h.inflation));
  n.push_back("Extra bed-days are the detainer hold (up to 48 business hours past release, 8 CFR 287.7(d)) plus the "
              "criminal custody a detainer adds by blocking bail and diversion (DOMAIN.md §5). ICE pays for neither.");
  n.push_back(fmt::format("SCAAP offset: {:.1f}% of the bed-day cost of the detainer days of undocumented people with a "
                          "felony (or Level 1/2 record) held at least {} days (the federal fiscal year in which the "
                          "period ends; scenario costs.scaap_*).",
                          100 * h.scaap_rate, h.scaap_min_days));
  n.push_back(fmt::format("Fiscal years start in month {} and are named after the year they end in.", h.fiscal_start));
  if (!h.complete)
    n.push_back("PARTIAL PERIOD: the scenario simulates only " + std::to_string(h.months) +
                " of this period's 12 months; the figures cover those months only.");
  return n;
}

void print_table(std::ostream& os, const Heading& h, const std::vector<BudgetLine>& lines,
                 const LineDraws* draws = nullptr) {
  os << "\n  BUDGET STATEMENT: " << h.scope_name << ", " << h.period << " (" << h.first_day << " to " << h.last_day
     << ")\n";
  os << "  Scenario: " << h.scenario_name << " (" << h.scenario_path << ")\n";
  os << "  " << h.replications << " replication" << (h.replications == 1 ? "" : "s") << ", seed " << h.seed
     << (h.complete ? "" : "; PARTIAL: " + std::to_string(h.months) + " of 12 months simulated") << "\n\n";
  if (draws) {
    os << fmt::format("  {:<56}{:>16}  {:<32}{}\n", "", "mean", h.replications > 1 ? "95% CI" : "",
                      "90% of parameter sets");
  } else {
    os << fmt::format("  {:<56}{:>16}  {}\n", "", "mean", h.replications > 1 ? "95% CI" : "");
  }
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (l.section != section) {
      section = l.section;
      os << "  " << section_title(section) << "\n";
    }
    if (draws)
      os << fmt::format("    {:<54}{:>16}  {:<32}{}\n", l.label, value_text(l.value.mean, l.unit), interval_text(l),
                        draws_range_text(l, draws->rows[i]));
    else
      os << fmt::format("    {:<54}{:>16}  {}\n", l.label, value_text(l.value.mean, l.unit), interval_text(l));
  }
  os << "\n";
  for (const auto& n : notes(h)) os << "  " << n << "\n";
  if (draws) {
    os << "\n";
    for (const auto& n : draws_sentences(lines, *draws)) os << "  " << n << "\n";
  }
  os << "\n";
}

std::string markdown(const Heading& h, const std::vector<BudgetLine>& lines, const LineDraws* draws = nullptr) {
  std::ostringstream os;
  os << "# Detainer budget statement: " << h.scope_name << ", " << h.period << "\n\n";
  os << "- Period: " << h.first_day << " to " << h.last_day
     << (h.complete ? "" : " (**partial**: " + std::to_string(h.months) + " of 12 months simulated)") << "\n";
  os << "- Scenario: " << h.scenario_name << " (`" << h.scenario_path << "`)\n";
  os << "- " << h.replications << " replications, seed " << h.seed << "; means with 95% confidence intervals\n\n";
  os << "| line | mean | 95% CI |\n|---|---:|---:|\n";
  std::string section;
  for (const auto& l : lines) {
    if (l.section != section) {
      section = l.section;
      os << "| **" << section_title(section) << "** | | |\n";
    }
    const bool total = l.key == "net_detainer_cost_usd";
    const std::string v = value_text(l.value.mean, l.unit);
    os << "| " << (total ? "**" + l.label + "**" : l.label) << " | " << (total ? "**" + v + "**" : v) << " | "
       << interval_text(l) << " |\n";
  }
  os << "\n";
  for (const auto& n : notes(h)) os << "- " << n << "\n";
  if (draws) {
    const auto sentences = draws_sentences(lines, *draws);
    os << "\n## Parameter uncertainty\n\n" << sentences.front() << "\n\n";
    for (std::size_t i = 1; i < sentences.size(); ++i) os << "- " << sentences[i] << "\n";
    os << "\n| line | 5% | median | 95% | noise of one set (95%) |\n|---|---:|---:|---:|---:|\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& r = draws->rows[i];
      os << "| " << lines[i].label << " | " << value_text(r.p05, lines[i].unit) << " | "
         << value_text(r.p50, lines[i].unit) << " | " << value_text(r.p95, lines[i].unit) << " | "
         << (std::isnan(r.mc_half_width) ? std::string() : "± " + value_text(r.mc_half_width, lines[i].unit))
         << " |\n";
    }
    os << "\nDraw by draw: `draws.csv`; the summary: `budget_draws.csv`.\n";
  }
  return os.str();
}

/// budget_draws.csv: each line of the statement over the draws.
std::string draws_summary_csv(const Heading& h, const std::vector<BudgetLine>& lines, const LineDraws& d) {
  std::ostringstream os;
  os << "scenario,scope,period,section,line,label,unit,mean,p05,p50,p95,mc_half_width,draws,replications\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const auto& r = d.rows[i];
    os << csv_field(h.scenario_name) << ',' << csv_field(h.scope) << ',' << h.period << ',' << l.section << ','
       << l.key << ',' << csv_field(l.label) << ',' << l.unit << ',' << csv_num(r.mean) << ',' << csv_num(r.p05)
       << ',' << csv_num(r.p50) << ',' << csv_num(r.p95) << ',' << csv_num(r.mc_half_width) << ',' << r.draws
       << ',' << r.replications << '\n';
  }
  return os.str();
}

/// draws.csv: one row per draw, its parameter values and every line (mean over its replications).
std::string per_draw_csv(const std::vector<BudgetLine>& lines, const LineDraws& d) {
  std::ostringstream os;
  os << "draw";
  for (const auto& p : d.design.params) os << ',' << csv_field(p);
  for (const auto& l : lines) os << ',' << l.key;
  os << '\n';
  for (std::size_t i = 0; i < d.design.draws; ++i) {
    os << i;
    for (std::size_t p = 0; p < d.design.params.size(); ++p) os << ',' << csv_num(d.design.value(i, p));
    for (std::size_t v = 0; v < d.table.values; ++v) os << ',' << csv_num(d.table.mean[i * d.table.values + v]);
    os << '\n';
  }
  return os.str();
}

std::string csv(const Heading& h, const std::vector<BudgetLine>& lines) {
  std::ostringstream os;
  os << "scenario,scope,period,first_day,last_day,complete,section,line,label,unit,mean,ci95_low,ci95_high,"
        "replications\n";
  for (const auto& l : lines)
    os << csv_field(h.scenario_name) << ',' << csv_field(h.scope) << ',' << h.period << ',' << h.first_day << ','
       << h.last_day << ',' << (h.complete ? 1 : 0) << ',' << l.section << ',' << l.key << ',' << csv_field(l.label)
       << ',' << l.unit << ',' << csv_num(l.value.mean) << ',' << csv_num(l.value.ci95_low) << ','
       << csv_num(l.value.ci95_high) << ',' << h.replications << '\n';
  return os.str();
}

std::string json(const Heading& h, const std::vector<BudgetLine>& lines, const LineDraws* draws = nullptr) {
  Json items = Json::array();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    items.push_back({{"line", l.key},
                     {"label", l.label},
                     {"unit", l.unit},
                     {"section", l.section},
                     {"mean", l.value.mean},
                     {"ci95_low", l.value.ci95_low},
                     {"ci95_high", l.value.ci95_high}});
    if (draws) {
      const auto& r = draws->rows[i];
      items.back()["draws"] = {{"mean", r.mean}, {"p05", r.p05},           {"p50", r.p50},
                               {"p95", r.p95},   {"mc_half_width", r.mc_half_width}};
    }
  }
  const Json doc = {{"scenario", h.scenario_name}, {"scope", h.scope},       {"period", h.period},
                    {"first_day", h.first_day},     {"last_day", h.last_day}, {"complete", h.complete},
                    {"replications", h.replications}, {"seed", h.seed},     {"lines", std::move(items)}};
  if (draws) {
    Json d = {{"draws", draws->design.draws},
              {"sampler", scsim::sampling::sampler_name(draws->opt.sampler)},
              {"replications", draws->opt.replications},
              {"parameters", draws->design.params}};
    Json copy = doc;
    copy["parameter_uncertainty"] = std::move(d);
    return json_text(copy) + "\n";
  }
  return json_text(doc) + "\n";
}

void run_budget(const BudgetArgs& a, const Common& common) {
  if ((a.fiscal_year != 0) == (a.calendar_year != 0))
    throw UsageError("give exactly one of --fiscal-year and --year");
  RunRecord rec = load_run(a.scenario, a.overrides, stem_of(a.scenario));
  scsim::Scenario& sc = rec.scenario;
  a.sim.apply(sc);

  const scsim::Scopes scopes = scsim::Scopes::build(sc);
  Heading h;
  const std::size_t scope = resolve_scope(sc, scopes, a.jurisdiction, h.scope_name);
  const Period p = a.fiscal_year ? Period::fiscal_year(a.fiscal_year, sc.costs.fiscal_year_start_month)
                                 : Period::calendar_year(a.calendar_year);
  const scsim::Months months = scsim::Months::build(sc);
  const auto range = scsim::month_range(months, p);
  const std::string what = (a.fiscal_year ? "fiscal year " : "calendar year ") + p.label() + " (" +
                           sim::format_date(p.first_day()) + " to " + sim::format_date(p.last_day()) + ")";
  std::vector<std::string> covered;
  for (const Period& c : scsim::covered_periods(sc))
    if ((c.kind == Period::Kind::fiscal) == (a.fiscal_year != 0)) covered.push_back(c.label());
  const std::string period_text = sim::format_date(sc.start) + " to " + sim::format_date(sc.end);
  const std::string choices = covered.empty() ? "it covers none entirely" : "it covers " + list_some(covered);
  if (range.first == range.second)
    throw UsageError(what + " is outside the scenario period " + period_text + "; " + choices);
  const bool complete = scsim::covers(sc, p);
  if (!complete && !a.allow_partial)
    throw UsageError(what + " is only partly inside the scenario period " + period_text + "; " + choices +
                     " (or use --allow-partial to cost the " + std::to_string(range.second - range.first) +
                     " simulated months)");

  std::optional<LineDraws> draws;
  if (a.draws.draws > 0) {  // bad draws are bad input, found before anything runs
    draws.emplace();
    draws->opt = draws_options(sc, a.draws);
    draws->design = draws_design(sc, a.overrides, draws->opt);
  }

  const std::string out_dir =
      a.out.empty() ? "budget-" + a.jurisdiction + "-" + p.label() : a.out;  // checked before the run
  OutputDir out(out_dir, a.force, "budget");

  execute(rec, a.sim.threads, common, "budget");
  const auto lines = scsim::budget_statement(sc, rec.reps, scope, p);
  if (draws) {
    // Task = draw x R + replication, as `scsim uncertainty`'s; each gives the lines of its replication.
    const LineDraws& d = *draws;
    const std::string file = a.scenario;
    const std::vector<std::string> overrides = a.overrides;
    TaskFnFactory make = [&d, file, overrides, scope, p] {
      auto runner = std::make_shared<scsim::TaskRunner>(file, overrides, d.design, d.opt);
      return TaskFn([runner, scope, p](std::size_t task) {
        const scsim::ReplicationResult r = runner->run_replication(task);
        std::vector<double> values;
        for (const auto& l : scsim::budget_statement(runner->scenario(), {r}, scope, p)) values.push_back(l.value.mean);
        return values;
      });
    };
    spdlog::info("budget --draws: {}", draws_description(d.design, d.opt));
    const auto results = run_draw_tasks(d.design.draws * d.opt.replications, a.sim.threads, make, "budget --draws");
    draws->table = scsim::draw_table(d.design.draws, d.opt.replications, results);
    draws->rows = scsim::summarize_uncertainty(d.design, draws->table);
  }
  const LineDraws* dr = draws ? &*draws : nullptr;
  h.scenario_name = sc.name;
  h.scenario_path = a.scenario;
  h.scope = scopes.names[scope];
  h.period = p.label();
  h.first_day = sim::format_date(p.first_day());
  h.last_day = sim::format_date(p.last_day());
  h.replications = rec.reps.size();
  h.months = range.second - range.first;
  h.seed = sc.seed;
  h.complete = complete;
  h.inflation = sc.costs.inflation;
  h.fiscal_start = sc.costs.fiscal_year_start_month;
  {
    const sim::Date last = p.last_day();  // the federal fiscal year the period ends in
    h.scaap_rate = sc.costs.scaap_rate_for(
        scsim::federal_fiscal_year(static_cast<int>(last.year()), static_cast<unsigned>(last.month())));
  }
  h.scaap_min_days = sc.costs.scaap_min_days;

  if (a.format == "table")
    print_table(std::cout, h, lines, dr);
  else if (a.format == "csv")
    std::cout << csv(h, lines);
  else if (a.format == "markdown")
    std::cout << markdown(h, lines, dr);
  else
    std::cout << json(h, lines, dr);

  write_file_atomic(out.file("budget.csv"), csv(h, lines));
  write_file_atomic(out.file("budget.md"), markdown(h, lines, dr));
  if (dr) {
    write_file_atomic(out.file("budget_draws.csv"), draws_summary_csv(h, lines, *dr));
    write_file_atomic(out.file("draws.csv"), per_draw_csv(lines, *dr));
  }
  SqliteWriter db(out.file("results.sqlite"));
  db.add_run(rec);
  db.commit();
  out.commit();
  spdlog::info("wrote {}", out_dir);
  if (a.format == "table")
    std::cout << "  statement written to " << out_dir << "/budget.csv and budget.md"
              << (dr ? " (parameter uncertainty: budget_draws.csv, draws.csv)" : "") << "\n";
}

void add_budget_command(CLI::App& app, Common& common) {
  auto a = std::make_shared<BudgetArgs>();
  auto* cmd = app.add_subcommand("budget", "What honouring detainers costs one jail in one fiscal or calendar year");
  cmd->add_option("scenario", a->scenario, "Scenario YAML file")->required()->check(CLI::ExistingFile);
  cmd->add_option("-j,--jurisdiction", a->jurisdiction, "Jurisdiction id (or a scope: national, a state code)")
      ->required();
  auto* fy = cmd->add_option("--fiscal-year", a->fiscal_year,
                             "Fiscal year, named after the year it ends in (start month: costs.fiscal_year_start_month)");
  auto* cy = cmd->add_option("--year", a->calendar_year, "Calendar year (instead of --fiscal-year)");
  fy->excludes(cy);
  cmd->add_flag("--allow-partial", a->allow_partial, "Accept a period the scenario covers only in part");
  add_simulation_options(cmd, a->sim);
  add_output_dir_options(cmd, a->out, a->force, "Output directory (default: budget-ID-PERIOD)");
  cmd->add_option("--set", a->overrides, "Override a scenario key, e.g. --set costs.scaap_rate=0.2")
      ->allow_extra_args(false);
  add_format_option(cmd, a->format, {"table", "csv", "json", "markdown"});
  add_draws_options(cmd, a->draws, "give the range of each line over them beside its 95% CI");
  cmd->callback([a, &common] { run_budget(*a, common); });
}

const bool registered = register_command(12, &add_budget_command);
}  // namespace

}  // namespace scsim_app
