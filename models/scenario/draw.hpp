#pragma once
/// Dist::sample in two steps, for a caller that draws a duration it may never
/// use: dist_draw takes the random numbers (the stream advances exactly as
/// for sample), dist_duration turns the draw into whole seconds. For a
/// lognormal the draw is the underlying normal and the exponential is left to
/// dist_duration, the costly part a draw that is never used can skip.
/// Dist::sample(s) == dist_duration(d, dist_draw(d, s)), bit for bit.
#include <algorithm>
#include <cmath>

#include "models/scenario/scenario.hpp"

namespace scsim {

inline double dist_draw(const Dist& d, sim::Stream& s) {
  switch (d.kind) {
    case Dist::Kind::fixed: return d.value;
    case Dist::Kind::exponential: return s.exponential(d.mean);
    case Dist::Kind::lognormal: return s.normal(d.p1_, d.p2_);  // sample: exp of it (Stream::lognormal)
    case Dist::Kind::gamma: return s.gamma(d.shape, d.p1_);
    case Dist::Kind::weibull: return s.weibull(d.shape, d.p1_);
    case Dist::Kind::uniform: return s.uniform(d.min, d.max);
  }
  return 0.0;
}

inline sim::Duration dist_duration(const Dist& d, double drawn) {
  const double x = d.kind == Dist::Kind::lognormal ? std::exp(drawn) : drawn;
  // A heavy lognormal tail can exceed int64 seconds; 1e15 s is 30 million years.
  return static_cast<sim::Duration>(std::llround(std::clamp(x, 0.0, 1e15)));
}

}  // namespace scsim
