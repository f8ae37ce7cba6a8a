#pragma once
/// The `uncertain:` section of a scenario: parameters nobody measured exactly,
/// each with a distribution and the source it comes from, or an ensemble file
/// of parameter sets with weights. `scsim uncertainty` draws from them
/// (analysis/uncertainty.hpp); every other command runs the values the
/// scenario writes.
///
///     uncertain:
///       - {path: pipeline.pickup_probability, dist: beta, alpha: 14, beta: 6,
///          source: "ICE pick-up 2011, ERO annual report: 70 % ± 10 %"}
///       - {path: "jurisdictions[los_angeles_ca].jail_cost_per_day", dist: triangular,
///          min: 55, mode: 64, max: 95, source: "LASD budget 2011"}
///       - {ensemble: calibrated_2011.csv, source: "scsim calibrate --ensemble"}
///
/// Paths are those of `--set` and `calibrate:` (schema::resolve_path): a
/// number, money, integer or probability key, or an entry of a probabilities
/// or weights map. Every value a distribution can give must be one the key
/// accepts: a probability takes uniform, triangular, beta, discrete, or a
/// normal or lognormal truncated inside [0, 1]; a key that must be positive
/// takes no untruncated normal. So no draw can ever be refused by the loader.
///
/// An ensemble file is a CSV whose header names parameter paths and,
/// optionally, a `weight` column (non-negative, normalised to sum 1; equal
/// weights when absent); each row is one parameter set. Its paths are checked
/// like the others, its values against their keys.
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"
#include "models/scenario/schema.hpp"

namespace scsim {

/// The declaration of an `uncertain:` item (for the reference).
const schema::SectionBase& uncertain_section();

/// Reads and checks an `uncertain:` list. `root` is the merged scenario tree
/// (extends and overrides applied) that paths are resolved in, `root_section`
/// the scenario's declarations. Throws ScenarioError at the offending line.
std::vector<UncertainParam> read_uncertain(const schema::Node& list, const std::string& path,
                                           const schema::Node& root,
                                           const schema::SectionBase& root_section);

/// The values a distribution can give (an ensemble: none; use its rows).
schema::Range support(const UncertainParam& u);

/// For each of `paths` (resolvable in `root`), the index of the first of them
/// naming the same key: `jurisdictions[0].x` and `jurisdictions[la].x` may be one.
/// Throws ScenarioError for a path that does not resolve.
std::vector<std::size_t> same_key_ids(const schema::Node& root,
                                      const schema::SectionBase& root_section,
                                      const std::vector<std::string>& paths);

/// Names of the distributions, in UncertainParam::Dist order.
const std::vector<std::string>& uncertain_dist_names();

}  // namespace scsim
