#include "models/scenario/loader.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>

#include "models/population/national.hpp"
#include "models/scenario/policies.hpp"
#include "models/scenario/files.hpp"
#include "models/scenario/uncertain.hpp"

namespace scsim {
namespace {

namespace fs = std::filesystem;
using schema::above;
using schema::at_least;
using schema::between;
using schema::fail;
using schema::join;
using schema::join_index;
using schema::Key;
using schema::names;
using schema::Node;
using schema::Section;
using schema::Type;

/// What the root section fills: the scenario plus the defaults every jurisdiction starts from.
struct Draft {
  Scenario s;
  Jurisdiction proto;
  const Node* root = nullptr;  // the merged tree, for calibrate paths
  bool has_jurisdictions = false;
  std::string top_file;        // the file being loaded (not a base it extends)
};

bool is_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

/// Every declaration of the scenario format. Built once; sections refer to
/// each other by address, so the object never moves.
struct Declarations {
  Section<Scenario> period{"period", "The simulated period: from `start` to the end of `end`, both days included."};
  Section<Population> population{
      "population",
      "Who is booked and with what history (DOMAIN.md §4). Partial maps override the inherited values key by key; "
      "every share map must still sum to 1 afterwards."};
  Section<PerCharge<PerLevel<double>>> level_rows{
      "level_given_charge",
      "P(SC level | charge class) (DOMAIN.md §2): levels come from criminal history and the charge at booking. Each "
      "row holds shares over level1, level2, level3, noncriminal; a partial row overrides the inherited one key by "
      "key and must still sum to 1. Rows are ASSUMPTIONS to calibrate (e.g. "
      "defaults.population.level_given_charge.misdemeanor.level2 as a calibrate path)."};
  Section<PerCharge<std::array<double, 3>>> felony_rows{
      "prior_felonies",
      "Prior felony convictions (other than aggravated felonies) of people booked on each charge class: shares of "
      "none, one, two_or_more (DOMAIN.md §9; BJS Felony Defendants in Large Urban Counties 2009: 43 % of felony "
      "defendants had a prior felony conviction). They weigh the records consistent with a booking's SC level."};
  Section<PerCharge<std::array<double, 4>>> misdemeanor_rows{
      "prior_misdemeanors",
      "Prior misdemeanour convictions of people booked on each charge class: shares of none, one, two, "
      "three_or_more (three or more make Level 2)."};
  Section<PerCharge<std::array<double, kOffenses>>> offense_rows{
      "offense_given_charge",
      "What a conviction on the booking charge counts as, by charge class: shares over aggravated (felony, INA "
      "101(a)(43)), felony, misdemeanor, none (an infraction: not a criminal conviction)."};
  Section<JailStay> jail_stay{
      "jail_stay",
      "How bookings of one charge class leave criminal custody (DOMAIN.md §5). A convicted booking stays "
      "to_conviction + sentence_served. The defaults, with path shares .55/.15/.30, give an overall mean stay of "
      ".55×3 + .15×8 + .30×(35+33) = 23.25 days and a median of ≈ 3.0 days (BJS: ≈ 23 and ≈ 3)."};
  Section<PerCharge<JailStay>> jail{"jail",
                                    "Criminal custody by charge class: `all` applies to every class first, then "
                                    "the per-class keys override it."};
  Section<Jurisdiction> local{"defaults",
                              "What every jurisdiction starts from; each jurisdiction may override any of these keys."};
  Section<Jurisdiction> jurisdiction{"jurisdiction", "One county (or other booking jurisdiction)."};
  Section<PipelineParams> pipeline{"pipeline",
                                   "The federal side of the pipeline (DOMAIN.md §1): stage durations, "
                                   "capacities and branching probabilities."};
  Section<CostParams> costs{"costs", "Cost accounting (DOMAIN.md §5)."};
  Section<NationalSpec> national{
      "national",
      "Build the 50 states and DC as jurisdictions from the state jail data instead of listing `jurisdictions` "
      "(models/national.hpp): bookings = jail population × annual_turnover / 365, group mix from the Latinx share, "
      "coverage ramps following the national rollout."};
  Section<CalibrationParam> calibrate{"calibrate", "A free parameter for calibration."};
  Section<Draft> root{"scenario", "The top level of a scenario file."};

  Declarations();
  void declare_jurisdiction();
  void declare_pipeline();
  void declare_national();
  void declare_root();
};

const Declarations& decl() {
  static const Declarations d;
  return d;
}

Declarations::Declarations() {
  period
      .field(Key{.name = "start", .type = Type::date, .help = "first simulated day (time 0)", .required = true},
             &Scenario::start)
      .field(Key{.name = "end", .type = Type::date, .help = "last simulated day (included)", .required = true},
             &Scenario::end)
      .field(Key{.name = "bookings_until", .type = Type::date,
                 .help = "last day on which new bookings arrive (default: end); the run goes on to `end`, so a "
                         "cohort's journeys can finish (analytic cross-check, models/analytic.hpp)"},
             &Scenario::bookings_until)
      .finally([](const Node& m, Scenario& s, const std::string& path) {
        // The simulator's calendar knows federal holidays (detainer holds count business
        // hours) for these years; a hold may run past the period's end, hence the year's margin.
        for (const auto& [key, date] : {std::pair{"start", s.start}, std::pair{"end", s.end}}) {
          const int year = static_cast<int>(date.year());
          if (year < sim::kFirstHolidayYear || year >= sim::kLastHolidayYear)
            fail(m.find(key)->where, join(path, key),
                 "the period must lie within " + std::to_string(sim::kFirstHolidayYear) + "-" +
                     std::to_string(sim::kLastHolidayYear - 1) + " (the simulator's holiday calendar), got " +
                     sim::format_date(date));
        }
        if (std::chrono::sys_days{s.end} < std::chrono::sys_days{s.start})
          fail(schema::blame({m.find("start")}, m.find("end")->where), join(path, "end"),
               "period end (" + sim::format_date(s.end) + ") is before its start (" + sim::format_date(s.start) + ")");
        if (s.bookings_until && (std::chrono::sys_days{*s.bookings_until} < std::chrono::sys_days{s.start} ||
                                 std::chrono::sys_days{*s.bookings_until} > std::chrono::sys_days{s.end}))
          fail(schema::blame({m.find("start"), m.find("end")}, m.find("bookings_until")->where),
               join(path, "bookings_until"),
               "bookings_until (" + sim::format_date(*s.bookings_until) + ") must lie within the period (" +
                   sim::format_date(s.start) + " to " + sim::format_date(s.end) + ")");
      });

  population
      .field(Key{.name = "group_mix",
                 .type = Type::shares,
                 .help = "bookings by population group",
                 .choices = names(kGroupNames)},
             &Population::group_mix)
      .field(
          Key{.name = "in_ident",
              .type = Type::probabilities,
              .help = "P(the person's prints are in DHS IDENT) by group: people never encountered by DHS cannot match",
              .choices = names(kGroupNames)},
          &Population::in_ident)
      .field(Key{.name = "charge_mix",
                 .type = Type::shares,
                 .help = "bookings by charge class",
                 .choices = names(kChargeNames)},
             &Population::charge_mix)
      .nested(Key{.name = "level_given_charge",
                  .help = "P(SC level | charge class): per charge class, shares over level1, level2, level3, "
                          "noncriminal"},
              &Population::level_given_charge, level_rows)
      .field(Key{.name = "prior_aggravated",
                 .type = Type::probabilities,
                 .help = "P(at least one prior aggravated-felony conviction) by charge class",
                 .choices = names(kChargeNames)},
             &Population::prior_aggravated)
      .nested(Key{.name = "prior_felonies", .help = "prior felony convictions by charge class"},
              &Population::prior_felonies, felony_rows)
      .nested(Key{.name = "prior_misdemeanors", .help = "prior misdemeanour convictions by charge class"},
              &Population::prior_misdemeanors, misdemeanor_rows)
      .nested(Key{.name = "offense_given_charge", .help = "what a conviction on the charge counts as"},
              &Population::offense_given_charge, offense_rows)
      .field(Key{.name = "rollout_concentration",
                 .type = Type::number,
                 .help = "how much the areas Secure Communities reaches first hold more non-citizens than the rest "
                         "(activation followed the Hispanic population share, Cox & Miles 2013): the first share c "
                         "of the bookings in rollout order hold min(c^(1-k), c x cap / s) of the non-citizen "
                         "bookings (s: their share); 0 spreads them evenly. Matters only for coverage ramps",
                 .range = schema::between(0, 0.95)},
             &Population::rollout_concentration)
      .field(Key{.name = "rollout_noncitizen_cap",
                 .type = Type::number,
                 .help = "highest non-citizen share of bookings in any area under rollout_concentration (at least the "
                         "jurisdiction's own share is used)",
                 .range = schema::Range{0, 1, true, false}},
             &Population::rollout_noncitizen_cap)
      .add(Key{.name = "rollout_charges",
               .type = Type::list,
               .help = "charge classes whose non-citizen bookings rollout_concentration concentrates (the others are "
                       "spread like citizens' bookings)",
               .choices = names(kChargeNames),
               .default_text = "[violent_felony, other_felony, misdemeanor, traffic]"},
           [](const Node& n, Population& p, const std::string& path) {
             const Key k{.name = "rollout_charges", .type = Type::list, .choices = names(kChargeNames)};
             p.rollout_charges.fill(false);
             for (std::size_t c : schema::read_choice_list(n, path, k)) p.rollout_charges[c] = true;
           });

  for (std::size_t c = 0; c < kCharges; ++c) {
    const Key row{.name = "", .type = Type::shares, .choices = names(kLevelNames)};
    level_rows.field(Key{.name = std::string(kChargeNames[c]),
                         .type = Type::shares,
                         .help = "bookings on a " + std::string(kChargeNames[c]) + " charge",
                         .choices = names(kLevelNames),
                         .default_text = schema::render_value_map(row, Population{}.level_given_charge[c])},
                     [c](PerCharge<PerLevel<double>>& m) -> PerLevel<double>& { return m[c]; });
  }

  const auto add_rows = [](auto& section, const auto& member, std::vector<std::string> choices, std::string what) {
    for (std::size_t c = 0; c < kCharges; ++c) {
      const Key row{.name = "", .type = Type::shares, .choices = choices};
      section.field(Key{.name = std::string(kChargeNames[c]),
                        .type = Type::shares,
                        .help = what + " of bookings on a " + std::string(kChargeNames[c]) + " charge",
                        .choices = choices,
                        .default_text = schema::render_value_map(row, (Population{}.*member)[c])},
                    [c](auto& m) -> auto& { return m[c]; });
    }
  };
  add_rows(felony_rows, &Population::prior_felonies, {"none", "one", "two_or_more"}, "prior felonies");
  add_rows(misdemeanor_rows, &Population::prior_misdemeanors, {"none", "one", "two", "three_or_more"},
           "prior misdemeanours");
  add_rows(offense_rows, &Population::offense_given_charge, names(kOffenseNames), "the conviction class");

  // Defaults chosen so that the default path shares give the BJS stay profile (see the section help).
  const auto dist = [](std::string name, std::string help, std::string def) {
    return Key{
        .name = std::move(name), .type = Type::distribution, .help = std::move(help), .default_text = std::move(def)};
  };
  jail_stay
      .field(Key{.name = "path_share",
                 .type = Type::shares,
                 .help = "how bookings leave criminal custody",
                 .choices = names(kJailPathNames)},
             &JailStay::path_share)
      .field(dist("pretrial_release", "booking → bail or own recognisance", "{dist: lognormal, median: 1d, mean: 3d}"),
             &JailStay::pretrial_release)
      .field(dist("dismissed", "booking → charges dropped", "{dist: lognormal, median: 3d, mean: 8d}"),
             &JailStay::dismissed)
      .field(
          dist("to_conviction", "booking → conviction (plea or verdict)", "{dist: lognormal, median: 20d, mean: 35d}"),
          &JailStay::to_conviction)
      .field(dist("sentence_served", "conviction → release", "{dist: lognormal, median: 20d, mean: 33d}"),
             &JailStay::sentence_served)
      .field(Key{.name = "pretrial_convicted",
                 .type = Type::probability,
                 .help = "P(a case released pretrial ends in a conviction, at its disposition: to_conviction, not "
                         "before the release); BJS 2009: ≈ 60 % of released felony defendants"},
             &JailStay::pretrial_convicted)
      .field(Key{.name = "financial_release",
                 .type = Type::probability,
                 .help = "share of pretrial releases that need money bail (the rest: recognisance, citation); a "
                         "detainer blocks only these (pipeline.bail_loss_probability)"},
             &JailStay::financial_release);

  jail.add(
      Key{.name = "all", .type = Type::map, .help = "every charge class", .section = &jail_stay},
      [this](const Node& n, PerCharge<JailStay>& j, const std::string& p) {
        for (auto& stay : j) jail_stay.apply(n, stay, p);
      },
      {},
      [this](PerCharge<JailStay>& j) {
        for (auto& stay : j) jail_stay.apply_defaults(stay);
      });
  for (std::size_t c = 0; c < kCharges; ++c)
    jail.add(Key{.name = std::string(kChargeNames[c]),
                 .type = Type::map,
                 .help = "bookings on a " + std::string(kChargeNames[c]) + " charge",
                 .section = &jail_stay},
             [this, c](const Node& n, PerCharge<JailStay>& j, const std::string& p) { jail_stay.apply(n, j[c], p); });

  local.nested(Key{.name = "population", .help = "who is booked"}, &Jurisdiction::population, population)
      .nested(Key{.name = "jail", .help = "criminal custody by charge class"}, &Jurisdiction::jail, jail)
      .field(Key{.name = "day_of_week",
                 .type = Type::weights,
                 .help = "relative booking rate by weekday, normalised to mean 1",
                 .choices = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
             &Jurisdiction::day_of_week)
      .field(Key{.name = "jail_cost_per_day",
                 .type = Type::money,
                 .help = "county cost of a jail bed-day (≈ $60–130; LA ≈ $64, Maricopa ≈ $68–73)",
                 .unit = "USD per bed-day",
                 .range = at_least(0)},
             &Jurisdiction::jail_cost_per_day)
      .field(Key{.name = "jail_cost_year",
                 .type = Type::integer,
                 .help = "the year whose dollars jail_cost_per_day is in",
                 .range = between(1990, 2100)},
             &Jurisdiction::jail_cost_year);

  declare_jurisdiction();
  declare_pipeline();

  costs
      .field(Key{.name = "fiscal_year_start_month",
                 .type = Type::integer,
                 .help = "first month of the fiscal year used in reports (7: July, most counties; 10: federal)",
                 .range = between(1, 12)},
             &CostParams::fiscal_year_start_month)
      .field(Key{.name = "inflation",
                 .type = Type::number,
                 .help = "annual rate converting dollars between years",
                 .unit = "per year",
                 .range = between(-0.5, 1)},
             &CostParams::inflation)
      .field(Key{.name = "staff_cost_per_detainer",
                 .type = Type::money,
                 .help = "county processing cost per detainer lodged",
                 .unit = "USD",
                 .range = at_least(0)},
             &CostParams::staff_cost_per_detainer)
      .field(
          Key{.name = "scaap_rate",
              .type = Type::probability,
              .help = "share of the bed-day cost SCAAP reimburses for eligible people (felony or two misdemeanours)"},
          &CostParams::scaap_rate)
      .field(Key{.name = "scaap_min_days",
                 .type = Type::integer,
                 .help = "consecutive days held before SCAAP counts a person",
                 .unit = "days",
                 .range = at_least(0)},
             &CostParams::scaap_min_days)
      .field(Key{.name = "ice_per_diem",
                 .type = Type::money,
                 .help = "ICE detention cost per bed-day ($128.88 FY2016)",
                 .unit = "USD per bed-day",
                 .range = at_least(0)},
             &CostParams::ice_per_diem)
      .field(Key{.name = "ice_per_diem_year",
                 .type = Type::integer,
                 .help = "the year whose dollars ice_per_diem is in",
                 .range = between(1990, 2100)},
             &CostParams::ice_per_diem_year);

  declare_national();

  calibrate
      .field(Key{.name = "path",
                 .type = Type::string,
                 .help = "key path of a declared numeric key, e.g. pipeline.pickup_probability, "
                         "ice.detainer_probability.level3, jurisdictions[los_angeles_ca].jail_cost_per_day or "
                         "policies[memo_2011].detainer_probability.level1 (a policy by its id)",
                 .required = true},
             &CalibrationParam::path)
      .field(Key{.name = "lower", .type = Type::number, .help = "lower bound of the search", .required = true},
             &CalibrationParam::lower)
      .field(Key{.name = "upper", .type = Type::number, .help = "upper bound of the search", .required = true},
             &CalibrationParam::upper)
      .field(Key{.name = "source",
                 .type = Type::string,
                 .help = "where the range comes from (a study, a published figure, an argument); printed by "
                         "`scsim calibrate` and `scsim check-targets`"},
             &CalibrationParam::source)
      .field(Key{.name = "physical_bound",
                 .type = Type::enumeration,
                 .help = "a bound the value may sit at because it is a fact, not a limit of the search (e.g. a "
                         "probability of 1 that a source supports): a fitted value there is reported, not a "
                         "failure of `scsim check-targets`; needs `reason`",
                 .choices = {"lower", "upper"}},
             &CalibrationParam::physical_bound)
      .field(Key{.name = "reason",
                 .type = Type::string,
                 .help = "why the physical_bound is physical, with its source (required with physical_bound)"},
             &CalibrationParam::reason)
      .finally([](const Node& m, CalibrationParam& c, const std::string& path) {
        if (!(c.upper > c.lower))
          fail(schema::blame({m.find("lower")}, m.find("upper")->where), join(path, "upper"),
               "upper (" + schema::render_number(c.upper) + ") must exceed lower (" + schema::render_number(c.lower) +
                   ")");
        if (!c.physical_bound.empty() && c.reason.find_first_not_of(" \t") == std::string::npos)
          fail(m.find("reason") ? m.find("reason")->where : m.find("physical_bound")->where, join(path, "reason"),
               "physical_bound: " + c.physical_bound + " needs a `reason` saying why the bound is physical, with its source");
        if (c.physical_bound.empty() && m.find("reason"))
          fail(m.find("reason")->where, join(path, "reason"),
               "`reason` explains a physical_bound (lower or upper); this entry declares none");
        c.origin = m.where.str();
      });

  declare_root();
}

void Declarations::declare_jurisdiction() {
  const Key population_key{.name = "jail_population",
                           .type = Type::number,
                           .help =
                               "average daily jail population; with annual_turnover gives bookings_per_day = "
                               "jail_population × annual_turnover / 365",
                           .unit = "people",
                           .range = above(0)};
  const Key turnover_key{.name = "annual_turnover",
                         .type = Type::number,
                         .help = "admissions per jail bed per year (≈ 16 nationally, DOMAIN.md §5)",
                         .unit = "per year",
                         .range = above(0)};
  // Validated here, combined in the check below.
  const auto validate_only = [](const Key& k) {
    return [k](const Node& n, Jurisdiction&, const std::string& p) { schema::read_number(n, p, k); };
  };
  jurisdiction
      .field(Key{.name = "id",
                 .type = Type::string,
                 .help = "identifier ([a-z0-9_]+) for policy scopes and overrides",
                 .required = true},
             &Jurisdiction::id)
      .field(Key{.name = "name", .type = Type::string, .help = "display name (default: the id)"}, &Jurisdiction::name)
      .field(Key{.name = "state",
                 .type = Type::enumeration,
                 .help = "postal code of the state (50 states and DC)",
                 .choices = us_state_codes(),
                 .required = true},
             &Jurisdiction::state)
      .add(Key{.name = "bookings_per_day",
               .type = Type::number,
               .help = "average bookings a day (or jail_population with annual_turnover)",
               .unit = "per day",
               .range = above(0)},
           [](const Node& n, Jurisdiction& j, const std::string& p) {
             j.bookings_per_day = schema::read_number(n, p, Key{.type = Type::number, .range = above(0)});
           })
      .add(population_key, validate_only(population_key))
      .add(turnover_key, validate_only(turnover_key))
      .field(Key{.name = "activation",
                 .type = Type::date,
                 .help = "SC activation: every booking is checked from this day (or give `coverage`; neither: never "
                         "activated unless a rollout policy says so)"},
             &Jurisdiction::activation)
      .add(Key{.name = "coverage",
               .type = Type::list,
               .help = "activation ramp instead of a date",
               .section = &coverage_section()},
           [](const Node& n, Jurisdiction& j, const std::string& p) { j.coverage = read_coverage(n, p); })
      .include(local)
      .finally([population_key, turnover_key](const Node& m, Jurisdiction& j, const std::string& path) {
        if (!is_id(j.id))
          fail(m.find("id")->where, join(path, "id"), "ids use only a-z, 0-9 and _, got '" + j.id + "'");
        if (j.name.empty()) j.name = j.id;
        const Node* bpd = m.find("bookings_per_day");
        const Node* pop = m.find("jail_population");
        const Node* turnover = m.find("annual_turnover");
        if (bpd && (pop || turnover)) {
          // Blame the one an override added, else the jail population written beside the rate.
          const bool rate_overridden = bpd->where.file && bpd->where.file->is_override;
          const Node* other = pop ? pop : turnover;
          fail(rate_overridden ? bpd->where : other->where,
               join(path, rate_overridden ? "bookings_per_day" : pop ? "jail_population" : "annual_turnover"),
               "give bookings_per_day or jail_population with annual_turnover, not both");
        }
        if (!bpd && !(pop && turnover))
          fail(m.where,
               join(path, pop        ? "annual_turnover"
                          : turnover ? "jail_population"
                                     : "bookings_per_day"),
               pop || turnover ? "jail_population and annual_turnover go together"
                               : "required: bookings_per_day, or jail_population with annual_turnover");
        if (!bpd) {
          j.bookings_per_day = schema::read_number(*pop, join(path, "jail_population"), population_key) *
                               schema::read_number(*turnover, join(path, "annual_turnover"), turnover_key) / 365.0;
          if (!std::isfinite(j.bookings_per_day) || !(j.bookings_per_day > 0))
            fail(schema::blame({turnover}, pop->where), join(path, "jail_population"),
                 "jail_population x annual_turnover / 365 is not a usable booking rate");
        }
        if (j.activation && !j.coverage.empty())
          fail(schema::blame({m.find("activation")}, m.find("coverage")->where), join(path, "coverage"),
               "give either activation or coverage, not both");
        j.origin = m.where.str();
      });
}

void Declarations::declare_pipeline() {
  const auto dist = [](std::string name, std::string help, std::string def) {
    return Key{
        .name = std::move(name), .type = Type::distribution, .help = std::move(help), .default_text = std::move(def)};
  };
  const auto prob = [](std::string name, std::string help) {
    return Key{.name = std::move(name), .type = Type::probability, .help = std::move(help)};
  };
  pipeline
      .field(dist("iafis_response", "SIB → FBI IAFIS → IDENT response (FBI CJIS average ≈ 27 min; GAO-04-260)",
                  "{dist: exponential, mean: 27min}"),
             &PipelineParams::iafis_response)
      .field(Key{.name = "lesc_analysts",
                 .type = Type::integer,
                 .help = "ICE LESC analysts answering IAQs (24/7 capacity)",
                 .unit = "analysts",
                 .range = at_least(1)},
             &PipelineParams::lesc_analysts)
      .field(dist("lesc_service", "analyst time per IAQ (up to ~16 databases; DHS OIG-12-64)",
                  "{dist: lognormal, median: 20min, mean: 30min}"),
             &PipelineParams::lesc_service)
      .field(prob("lesc_citizen_detection", "P(LESC recognises a matched citizen, so ICE takes no action)"),
             &PipelineParams::lesc_citizen_detection)
      .field(dist("ice_decision_delay", "IAR received → detainer lodged (NYC: usually within 24 h of admission)",
                  "{dist: lognormal, median: 6h, mean: 12h}"),
             &PipelineParams::ice_decision_delay)
      .field(
          prob("pickup_probability", "P(ICE comes at all for a person held on its detainer; < 40 % by FY2016, TRAC)"),
          &PipelineParams::pickup_probability)
      .field(dist("pickup_delay", "end of criminal custody → ICE arrives", "{dist: lognormal, median: 20h, mean: 30h}"),
             &PipelineParams::pickup_delay)
      .field(prob("notification_pickup_probability", "P(ICE meets a release it asked to be notified of)"),
             &PipelineParams::notification_pickup_probability)
      .field(
          prob("bail_loss_probability", "P(a detainer blocks pretrial release): 1 − 1.6/19.8 (Pierce County 2016–18)"),
          &PipelineParams::bail_loss_probability)
      .field(Key{.name = "removable_conviction",
                 .type = Type::probabilities,
                 .help = "P(a conviction of each class is a ground of deportability for a lawful resident, INA "
                         "237(a)(2): aggravated felonies always; controlled substances, moral turpitude, firearms, "
                         "domestic violence among the rest; docs/sources/issue12-parameters.md)",
                 .choices = names(kOffenseNames)},
             &PipelineParams::removable_conviction)
      .field(prob("status_violation", "P(a person of other lawful status is removable on a status violation)"),
             &PipelineParams::status_violation)
      .field(Key{.name = "prior_order",
                 .type = Type::probabilities,
                 .help = "P(a prior removal order ICE can reinstate, INA 241(a)(5)) by group",
                 .choices = names(kGroupNames)},
             &PipelineParams::prior_order)
      .field(prob("lesc_lawful_screening",
                  "P(LESC sees that a lawful resident has no removable conviction, violation or charge, so ICE "
                  "takes no action)"),
             &PipelineParams::lesc_lawful_screening)
      .field(Key{.name = "custody_paths",
                 .type = Type::shares,
                 .help = "paths through ICE custody of removable people without a reinstated order (Warren "
                         "Institute 2011: 83 % detained, 52 % had a hearing)",
                 .choices = {"released_pending", "voluntary_return", "stipulated", "court"}},
             &PipelineParams::custody_paths)
      .field(prob("reinstatement", "P(a prior removal order is reinstated) (≈ 1/3 of DHS removals FY2009–12)"),
             &PipelineParams::reinstatement)
      .field(Key{.name = "court_outcomes",
                 .type = Type::shares,
                 .help = "outcomes of detained immigration-court cases (relief ≈ 2 % of SC arrestees; Kohli, "
                         "Markowitz & Chavez 2011)",
                 .choices = {"removed", "voluntary_departure", "relief", "terminated"}},
             &PipelineParams::court_outcomes)
      .field(dist("ice_detention", "detained immigration-court case: book-in → order (ICE stays ≈ 30–45 days)",
                  "{dist: lognormal, median: 30d, mean: 40d}"),
             &PipelineParams::ice_detention)
      .field(dist("bond_release_after", "book-in → release pending proceedings",
                  "{dist: lognormal, median: 10d, mean: 20d}"),
             &PipelineParams::bond_release_after)
      .field(dist("reinstatement_time", "book-in → removal on a reinstated order",
                  "{dist: lognormal, median: 7d, mean: 12d}"),
             &PipelineParams::reinstatement_time)
      .field(dist("stipulated_time", "book-in → removal on a stipulated order",
                  "{dist: lognormal, median: 14d, mean: 20d}"),
             &PipelineParams::stipulated_time)
      .field(dist("voluntary_return_time", "book-in → voluntary return", "{dist: lognormal, median: 3d, mean: 7d}"),
             &PipelineParams::voluntary_return_time)
      .field(dist("termination_time",
                  "book-in → release of a citizen or of a lawful resident without a removable ground",
                  "{dist: lognormal, median: 5d, mean: 15d}"),
             &PipelineParams::termination_time)
      .field(dist("at_large_delay", "release → ICE's at-large arrest, when ICE follows a release up (REASONED: months)",
                  "{dist: lognormal, median: 90d, mean: 150d}"),
             &PipelineParams::at_large_delay)
      .field(prob("cap_screening",
                  "Criminal Alien Program: P(ICE's jail screening finds a foreign-born booking that neither SC nor a "
                  "287(g) officer identified) (REASONED 0.15–0.45)"),
             &PipelineParams::cap_screening);
}

void Declarations::declare_national() {
  national
      .add(Key{.name = "data_file",
               .type = Type::string,
               .help = "the state jail CSV (data/us_state_jails_2005_2016.csv), relative to the file that names it",
               .required = true},
           [](const Node& n, NationalSpec& spec, const std::string& p) {
             const std::string rel = schema::read_string(n, p);
             const fs::path full = ((n.where.file ? n.where.file->dir : fs::path()) / rel).lexically_normal();
             if (!fs::is_regular_file(full))
               fail(n.where, p, "data file not found: '" + rel + "' (looked for " + full.string() + ")");
             spec.data_file = full.string();
           })
      .field(Key{.name = "year",
                 .type = Type::integer,
                 .help = "which year's jail population",
                 .range = between(2005, 2016)},
             &NationalSpec::year)
      .field(Key{.name = "annual_turnover",
                 .type = Type::number,
                 .help = "admissions per jail bed per year (DOMAIN.md §5)",
                 .unit = "per year",
                 .range = above(0)},
             &NationalSpec::annual_turnover)
      .field(Key{.name = "noncitizen_per_latinx",
                 .type = Type::number,
                 .help = "non-citizen share of bookings per unit of Latinx share of the jail population",
                 .range = at_least(0)},
             &NationalSpec::noncitizen_per_latinx)
      .field(Key{.name = "noncitizen_min", .type = Type::probability, .help = "lower clamp of the non-citizen share"},
             &NationalSpec::noncitizen_min)
      .field(Key{.name = "noncitizen_max", .type = Type::probability, .help = "upper clamp of the non-citizen share"},
             &NationalSpec::noncitizen_max)
      .field(Key{.name = "noncitizen_split",
                 .type = Type::shares,
                 .help = "how non-citizens split over the groups",
                 .choices = {"lpr", "other_lawful", "removable_known", "removable_unknown"}},
             &NationalSpec::noncitizen_split)
      .field(Key{.name = "naturalized_share",
                 .type = Type::probability,
                 .help = "naturalised citizens' share of all bookings"},
             &NationalSpec::naturalized_share)
      .field(Key{.name = "coverage_exponent",
                 .type = Type::number,
                 .help = "national booking coverage = (share of the 3,181 counties activated) ^ exponent "
                         "(early counties were large; models/national.cpp)",
                 .range = above(0)},
             &NationalSpec::coverage_exponent)
      .field(Key{.name = "rollout_latinx_pace",
                 .type = Type::number,
                 .help = "how much faster states with a larger Latinx share of the jail population are covered once "
                         "started: pace = (state share / national share) ^ this (0: the same pace for all; Cox & "
                         "Miles 2013). National coverage still follows the rollout table",
                 .range = between(0, 3)},
             &NationalSpec::rollout_latinx_pace)
      .add(Key{.name = "state_ramps",
               .type = Type::map,
               .help = "coverage ramps replacing the computed ones, by state: {TX: [{date: .., fraction: ..}, ...]}",
               .choices = us_state_codes()},
           [](const Node& n, NationalSpec& spec, const std::string& p) {
             if (!n.is_map()) fail(n.where, p, "expected a map of states to coverage ramps, got " + n.describe());
             for (const auto& e : n.entries) {
               const auto& states = us_state_codes();
               if (std::find(states.begin(), states.end(), e.key) == states.end())
                 fail(e.key_where, join(p, e.key),
                      "unknown state '" + e.key + "'" + schema::did_you_mean(e.key, states));
               spec.state_ramps[e.key] = read_coverage(e.value, join(p, e.key));
             }
           })
      .finally([](const Node& m, NationalSpec& spec, const std::string& path) {
        if (spec.noncitizen_min > spec.noncitizen_max)
          fail(schema::blame({m.find("noncitizen_min"), m.find("noncitizen_max")}, m.where), join(path, "noncitizen_min"),
               "noncitizen_min exceeds noncitizen_max");
        spec.origin = m.where.str();
      });
}

void Declarations::declare_root() {
  const auto ignore = [](const Node&, Draft&, const std::string&) {};
  root.add(Key{.name = "extends",
               .type = Type::string,
               .help = "a base scenario, relative to this file (see Files, extends and overrides above)"},
           ignore)
      .field(
          Key{.name = "name", .type = Type::string, .help = "short title (default: the file name without extension)"},
          [](Draft& d) -> std::string& { return d.s.name; })
      .field(Key{.name = "description", .type = Type::string, .help = "what the scenario asks, with its sources"},
             [](Draft& d) -> std::string& { return d.s.description; })
      .field(Key{.name = "abstract",
                 .type = Type::boolean,
                 .help = "a partial scenario (shared defaults) meant only to be extended: it needs no "
                         "jurisdictions, validates, but cannot be run; not inherited by files extending it"},
             [](Draft& d) -> bool& { return d.s.abstract; })
      .nested(
          Key{.name = "period", .help = "the simulated period", .required = true},
          [](Draft& d) -> Scenario& { return d.s; }, period)
      .field(Key{.name = "seed",
                 .type = Type::integer,
                 .help = "master random seed (streams derive from it by name)",
                 .range = at_least(0)},
             [](Draft& d) -> std::uint64_t& { return d.s.seed; })
      .field(Key{.name = "replications", .type = Type::integer, .help = "independent runs", .range = at_least(1)},
             [](Draft& d) -> std::size_t& { return d.s.replications; })
      .field(Key{.name = "volume_scale",
                 .type = Type::number,
                 .help = "multiplies every booking rate (quick runs, tests)",
                 .range = above(0)},
             [](Draft& d) -> double& { return d.s.volume_scale; })
      .nested(Key{.name = "defaults", .help = "what every jurisdiction starts from"}, &Draft::proto, local)
      .nested(
          Key{.name = "pipeline", .help = "federal stage parameters"},
          [](Draft& d) -> PipelineParams& { return d.s.pipeline; }, pipeline)
      .add(Key{.name = "ice",
               .type = Type::map,
               .help = "ICE's decision rules before any dated policy (the keys of ice_priorities)",
               .section = &ice_keys_section(),
               .default_text = "{preset: 2008_levels}"},
           [](const Node& n, Draft& d, const std::string& p) { apply_ice_block(n, p, d.s.base_rules); })
      .add(Key{.name = "detainers",
               .type = Type::map,
               .help = "jails' response to detainers before any dated policy (the keys of detainer_policy; base: "
                       "honor_all, max_hold 48h)",
               .section = &detainer_keys_section()},
           [](const Node& n, Draft& d, const std::string& p) { apply_detainers_block(n, p, d.s.base_rules); })
      .nested(
          Key{.name = "costs", .help = "cost accounting"}, [](Draft& d) -> CostParams& { return d.s.costs; }, costs)
      .add(Key{.name = "jurisdictions",
               .type = Type::list,
               .help = "the counties simulated (or `national`)",
               .section = &jurisdiction},
           [this](const Node& n, Draft& d, const std::string& path) {
             if (!n.is_sequence()) fail(n.where, path, "expected a list of jurisdictions, got " + n.describe());
             if (n.items.empty()) fail(n.where, path, "the jurisdictions list is empty");
             d.has_jurisdictions = true;
             std::map<std::string, const Node*> seen;
             for (std::size_t i = 0; i < n.items.size(); ++i) {
               Jurisdiction j = d.proto;
               jurisdiction.apply(n.items[i], j, join_index(path, i));
               const Node* id = n.items[i].find("id");
               if (const auto it = seen.find(j.id); it != seen.end())
                 fail(id->where, join(join_index(path, i), "id"),
                      "duplicate jurisdiction id '" + j.id + "' (first at line " +
                          std::to_string(it->second->where.line) + ")");
               seen[j.id] = id;
               d.s.jurisdictions.push_back(std::move(j));
             }
           })
      .add(Key{.name = "national",
               .type = Type::map,
               .help = "the 50 states and DC from data (or `jurisdictions`)",
               .section = &national},
           [this](const Node& n, Draft& d, const std::string& path) {
             if (d.has_jurisdictions) fail(n.where, path, "give either 'jurisdictions' or 'national', not both");
             NationalSpec spec;
             national.apply_defaults(spec);
             national.apply(n, spec, path);
             d.s.jurisdictions = build_national(spec, d.proto);
             d.s.national = std::move(spec);
           })
      .add(Key{.name = "policies",
               .type = Type::list,
               .help = "dated policies, applied in file order",
               .section = &policy_section()},
           [](const Node& n, Draft& d, const std::string& path) {
             if (!n.is_sequence()) fail(n.where, path, "expected a list of policies, got " + n.describe());
             std::vector<std::string> ids;
             for (const auto& j : d.s.jurisdictions) ids.push_back(j.id);
             const std::unordered_set<std::string> known(ids.begin(), ids.end());  // scopes may list thousands
             std::map<std::string, const Node*> seen_ids;  // ids are unique in the whole list, dropped policies too
             for (std::size_t i = 0; i < n.items.size(); ++i) {
               const Node& item = n.items[i];
               const std::string p = join_index(path, i);
               ParsedPolicy pp = parse_policy(item, p);
               if (!pp.spec.id.empty()) {
                 const Node* id = item.find("id");
                 if (const auto it = seen_ids.find(pp.spec.id); it != seen_ids.end())
                   fail(id->where, join(p, "id"),
                        "duplicate policy id '" + pp.spec.id + "' (first at " + it->second->where.str() + ")");
                 seen_ids[pp.spec.id] = id;
               }
               if (pp.from_given && std::chrono::sys_days{pp.spec.from} > std::chrono::sys_days{d.s.end}) {
                 // A base written for a longer period (e.g. every ICE era) may carry policies that
                 // start after this scenario ends: they can never apply here, so they are dropped.
                 // Written in this very file, such a date is a mistake.
                 const schema::Source& at = item.find("from")->where;
                 if (at.file && at.file->name != d.top_file) continue;
                 fail(at, join(p, "from"),
                      "policy starts on " + sim::format_date(pp.spec.from) + ", after the period ends (" +
                          sim::format_date(d.s.end) + ")");
               }
               if (pp.spec.scope.kind == Scope::Kind::jurisdictions) {
                 const Node& list = *item.find("scope")->find("jurisdictions");
                 for (std::size_t k = 0; k < pp.spec.scope.ids.size(); ++k)
                   if (!known.count(pp.spec.scope.ids[k]))
                     fail(list.items[k].where, join_index(join(p, "scope.jurisdictions"), k),
                          "unknown jurisdiction '" + pp.spec.scope.ids[k] + "'" +
                              schema::did_you_mean(pp.spec.scope.ids[k], ids));
               }
               if (pp.configure)
                 for (auto& j : d.s.jurisdictions)
                   if (pp.spec.scope.covers(j)) pp.configure(j);
               d.s.policies.push_back(std::move(pp.spec));
             }
           })
      .add(Key{.name = "calibrate",
               .type = Type::list,
               .help = "free parameters for calibration",
               .section = &calibrate},
           [this](const Node& n, Draft& d, const std::string& path) {
             auto params = calibrate.read_list(n, path);
             // Resolving may create maps on the way: one copy serves every path (a map
             // created for one is created again, the same, for the next).
             Node scratch = params.empty() ? Node{} : *d.root;
             for (std::size_t i = 0; i < params.size(); ++i) {
               const Node& pn = *n.items[i].find("path");
               const std::string p = join(join_index(path, i), "path");
               schema::PathTarget t;
               try {
                 t = schema::resolve_path(scratch, root, params[i].path, pn.where);
               } catch (const ScenarioError& e) {
                 fail(pn.where, p, "'" + params[i].path + "': " + e.message);
               }
               const Type ty = t.key->type;
               // A shares entry is allowed: calibrate rescales the rest of its map (models/calibration.hpp).
               const bool numeric = t.map_entry ? (ty == Type::probabilities || ty == Type::weights || ty == Type::shares)
                                                : (ty == Type::integer || ty == Type::number ||
                                                   ty == Type::probability || ty == Type::money);
               if (!numeric)
                 fail(pn.where, p,
                      "'" + params[i].path + "' is a " + std::string(schema::type_name(ty)) +
                          (t.map_entry ? " entry" : "") + ", not a number to calibrate");
             }
             d.s.calibrate = std::move(params);
           })
      .add(Key{.name = "uncertain",
               .type = Type::list,
               .help = "uncertain parameters and their distributions, for `scsim uncertainty` (docs/uncertainty.md)",
               .section = &uncertain_section()},
           [this](const Node& n, Draft& d, const std::string& path) {
             d.s.uncertain = read_uncertain(n, path, *d.root, root);
           })
      .finally([](const Node& m, Draft& d, const std::string&) {
        if (!d.s.abstract && !m.find("jurisdictions") && !m.find("national"))
          fail(m.where, "jurisdictions",
               "a scenario needs 'jurisdictions' (counties) or 'national' (states from data)");
      });
}

Scenario finish(Node root, std::string path, std::string default_name, const std::vector<std::string>& overrides,
                schema::ParseBudget& budget) {
  scenario_files::apply_overrides(root, decl().root, overrides, budget);
  Draft d;
  d.root = &root;
  d.top_file = path;
  decl().root.apply_defaults(d);
  decl().root.apply(root, d, "");
  d.s.path = std::move(path);
  if (d.s.name.empty()) d.s.name = std::move(default_name);
  d.s.resolved_yaml = schema::emit(root);
  return std::move(d.s);
}

}  // namespace

Override parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw ScenarioError("<override>", 1, 1, std::string(text),
                        "expected key.path=value, got '" + std::string(text) + "'");
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
  };
  return {trim(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

Scenario load_scenario(const fs::path& file, const std::vector<std::string>& overrides) {
  const std::string display = file.lexically_normal().string();
  schema::ParseBudget budget;
  return finish(scenario_files::load_file(file, display, budget), display, file.stem().string(), overrides, budget);
}

Scenario load_scenario_text(std::string_view yaml, const fs::path& base_dir,
                            const std::vector<std::string>& overrides) {
  schema::ParseBudget budget;
  return finish(scenario_files::load_text(yaml, base_dir, budget), "<text>", "<text>", overrides, budget);
}

const schema::SectionBase& scenario_section() { return decl().root; }

}  // namespace scsim
