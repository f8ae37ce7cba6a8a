#include "analysis/sampling.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sim/random.hpp"

namespace scsim::sampling {

namespace {
using UDist = UncertainParam::Dist;

/// Keeps a probability away from 0 and 1, where quantiles are infinite.
double open_unit(double p) { return std::clamp(p, 0x1.0p-60, 1.0 - 0x1.0p-53); }

/// Quantile of `d` restricted to [lo, hi] (either may be NaN: not truncated).
template <class D>
double truncated_quantile(const D& d, double lo, double hi, double p) {
  const double flo = std::isnan(lo) ? 0.0 : boost::math::cdf(d, lo);
  const double fhi = std::isnan(hi) ? 1.0 : boost::math::cdf(d, hi);
  double x = boost::math::quantile(d, open_unit(flo + p * (fhi - flo)));
  if (!std::isnan(lo)) x = std::max(x, lo);
  if (!std::isnan(hi)) x = std::min(x, hi);
  return x;
}

/// The first index whose cumulative weight exceeds p (the last one if rounding leaves p above all).
std::size_t inverse_discrete(const std::vector<double>& weights, double p) {
  double cum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    cum += weights[i];
    if (p < cum) return i;
  }
  return weights.size() - 1;
}
}  // namespace

Sampler sampler_from_name(const std::string& name) {
  if (name == "lhs") return Sampler::lhs;
  if (name == "sobol") return Sampler::sobol;
  throw std::invalid_argument("unknown sampler '" + name + "' (lhs or sobol)");
}

const char* sampler_name(Sampler s) { return s == Sampler::lhs ? "lhs" : "sobol"; }

std::vector<double> unit_design(Sampler sampler, std::size_t n, std::size_t dims,
                                std::uint64_t seed) {
  std::vector<double> out(n * dims);
  if (n == 0 || dims == 0) return out;
  if (sampler == Sampler::sobol) {
    boost::random::sobol seq(dims);  // throws std::range_error beyond its direction-number table
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t d = 0; d < dims; ++d) {
        const double u = sim::detail::to_unit(seq());
        out[i * dims + d] = u > 0 ? u : 0x1.0p-60;  // only the origin is 0, and it is skipped
      }
    return out;
  }
  sim::Stream rng(sim::derive_seed(seed, 0, "uncertainty.lhs"));
  std::vector<std::size_t> perm(n);
  for (std::size_t d = 0; d < dims; ++d) {
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i)
      std::swap(perm[i - 1], perm[rng.uniform_int(i)]);  // Fisher-Yates
    for (std::size_t i = 0; i < n; ++i) {
      // Within the stratum, strictly inside (0, 1): the half-grid offset keeps 0 out.
      const double within = (static_cast<double>(rng.engine()() >> 11) + 0.5) * 0x1.0p-53;
      out[i * dims + d] = (static_cast<double>(perm[i]) + within) / static_cast<double>(n);
    }
  }
  return out;
}

double quantile(const UncertainParam& u, double p) {
  p = open_unit(p);
  double x = 0;
  switch (u.dist) {
    case UDist::uniform:
      x = u.min + p * (u.max - u.min);
      break;
    case UDist::triangular:
      x = boost::math::quantile(boost::math::triangular_distribution<double>(u.min, u.mode, u.max),
                                p);
      break;
    case UDist::beta:
      x = u.min + (u.max - u.min) * boost::math::quantile(
                                        boost::math::beta_distribution<double>(u.alpha, u.beta), p);
      break;
    case UDist::normal:
      x = truncated_quantile(boost::math::normal_distribution<double>(u.mean, u.sd), u.min, u.max,
                             p);
      break;
    case UDist::lognormal:
      x = truncated_quantile(
          boost::math::lognormal_distribution<double>(std::log(u.median), u.sigma), u.min, u.max,
          p);
      break;
    case UDist::discrete:
      x = u.values[inverse_discrete(u.probabilities, p)];
      break;
    case UDist::ensemble:
      throw std::logic_error("quantile of an ensemble: use ensemble_row");
  }
  // Into the support, whatever the rounding (beta's interval, uniform's ends).
  if (!std::isnan(u.min) && u.dist != UDist::discrete) x = std::max(x, u.min);
  if (!std::isnan(u.max) && u.dist != UDist::discrete) x = std::min(x, u.max);
  if (u.integer) x = std::round(x);
  return x;
}

std::size_t ensemble_row(const UncertainParam& u, double p) {
  return inverse_discrete(u.weights, open_unit(p));
}

}  // namespace scsim::sampling
