#pragma once
/// Global sensitivity estimators (analysis/uncertainty.hpp uses them).
///
/// - Partial rank correlation coefficients (PRCC; Marino et al. 2008): the
///   correlation of the residuals of rank(x_i) and rank(y) after a linear
///   regression of each on the ranks of the other parameters. Measures a
///   monotone effect with the others held fixed; interval by Fisher's z with
///   n - 2 - (k - 1) degrees of freedom.
/// - Sobol indices from a Saltelli design (Saltelli et al. 2010): first order
///   S_i = mean(f(B) (f(A_B^i) - f(A))) / V (Saltelli 2010), total
///   ST_i = mean((f(A) - f(A_B^i))^2) / (2 V) (Jansen 1999), V the variance of
///   f over A and B together; outputs centred on their mean first. Intervals
///   are bootstrap percentiles over the N rows (the same resamples for every
///   output).
/// Every sum runs in a fixed order: the same inputs give the same bits.
#include <cstdint>
#include <span>
#include <vector>

namespace scsim::sensitivity {

struct Interval {
  double estimate = 0, low = 0, high = 0;  // NaN when undefined
};

/// Ranks 1..n, ties given their average rank.
std::vector<double> ranks(std::span<const double> v);

/// Type-7 quantile (linear between order statistics) of `sorted` values.
double quantile_sorted(std::span<const double> sorted, double p);

/// PRCC of each column of x (n rows, k columns, row-major) with y, and its
/// 95 % Fisher-z interval. NaN where y or the column does not vary once the
/// other columns are accounted for, or where n < k + 3.
std::vector<Interval> prcc(std::span<const double> x, std::size_t n, std::size_t k,
                           std::span<const double> y);

/// Bootstrap resamples: `count` lists of n row indices drawn with replacement.
std::vector<std::vector<std::uint32_t>> bootstrap_resamples(std::size_t n, std::size_t count,
                                                            std::uint64_t seed);

struct SobolIndices {
  std::vector<Interval> first, total;  // per factor
};
/// f_a, f_b: the output on the rows of A and B (n each); f_ab[i]: on A_B^i.
/// 95 % percentile intervals from `resamples`.
SobolIndices sobol(std::span<const double> f_a, std::span<const double> f_b,
                   const std::vector<std::vector<double>>& f_ab,
                   const std::vector<std::vector<std::uint32_t>>& resamples);

}  // namespace scsim::sensitivity
