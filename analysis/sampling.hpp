#pragma once
/// Designs on the unit cube and the inverse CDFs that carry them onto the
/// distributions of a scenario's `uncertain:` parameters
/// (models/scenario/uncertain.hpp).
///
/// - Latin hypercube: each dimension is cut into n equal strata and holds one
///   point in each (a random permutation of the strata per dimension, a
///   uniform position within the stratum), from a sim::Stream seeded by
///   (seed, "uncertainty.lhs"): the same design on every machine.
/// - Sobol: the first n points of Boost.Random's Sobol sequence
///   (boost::random::sobol, Joe-Kuo direction numbers, unscrambled; the
///   origin is not among them). Deterministic; the seed does not enter.
///
/// Quantiles come from Boost.Math (beta, normal, lognormal, triangular); a
/// truncated normal or lognormal maps p into [F(min), F(max)] first. Every
/// value is clamped into the distribution's support, so rounding can never
/// carry a probability outside [0, 1].
#include <cstdint>
#include <string>
#include <vector>

#include "models/scenario/scenario.hpp"

namespace scsim::sampling {

enum class Sampler { lhs, sobol };
Sampler sampler_from_name(
    const std::string& name);  // "lhs" | "sobol"; throws std::invalid_argument
const char* sampler_name(Sampler s);

/// n points of (0, 1)^dims, row-major: point i is [i * dims, (i + 1) * dims).
std::vector<double> unit_design(Sampler sampler, std::size_t n, std::size_t dims,
                                std::uint64_t seed);

/// The value of a distribution parameter at probability p in (0, 1) (rounded for integer keys).
double quantile(const UncertainParam& u, double p);

/// The row of an ensemble at probability p: rows in file order, each holding its weight of (0, 1).
std::size_t ensemble_row(const UncertainParam& u, double p);

}  // namespace scsim::sampling
