#pragma once
/// The typed, validated form of a scenario file. The YAML schema
/// (models/schema.*, models/scenario_loader.*) fills these structs; the
/// pipeline (models/pipeline.*) reads only these structs. All durations are in
/// seconds (sim::Duration scale), all money in US dollars of `cost_year`.
#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/scenario/types.hpp"
#include "sim/calendar.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace scsim {

/// A duration distribution as scenario authors write it, e.g.
/// `{dist: lognormal, median: 3d, mean: 23d}`. Parameters are seconds.
struct Dist {
  enum class Kind { fixed, exponential, lognormal, gamma, weibull, uniform };
  Kind kind = Kind::fixed;
  double value = 0;                    // fixed
  double mean = 0;                     // exponential, lognormal, gamma, weibull
  double median = 0;                   // lognormal
  double shape = 1;                    // gamma, weibull
  double min = 0, max = 0;             // uniform
  double analytic_mean() const;        // seconds
  sim::Duration sample(sim::Stream& s) const;  // rounded to whole seconds, >= 0
  /// Derived internal parameters; call after setting the fields above.
  void prepare();
  // internal
  double p1_ = 0, p2_ = 0;
};

/// How bookings of one charge class leave criminal custody (DOMAIN.md §5).
struct JailStay {
  std::array<double, kJailPaths> path_share{0.55, 0.15, 0.30};  // pretrial_release, dismissed, convicted
  Dist pretrial_release;   // booking -> bail / own recognisance
  Dist dismissed;          // booking -> charges dropped
  Dist to_conviction;      // booking -> conviction (plea or verdict)
  Dist sentence_served;    // conviction -> release
  /// P(a case released pretrial ends in a conviction), at its disposition
  /// (BJS, Felony Defendants in Large Urban Counties 2009: ≈ 2/3 of felony
  /// defendants convicted). Dismissed bookings are never convicted, convicted
  /// ones always.
  double pretrial_convicted = 0.6;
  /// Share of pretrial releases that need money bail (surety, cash, property);
  /// the rest are on recognisance or citation. A detainer costs only the
  /// former their release (PipelineParams::bail_loss_probability).
  double financial_release = 1.0;
};

/// How many bookings are non-citizens, from the Latinx share of a jail population
/// (the national calibration's rule; DOMAIN.md §4: the Latinx share is a proxy).
/// Non-citizen share = per_latinx x Latinx share, clamped to [min, max], split over
/// lpr, other_lawful, removable_known, removable_unknown; naturalised citizens are a
/// fixed share of all bookings; US-born citizens the rest. The national build
/// applies it to each state (models/population/national.cpp); a county applies it
/// to its own `latinx_share`, so both follow one fitted rule.
struct NoncitizenRule {
  double per_latinx = 0.45;
  double min = 0.02, max = 0.45;
  std::array<double, 4> split{0.30, 0.08, 0.32, 0.30};
  double naturalized_share = 0.04;  // of all bookings
  /// The group mix the rule gives for a Latinx share (shares sum to 1).
  PerGroup<double> group_mix(double latinx_share) const;
};

/// Who is booked in a jurisdiction and with what history.
struct Population {
  PerGroup<double> group_mix{0.80, 0.05, 0.05, 0.02, 0.05, 0.03};   // shares, sum 1
  /// The rule that turns a Latinx share into group_mix (national build, latinx_share).
  NoncitizenRule noncitizens;
  /// Latinx share of the jurisdiction's jail population (its residents' share where the
  /// jail's is not published): when given, group_mix = noncitizens.group_mix(latinx_share).
  std::optional<double> latinx_share;
  PerGroup<double> in_ident{0.002, 1.0, 1.0, 1.0, 1.0, 0.0};       // P(prints are in IDENT)
  PerCharge<double> charge_mix{0.12, 0.23, 0.45, 0.20};              // shares, sum 1
  /// P(level | charge): rows charge classes, columns levels; each row sums to 1.
  PerCharge<PerLevel<double>> level_given_charge{{{0.45, 0.25, 0.15, 0.15},
                                                  {0.20, 0.30, 0.25, 0.25},
                                                  {0.05, 0.15, 0.40, 0.40},
                                                  {0.02, 0.08, 0.35, 0.55}}};
  /// Where non-citizens are booked within the jurisdiction, in rollout order
  /// (models/timeline.hpp, RolloutOrder): the first share c of its bookings —
  /// the areas Secure Communities reached first — hold min(c^(1-k), c x cap / s)
  /// of its non-citizen bookings on the rollout_charges classes (s: their share
  /// of all bookings). k = 0 spreads them evenly; larger k concentrates them in
  /// the first areas (activation followed the Hispanic population share, Cox &
  /// Miles 2013).
  double rollout_concentration = 0;
  double rollout_noncitizen_cap = 0.6;  // highest non-citizen share of any area
  /// Charge classes whose non-citizen bookings are concentrated (the others
  /// are spread like citizens' bookings): e.g. only misdemeanor and traffic,
  /// the arrests that make gateway counties' non-citizen share high.
  PerCharge<bool> rollout_charges{true, true, true, true};

  /// Prior records (DOMAIN.md §9), by charge class: P(at least one aggravated
  /// felony), shares of 0 / 1 / 2+ other felonies and of 0 / 1 / 2 / 3+
  /// misdemeanours, drawn independently. They weigh the records consistent
  /// with a booking's SC level (branches.hpp, RecordTable): the level mix
  /// level_given_charge stays what LESC sees at identification.
  PerCharge<double> prior_aggravated{0.10, 0.08, 0.03, 0.02};
  PerCharge<std::array<double, 3>> prior_felonies{{{0.57, 0.20, 0.23}, {0.55, 0.20, 0.25}, {0.75, 0.15, 0.10},
                                                   {0.82, 0.12, 0.06}}};
  PerCharge<std::array<double, 4>> prior_misdemeanors{{{0.45, 0.15, 0.10, 0.30}, {0.42, 0.15, 0.10, 0.33},
                                                       {0.50, 0.17, 0.10, 0.23}, {0.55, 0.17, 0.10, 0.18}}};
  /// What a conviction on the booking charge counts as, by charge class:
  /// shares over aggravated, felony, misdemeanor, none.
  PerCharge<std::array<double, kOffenses>> offense_given_charge{
      {{0.45, 0.55, 0, 0}, {0.15, 0.85, 0, 0}, {0, 0, 1, 0}, {0, 0, 0.7, 0.3}}};
};

/// Stage parameters of the federal side of the pipeline.
struct PipelineParams {
  Dist iafis_response;             // SIB -> IAFIS -> IDENT response (≈ 27 min average)
  int lesc_analysts = 40;          // LESC capacity (24/7 resource)
  Dist lesc_service;               // analyst time per IAQ
  double lesc_citizen_detection = 0.5;  // P(LESC recognises a matched citizen -> no ICE action)
  Dist ice_decision_delay;         // IAR received -> detainer lodged
  double pickup_probability = 0.85;        // ICE comes for a held person at all
  Dist pickup_delay;               // from the end of criminal custody until ICE arrives
  double notification_pickup_probability = 0.5;  // ICE meets a notified release
  double bail_loss_probability = 0.92;  // P(a detainer blocks pretrial release): 1 - 1.6/19.8 (Pierce County)
  /// Removability (DOMAIN.md §9): P(a conviction of each class is a ground of
  /// deportability, INA 237(a)(2)) by aggravated, felony, misdemeanor, none.
  std::array<double, kOffenses> removable_conviction{1.0, 0.45, 0.15, 0.0};
  double status_violation = 0.3;     // other lawful status: P(removable on a status violation)
  PerGroup<double> prior_order{0, 0, 0, 0, 0.35, 0};  // P(a prior removal order ICE can reinstate)
  double lesc_lawful_screening = 0.5;  // P(LESC sees a lawful resident has no removable ground -> no action)
  /// Paths through ICE custody (Custody in branches.hpp) of removable people
  /// without a prior order: shares over released_pending (bond, recognisance,
  /// supervision), voluntary_return, stipulated (removal), court (detained).
  std::array<double, 4> custody_paths{0.17, 0.20, 0.10, 0.53};
  double reinstatement = 0.9;        // P(a prior order is reinstated); else the paths above
  /// Detained court cases: shares over removed, voluntary_departure, relief, terminated.
  std::array<double, 4> court_outcomes{0.82, 0.10, 0.05, 0.03};
  Dist ice_detention;              // detained immigration-court case: book-in -> order
  Dist bond_release_after;         // book-in -> release pending proceedings
  Dist reinstatement_time;         // book-in -> removal on a reinstated order
  Dist stipulated_time;            // book-in -> removal on a stipulated order
  Dist voluntary_return_time;      // book-in -> voluntary return
  Dist termination_time;           // book-in -> release of a citizen or a non-removable lawful resident
  Dist at_large_delay;             // release -> ICE's at-large arrest, when it follows one up
  /// Criminal Alien Program: P(ICE's jail screening, by interview or
  /// foreign-born lists, finds a foreign-born booking SC did not identify at
  /// booking and a 287(g) officer did not screen). REASONED 0.15-0.45
  /// (docs/sources/issue12-parameters.md).
  double cap_screening = 0.25;
};

/// Costs (issue: county detainer costs). Money in dollars of `cost_year`.
struct CostParams {
  int fiscal_year_start_month = 7;
  double inflation = 0.025;               // annual, to convert cost_year dollars
  double staff_cost_per_detainer = 0;     // processing cost per detainer lodged
  /// SCAAP pays a share of the correctional-officer salary cost of eligible inmate-days,
  /// prorated to each federal fiscal year's appropriation (DOMAIN.md §5;
  /// docs/sources/scaap-and-staff-costs.md). Without `scaap_rate` the share of the
  /// bed-day cost reimbursed is scaap_salary_share x scaap_paid_share(federal FY);
  /// a county that knows its award gives scaap_rate instead.
  std::optional<double> scaap_rate;       // fixed share of the bed-day cost, overriding the schedule
  double scaap_salary_share = 0.0;        // officer salaries' share of the bed-day cost
  std::map<int, double> scaap_paid_share; // federal fiscal year -> share of eligible costs paid (step)
  int scaap_min_days = 4;
  /// The share of the bed-day cost SCAAP reimburses for a month of federal fiscal year `ffy`:
  /// scaap_rate if given, else salary share x the paid share of the latest year at or before
  /// `ffy` (the first year's before it; 0 without a schedule).
  double scaap_rate_for(int ffy) const;
  double ice_per_diem = 128.88;           // ICE detention, per bed-day (FY2016)
  int ice_per_diem_year = 2016;
};

/// One point of an activation-coverage ramp: `fraction` of the jurisdiction's
/// bookings come from activated areas from `date` on (linear between points).
struct CoveragePoint {
  sim::Date date;
  double fraction;
};

/// Builds the 50 states + DC as jurisdictions from the Vera jail data
/// (models/national.*). Bookings = jail population x annual turnover / 365;
/// the group mix follows the Latinx share of each state's jail population; each
/// state gets an activation-coverage ramp so that the national rollout follows
/// DOMAIN.md §3's table.
struct NationalSpec {
  std::string data_file;                    // CSV path, resolved relative to the scenario file
  /// Directory of the dated rollout facts (data/sc_rollout/: national_counts.csv, states_started.csv,
  /// state_ramps.csv, forced_starts.csv, border_first.csv; data/README.md). Empty: sc_rollout/ beside data_file.
  std::string rollout_dir;
  int year = 2010;                          // which year's jail population
  double annual_turnover = 16;              // admissions per jail bed per year (DOMAIN.md §5)
  // Each state's group mix comes from the prototype jurisdiction's population.noncitizens
  // rule applied to the state's Latinx share of its jail population.
  /// National booking coverage = (share of the 3,181 counties activated) ^ coverage_exponent: early
  /// counties were large, so bookings covered lead counties covered (models/national.cpp explains 0.56).
  double coverage_exponent = 0.56;
  /// How much faster free states with a larger Latinx share of the jail population
  /// progress once started: pace = (state share / national share) ^ rollout_latinx_pace
  /// (0: every free state at the same pace; Cox & Miles 2013: activation followed the
  /// Hispanic population share). National coverage still follows the table.
  double rollout_latinx_pace = 0;
  /// Rollout shape: a state's coverage ramp starts at its activation start date and reaches 1 at its full date;
  /// national coverage then follows the table. Overrides per state are allowed.
  std::map<std::string, std::vector<CoveragePoint>> state_ramps;  // filled by the builder or from YAML
  std::string origin;
};

struct Jurisdiction {
  std::string id, name, state;            // state: two-letter postal code
  double bookings_per_day = 0;            // derived from jail population x turnover when given that way
  std::array<double, 7> day_of_week{1, 1, 1, 1, 1, 1, 1};  // relative weights Mon..Sun (normalised to mean 1)
  Population population;
  PerCharge<JailStay> jail;
  double jail_cost_per_day = 80;
  int jail_cost_year = 2011;
  std::optional<sim::Date> activation;    // SC activation date (all bookings covered from then)
  std::vector<CoveragePoint> coverage;    // or a coverage ramp (states in a national run)
  std::string origin;                     // "file:line" where it was declared
};

/// The rules in force for one jurisdiction during one period, after applying
/// every policy active then, in file order, to the scenario's defaults.
struct RuleSet {
  // sharing
  bool no_sharing = false;                // prints never reach IDENT
  bool no_local_notification = false;     // ICE still gets the IAR; the jail does not
  bool post_conviction_only = false;      // prints reach IDENT only at conviction
  bool freeze_rollout = false;            // coverage stays at its level at the policy's start
  // ICE decision, by level: P(detainer), P(notification request instead)
  PerLevel<double> p_detainer{0.9, 0.7, 0.5, 0.4};
  PerLevel<double> p_notification{0, 0, 0, 0};
  // ICE's follow-up, by level (SC's level at identification): P(ICE arrests at
  // large a person released on a declined detainer, an expired hold or before
  // its detainer arrived) — REASONED 0.05–0.25 (docs/sources/issue12-parameters.md)
  PerLevel<double> p_at_large{0.15, 0.10, 0.05, 0.03};
  // 287(g) jail agreement: share of foreign-born bookings its deputised
  // officers screen (among those SC did not identify at booking)
  double screening_287g = 0;
  // the jail's response to a detainer
  PerLevel<bool> honor_level{true, true, true, true};
  double honor_share = 1.0;               // P(honour) when the level is honoured (e.g. judicial warrant share)
  sim::Duration max_hold_business = 48 * sim::kHour;
  // local arrest bias: multiplier on a group's booking rate for a charge class
  PerGroup<PerCharge<double>> arrest_bias = [] {
    PerGroup<PerCharge<double>> m{};
    for (auto& r : m) r.fill(1.0);
    return m;
  }();
  // SC levels of the extra bookings an arrest bias > 1 adds (e.g. pretext stops
  // of people with no record); unset: the jurisdiction's level_given_charge
  PerGroup<PerCharge<std::optional<PerLevel<double>>>> bias_levels{};
};

/// What a policy changes in the rules in force: plain data, so a resolved
/// scenario can be written and read back (models/scenario/json.hpp) and the
/// browser build needs no policy code. Flags set true, probabilities and the
/// jail's response replace, arrest-bias multipliers multiply.
struct RulePatch {
  bool no_sharing = false, no_local_notification = false, post_conviction_only = false, freeze_rollout = false;
  PerLevel<std::optional<double>> p_detainer{}, p_notification{}, p_at_large{};
  std::optional<double> screening_287g;
  std::optional<PerLevel<bool>> honor_level;
  std::optional<double> honor_share;
  std::optional<sim::Duration> max_hold_business;
  PerGroup<PerCharge<double>> bias_multiplier = [] {
    PerGroup<PerCharge<double>> m{};
    for (auto& r : m) r.fill(1.0);
    return m;
  }();
  PerGroup<PerCharge<std::optional<PerLevel<double>>>> bias_levels{};
  void apply(RuleSet& r) const;
};
/// The parts of a RuleSet a policy can set. The policy registry declares the
/// parts each policy sets (PolicySpec::sets); a decision of the pipeline
/// (models/pipeline/branches.hpp) names the part it reads, so a trace can say
/// which policy decided without knowing policy types.
enum class RulePart : std::uint8_t {
  rollout_freeze,      // freeze_rollout
  sharing,             // no_sharing
  local_notification,  // no_local_notification
  post_conviction,     // post_conviction_only
  ice_priorities,      // p_detainer, p_notification, p_at_large
  detainer_response,   // honor_level, honor_share
  hold_length,         // max_hold_business
  arrest_bias,         // arrest_bias, bias_levels
  agreements,          // screening_287g
};
constexpr std::uint32_t rule_bit(RulePart p) { return std::uint32_t(1) << static_cast<unsigned>(p); }

/// Where a policy applies.
struct Scope {
  enum class Kind { all, states, jurisdictions } kind = Kind::all;
  std::vector<std::string> ids;
  bool covers(const Jurisdiction& j) const;
};

/// A dated policy: plain data, including what it does to the rules (RulePatch).
/// The policy registry (models/policies.*) is the one place that knows policy
/// types; the loader asks it to turn a YAML entry into a PolicySpec.
struct PolicySpec {
  std::string type;                       // e.g. "opt_out"
  std::string summary;                    // human-readable, e.g. "opt_out no_local_notification"
  sim::Date from;
  std::optional<sim::Date> to;            // exclusive
  Scope scope;
  RulePatch patch;                        // what it changes while in force
  std::uint32_t sets = 0;                 // rule_bit() of every RulePart the patch may change
  std::string origin;                     // "file:line"
  void apply(RuleSet& r) const { patch.apply(r); }
  bool sets_part(RulePart p) const { return (sets & rule_bit(p)) != 0; }
  std::string id;                         // optional name, unique in the scenario: policies[id] in key paths
};

/// Free parameters for calibration (issue: calibration), declared in the scenario.
struct CalibrationParam {
  std::string path;                       // scenario key path, e.g. "defaults.pipeline.pickup_probability"
  double lower = 0, upper = 0;
  std::string origin;
  std::string source;                     // where the range comes from (optional text)
  /// A bound the value may sit at, as a fact rather than a limit of the search
  /// (e.g. a probability of 1 a source supports): "lower", "upper" or "".
  std::string physical_bound;
  std::string reason;                     // why that bound is physical (required with it)
};

/// One `uncertain:` entry (models/scenario/uncertain.hpp reads it; analysis/uncertainty.hpp
/// draws from it): a parameter path with a distribution, or an ensemble file of
/// parameter sets with weights. Parameters a distribution does not take are NaN.
struct UncertainParam {
  enum class Dist { uniform, triangular, beta, normal, lognormal, discrete, ensemble };
  static constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
  Dist dist = Dist::uniform;
  std::string path;                       // a key path as --set takes it (empty for an ensemble)
  double min = kUnset, max = kUnset;      // uniform, triangular; beta's interval; truncation of normal, lognormal
  double mode = kUnset;                   // triangular
  double alpha = kUnset, beta = kUnset;   // beta
  double mean = kUnset, sd = kUnset;      // normal
  double median = kUnset, sigma = kUnset; // lognormal: median, standard deviation of the log
  std::vector<double> values, probabilities;  // discrete (probabilities: equal when not given)
  bool integer = false;                   // the key holds an integer: draws are rounded
  std::string source;                     // where the distribution comes from
  std::string origin;                     // "file:line"
  // ensemble: one row per parameter set, a column per path, weights summing to 1
  std::string file;
  std::vector<std::string> columns;
  std::vector<bool> column_integer;
  std::vector<std::vector<double>> rows;
  std::vector<double> weights;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string path;                       // file it came from ("<text>" for inline YAML)
  std::string resolved_yaml;              // after extends + overrides, for the record
  sim::Date start{}, end{};               // simulated period [start, end]
  std::optional<sim::Date> bookings_until;  // last day with new bookings (default: end); the run goes on to end
  std::uint64_t seed = 1;
  std::size_t replications = 10;
  double volume_scale = 1.0;              // multiplies every booking rate (quick runs, tests)
  bool abstract = false;                  // a base meant only to be extended: not runnable
  RuleSet base_rules;                     // ICE priorities etc. before any dated policy
  PipelineParams pipeline;
  CostParams costs;
  std::vector<Jurisdiction> jurisdictions;
  std::optional<NationalSpec> national;   // when the jurisdictions were built from data
  std::vector<PolicySpec> policies;       // in file order
  std::vector<CalibrationParam> calibrate;
  std::vector<UncertainParam> uncertain;  // parameter uncertainty (scsim uncertainty); runs use the values above

  sim::Time horizon() const;              // seconds from start to the end of `end`
  const Jurisdiction* find_jurisdiction(std::string_view id) const;
};

}  // namespace scsim
