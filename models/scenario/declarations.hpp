#pragma once
/// Internal to models/scenario (not part of the public API): the declarations of the
/// scenario format -- every section and key, with its help text, checks and how it
/// fills the Scenario -- shared by loader.cpp (the root section and loading),
/// declarations.cpp (periods, population, jails, jurisdictions) and
/// declarations_federal.cpp (pipeline, national build). Built once (decl()); sections
/// refer to each other by address, so the object never moves.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_set>

#include "models/population/national.hpp"
#include "models/scenario/files.hpp"
#include "models/scenario/loader.hpp"
#include "models/scenario/policies.hpp"
#include "models/scenario/uncertain.hpp"

namespace scsim::scenario_declarations {

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

/// Every declaration of the scenario format. Built once; sections refer to
/// each other by address, so the object never moves.
struct Declarations {
  Section<Scenario> period{"period", "The simulated period: from `start` to the end of `end`, both days included."};
  Section<Population> population{
      "population",
      "Who is booked and with what history (DOMAIN.md §4). Partial maps override the inherited values key by key; "
      "every share map must still sum to 1 afterwards."};
  Section<NoncitizenRule> noncitizens{
      "noncitizens",
      "How many bookings are non-citizens, from a Latinx share (the national calibration's rule; DOMAIN.md §4: the "
      "Latinx share is a proxy): non-citizens = per_latinx × Latinx share, clamped to [min, max], split over lpr, "
      "other_lawful, removable_known, removable_unknown; naturalised citizens a fixed share; US-born citizens the "
      "rest. The national build applies it to each state's jail population, a jurisdiction to its `latinx_share`."};
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

/// The one instance (loader.cpp).
const Declarations& decl();

}  // namespace scsim::scenario_declarations
