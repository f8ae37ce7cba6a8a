#pragma once
/// Paired comparison of scenarios run with common random numbers.
///
/// Replication i of every scenario is seeded from (seed, i) and each random
/// decision draws from a stream named for what it decides, so replication i of
/// a baseline and of an alternative see the same people, charges and delays;
/// only what the policy changes differs. The difference of replication i is
/// then a paired observation, and its interval (sim::paired_difference) is
/// far narrower than the gap between two independent intervals.
#include <stdexcept>
#include <string>
#include <vector>

#include "models/pipeline/journey.hpp"
#include "sim/stats.hpp"

namespace scsim {

/// Two scenarios that cannot be compared metric by metric; the message names
/// what differs and both values.
struct IncomparableError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// Throws IncomparableError unless both scenarios simulate the same period and
/// the same jurisdictions (ids and states), so every scope and month lines up.
/// `base_label` and `alt_label` name the scenarios in the message.
void check_comparable(const Scenario& base, const Scenario& alt, const std::string& base_label,
                      const std::string& alt_label);

/// One metric of one scope: baseline and alternative means, and the paired
/// difference alt - base with its 95% interval. rel_change = diff / base mean
/// (NaN when the baseline mean is 0).
struct ComparisonRow {
  std::string scope, metric, alt;
  double base_mean = 0, alt_mean = 0;
  sim::Estimate diff{};
  double rel_change = 0;
};

/// Rows for every scope and metric (scopes in the baseline's order, metrics in
/// enum order). The replication vectors must hold the same replication indices
/// in the same order (as run_scenario returns them); throws otherwise.
std::vector<ComparisonRow> compare_runs(const Scenario& base, const std::vector<ReplicationResult>& base_reps,
                                        const Scenario& alt, const std::vector<ReplicationResult>& alt_reps,
                                        const std::string& alt_label);

}  // namespace scsim
