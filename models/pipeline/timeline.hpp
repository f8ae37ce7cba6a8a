#pragma once
/// When Secure Communities covers a jurisdiction's bookings, and which rules
/// are in force there period by period. One implementation shared by the
/// simulator (models/pipeline/model.cpp) and the analytic chain
/// (analysis/analytic_stages.cpp), so the cross-check between them compares
/// the same model.
#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "models/scenario/scenario.hpp"

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

/// How a jurisdiction's bookings are spread over its rollout order (the areas
/// in the order Secure Communities reaches them; Population::rollout_concentration).
/// A booking's position u in that order is uniform over all bookings; the
/// concentrated cells are the non-citizen groups booked on the charge classes
/// in Population::rollout_charges, s their share of all bookings. The share of
/// a cell's bookings made in the first c of the order is
///   concentrated cells  L(c) = min(c^(1-k), c x cap / s)     (a Lorenz curve)
///   every other cell    (c - s L(c)) / (1 - s)
/// with cap >= s the highest share of concentrated cells in any area. So when
/// a share c of the bookings is covered, a booking of group g on charge class
/// ch is covered with probability share(g, ch, c): the simulator compares one
/// uniform draw with it, the analytic chain uses it as the covered mass.
/// k = 0 gives share = c for every cell.
class RolloutOrder {
 public:
  RolloutOrder() = default;
  explicit RolloutOrder(const Population& pop);
  bool even() const { return even_; }
  bool concentrated(Group g, Charge ch) const { return !is_citizen(g) && charges_[std::size_t(ch)]; }
  /// Share of the (g, ch) bookings made in the first c (in [0, 1]) of the order.
  double share(Group g, Charge ch, double c) const {
    if (even_ || c <= 0.0 || c >= 1.0) return std::clamp(c, 0.0, 1.0);
    const double l = lorenz(c);
    return concentrated(g, ch) ? l : (c - s_ * l) / (1.0 - s_);
  }

 private:
  double lorenz(double c) const { return std::min(std::pow(c, beta_), ratio_ * c); }
  bool even_ = true;
  double beta_ = 1, ratio_ = 1, s_ = 0;
  PerCharge<bool> charges_{};
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
