// The scenario format, part 1: periods, population, jail stays and jurisdictions
// (declarations.hpp says how the declarations are split).
#include "models/scenario/declarations.hpp"
#include "models/scenario/parse.hpp"

namespace scsim::scenario_declarations {
namespace {

bool is_id(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

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

  noncitizens
      .field(Key{.name = "per_latinx",
                 .type = Type::number,
                 .help = "non-citizen share of bookings per unit of Latinx share of the jail population",
                 .range = at_least(0)},
             &NoncitizenRule::per_latinx)
      .field(Key{.name = "min", .type = Type::probability, .help = "lower clamp of the non-citizen share"},
             &NoncitizenRule::min)
      .field(Key{.name = "max", .type = Type::probability, .help = "upper clamp of the non-citizen share"},
             &NoncitizenRule::max)
      .field(Key{.name = "split",
                 .type = Type::shares,
                 .help = "how non-citizens split over the groups",
                 .choices = {"lpr", "other_lawful", "removable_known", "removable_unknown"}},
             &NoncitizenRule::split)
      .field(Key{.name = "naturalized_share",
                 .type = Type::probability,
                 .help = "naturalised citizens' share of all bookings"},
             &NoncitizenRule::naturalized_share)
      .finally([](const Node& m, NoncitizenRule& r, const std::string& path) {
        if (r.min > r.max)
          fail(schema::blame({m.find("min"), m.find("max")}, m.where), join(path, "min"), "min exceeds max");
        if (r.naturalized_share + r.max > 1)
          fail(schema::blame({m.find("naturalized_share"), m.find("max")}, m.where), join(path, "naturalized_share"),
               "naturalized_share + max exceed 1 (they are shares of the same bookings)");
      });

  population
      .field(Key{.name = "group_mix",
                 .type = Type::shares,
                 .help = "bookings by population group (or give latinx_share)",
                 .choices = names(kGroupNames)},
             &Population::group_mix)
      .nested(Key{.name = "noncitizens", .help = "the rule that turns a Latinx share into the group mix"},
              &Population::noncitizens, noncitizens)
      .field(Key{.name = "latinx_share",
                 .type = Type::probability,
                 .help = "Latinx share of the jail population (the residents' share where the jail's is not "
                         "published, as the national build does): with `noncitizens` it sets group_mix"},
             &Population::latinx_share)
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
           })
      .finally([](const Node& m, Population& p, const std::string& path) {
        // A group mix written here wins over an inherited Latinx share; both written here is a contradiction.
        const Node* mix = m.find("group_mix");
        const Node* share = m.find("latinx_share");
        if (mix && share && share->kind != Node::Kind::null)
          fail(schema::blame({mix}, share->where), join(path, "latinx_share"),
               "give latinx_share or group_mix, not both (latinx_share sets group_mix through `noncitizens`)");
        if (mix) p.latinx_share.reset();
        if (p.latinx_share) p.group_mix = p.noncitizens.group_mix(*p.latinx_share);
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
      .field(Key{.name = "scaap_rate",
                 .type = Type::probability,
                 .help = "a fixed share of the bed-day cost SCAAP reimburses for eligible people (felony or two "
                         "misdemeanours), for a county that knows its award; replaces the schedule below"},
             &CostParams::scaap_rate)
      .field(Key{.name = "scaap_salary_share",
                 .type = Type::probability,
                 .help = "correctional-officer salaries' share of the bed-day cost: SCAAP pays salary costs only"},
             &CostParams::scaap_salary_share)
      .add(Key{.name = "scaap_paid_share",
               .type = Type::map,
               .help = "share of eligible salary costs SCAAP paid, by federal fiscal year ({2011: 0.23, 2015: 0.15}); "
                       "a year without an entry takes the latest earlier one"},
           [](const Node& n, CostParams& c, const std::string& p) {
             if (!n.is_map()) fail(n.where, p, "expected a map of federal fiscal years to shares, got " + n.describe());
             c.scaap_paid_share.clear();
             const Key share{.type = Type::probability};
             for (const auto& e : n.entries) {
               const auto y = parse::to_integer(e.key);
               if (!y || y.value < 1990 || y.value > 2100)
                 fail(e.key_where, join(p, e.key), "'" + e.key + "' is not a federal fiscal year (1990-2100)");
               c.scaap_paid_share[static_cast<int>(y.value)] = schema::read_number(e.value, join(p, e.key), share);
             }
           })
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

}  // namespace scsim::scenario_declarations
