#include "models/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace scsim {

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

sim::Duration Dist::sample(sim::Stream& s) const {
  double x = 0;
  switch (kind) {
    case Kind::fixed: x = value; break;
    case Kind::exponential: x = s.exponential(mean); break;
    case Kind::lognormal: x = s.lognormal(p1_, p2_); break;
    case Kind::gamma: x = s.gamma(shape, p1_); break;
    case Kind::weibull: x = s.weibull(shape, p1_); break;
    case Kind::uniform: x = s.uniform(min, max); break;
  }
  // A heavy lognormal tail can exceed int64 seconds; 1e15 s is 30 million years.
  return static_cast<sim::Duration>(std::llround(std::clamp(x, 0.0, 1e15)));
}

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

}  // namespace scsim
