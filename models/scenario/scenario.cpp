#include "models/scenario/scenario.hpp"

#include "models/scenario/draw.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace scsim {

double CostParams::scaap_rate_for(int ffy) const {
  if (scaap_rate) return *scaap_rate;
  if (scaap_paid_share.empty()) return 0.0;
  auto it = scaap_paid_share.upper_bound(ffy);
  const double paid = it == scaap_paid_share.begin() ? it->second : std::prev(it)->second;
  return scaap_salary_share * paid;
}

PerGroup<double> NoncitizenRule::group_mix(double latinx_share) const {
  const double nc = std::clamp(per_latinx * latinx_share, min, max);
  PerGroup<double> mix{};
  mix[std::size_t(Group::naturalized)] = naturalized_share;
  mix[std::size_t(Group::lpr)] = nc * split[0];
  mix[std::size_t(Group::other_lawful)] = nc * split[1];
  mix[std::size_t(Group::removable_known)] = nc * split[2];
  mix[std::size_t(Group::removable_unknown)] = nc * split[3];
  mix[std::size_t(Group::us_born)] = 1.0 - naturalized_share - nc;
  return mix;
}

double Dist::analytic_mean() const {
  switch (kind) {
    case Kind::fixed: return value;
    case Kind::uniform: return 0.5 * (min + max);
    default: return mean;  // the other kinds are parameterised by their mean
  }
}

void Dist::prepare() {
  switch (kind) {
    case Kind::lognormal: {
      const auto p = sim::LognormalParams::from_median_mean(median, mean);
      p1_ = p.mu;
      p2_ = p.sigma;
      break;
    }
    case Kind::gamma: p1_ = mean / shape; break;                             // scale
    case Kind::weibull: p1_ = mean / std::tgamma(1.0 + 1.0 / shape); break;  // scale
    default: break;
  }
}

sim::Duration Dist::sample(sim::Stream& s) const { return dist_duration(*this, dist_draw(*this, s)); }

bool Scope::covers(const Jurisdiction& j) const {
  switch (kind) {
    case Kind::all: return true;
    case Kind::states: return std::find(ids.begin(), ids.end(), j.state) != ids.end();
    case Kind::jurisdictions: return std::find(ids.begin(), ids.end(), j.id) != ids.end();
  }
  return false;
}

sim::Time Scenario::horizon() const {
  using std::chrono::sys_days;
  return ((sys_days{end} - sys_days{start}).count() + 1) * sim::kDay;
}

const Jurisdiction* Scenario::find_jurisdiction(std::string_view id) const {
  for (const auto& j : jurisdictions)
    if (j.id == id) return &j;
  return nullptr;
}

void RulePatch::apply(RuleSet& r) const {
  r.no_sharing = r.no_sharing || no_sharing;
  r.no_local_notification = r.no_local_notification || no_local_notification;
  r.post_conviction_only = r.post_conviction_only || post_conviction_only;
  r.freeze_rollout = r.freeze_rollout || freeze_rollout;
  for (std::size_t l = 0; l < kLevels; ++l) {
    if (p_detainer[l]) r.p_detainer[l] = *p_detainer[l];
    if (p_notification[l]) r.p_notification[l] = *p_notification[l];
    if (p_at_large[l]) r.p_at_large[l] = *p_at_large[l];
  }
  if (honor_level) r.honor_level = *honor_level;
  if (honor_share) r.honor_share = *honor_share;
  if (max_hold_business) r.max_hold_business = *max_hold_business;
  if (screening_287g) r.screening_287g = *screening_287g;
  for (std::size_t g = 0; g < kGroups; ++g)
    for (std::size_t c = 0; c < kCharges; ++c) {
      if (bias_multiplier[g][c] != 1.0) r.arrest_bias[g][c] *= bias_multiplier[g][c];
      if (bias_levels[g][c]) r.bias_levels[g][c] = bias_levels[g][c];
    }
}

}  // namespace scsim
