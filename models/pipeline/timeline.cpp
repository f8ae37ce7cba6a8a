#include "models/pipeline/timeline.hpp"

#include <algorithm>
#include <limits>

namespace scsim {

Rollout::Rollout(const Jurisdiction& j, const sim::Calendar& cal) {
  if (j.activation) activation = cal.to_time(*j.activation);
  for (const auto& cp : j.coverage) ramp.emplace_back(cal.to_time(cp.date), cp.fraction);
}

RolloutOrder::RolloutOrder(const Population& pop) {
  charges_ = pop.rollout_charges;
  double charge_share = 0;
  for (std::size_t c = 0; c < kCharges; ++c)
    if (charges_[c]) charge_share += pop.charge_mix[c];
  for (std::size_t g = 0; g < kGroups; ++g)
    if (!is_citizen(Group(g))) s_ += pop.group_mix[g] * charge_share;
  const double k = pop.rollout_concentration;
  even_ = k <= 0.0 || s_ <= 0.0 || s_ >= 1.0;
  if (even_) return;
  beta_ = 1.0 - k;
  ratio_ = std::max(pop.rollout_noncitizen_cap, s_) / s_;
}

double Rollout::ramp_at(sim::Time t) const {
  if (ramp.empty() || t < ramp.front().first) return 0.0;
  if (t >= ramp.back().first) return ramp.back().second;
  auto it = std::upper_bound(ramp.begin(), ramp.end(), t, [](sim::Time x, const auto& e) { return x < e.first; });
  auto [t1, f1] = *(it - 1);
  auto [t2, f2] = *it;
  return f1 + (f2 - f1) * double(t - t1) / double(t2 - t1);
}

double Rollout::coverage(sim::Time t) const {
  const double step = activation && t >= *activation ? 1.0 : 0.0;
  return std::max(step, ramp_at(t));
}

std::vector<RuleSegment> rule_timeline(const Scenario& sc, const Jurisdiction& jur, const sim::Calendar& cal,
                                       const Rollout& rollout) {
  std::vector<sim::Time> cuts{std::numeric_limits<sim::Time>::min()};
  for (const auto& pol : sc.policies) {
    if (!pol.scope.covers(jur)) continue;
    cuts.push_back(cal.to_time(pol.from));
    if (pol.to) cuts.push_back(cal.to_time(*pol.to));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  std::vector<RuleSegment> out;
  bool was_frozen = false;
  double frozen_at = 1.0;
  for (sim::Time from : cuts) {
    RuleSegment seg;
    seg.from = from;
    seg.rules = sc.base_rules;
    for (const auto& pol : sc.policies) {
      if (!pol.scope.covers(jur)) continue;
      const bool active = cal.to_time(pol.from) <= from && (!pol.to || cal.to_time(*pol.to) > from);
      if (active) pol.apply(seg.rules);
    }
    if (seg.rules.freeze_rollout && !was_frozen) frozen_at = rollout.coverage(from);
    was_frozen = seg.rules.freeze_rollout;
    seg.coverage_cap = seg.rules.freeze_rollout ? frozen_at : 1.0;
    out.push_back(std::move(seg));
  }
  return out;
}

}  // namespace scsim
