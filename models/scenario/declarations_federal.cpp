// The scenario format, part 2: the federal pipeline and the national build
// (declarations.hpp says how the declarations are split).
#include "models/scenario/declarations.hpp"

namespace scsim::scenario_declarations {

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

namespace {

/// A path in the scenario, resolved against the folder of the file that names
/// it; it must be an existing file (or, with `directory`, folder).
std::string existing_path(const Node& n, const std::string& p, bool directory) {
  const std::string rel = schema::read_string(n, p);
  const fs::path full = ((n.where.file ? n.where.file->dir : fs::path()) / rel).lexically_normal();
  if (directory ? !fs::is_directory(full) : !fs::is_regular_file(full))
    fail(n.where, p,
         std::string(directory ? "rollout data directory" : "data file") + " not found: '" + rel + "' (looked for " +
             full.string() + ")");
  return full.string();
}

}  // namespace

void Declarations::declare_national() {
  national
      .add(Key{.name = "data_file",
               .type = Type::string,
               .help = "the state jail CSV (data/us_state_jails_2005_2016.csv), relative to the file that names it",
               .required = true},
           [](const Node& n, NationalSpec& spec, const std::string& p) {
             spec.data_file = existing_path(n, p, false);
           })
      .add(Key{.name = "rollout_dir",
               .type = Type::string,
               .help = "the directory of the rollout's dated facts (national_counts.csv, states_started.csv, "
                       "state_ramps.csv, forced_starts.csv, border_first.csv; data/README.md), relative to the file "
                       "that names it; default: sc_rollout/ beside data_file (data/sc_rollout/)"},
           [](const Node& n, NationalSpec& spec, const std::string& p) {
             spec.rollout_dir = existing_path(n, p, true);
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
      .finally([](const Node& m, NationalSpec& spec, const std::string&) {
        if (spec.rollout_dir.empty() && !spec.data_file.empty())
          spec.rollout_dir = default_rollout_dir(spec.data_file);
        spec.origin = m.where.str();
      });
}

}  // namespace scsim::scenario_declarations
