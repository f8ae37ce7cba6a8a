#pragma once
/// When Secure Communities covers a jurisdiction's bookings, and which rules
/// are in force there period by period. One implementation shared by the
/// simulator (models/pipeline.cpp) and the analytic chain (models/analytic.cpp),
/// so the cross-check between them compares the same model.
#include <optional>
#include <utility>
#include <vector>

#include "models/scenario.hpp"

namespace scsim {

/// A jurisdiction's activation in simulation time: a date from which every
/// booking is covered, or a ramp of the share of bookings coming from
/// activated areas (linear between points, 0 before the first, constant after
/// the last).
struct Rollout {
  std::optional<sim::Time> activation;
  std::vector<std::pair<sim::Time, double>> ramp;

  Rollout(const Jurisdiction& j, const sim::Calendar& cal);
  double ramp_at(sim::Time t) const;
  /// Share of bookings covered at t.
  double coverage(sim::Time t) const;
};

/// The rules in force from `from` until the next segment.
struct RuleSegment {
  sim::Time from = 0;
  RuleSet rules;
  double coverage_cap = 1.0;  // rollout frozen at this coverage (state refusal)
};

/// The segments of one jurisdiction: cut at every date a policy covering it
/// starts or ends; each holds the base rules with every policy active at its
/// start applied in file order. A state refusal freezes the rollout at the
/// coverage reached when the refusal began. The first segment starts at the
/// smallest representable time.
std::vector<RuleSegment> rule_timeline(const Scenario& sc, const Jurisdiction& jur, const sim::Calendar& cal,
                                       const Rollout& rollout);

}  // namespace scsim
