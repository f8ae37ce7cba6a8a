#include "sim/random.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace sim {

namespace {

// Probability p in [0,1) as a 64-bit threshold for the low word of the
// sample multiply: P(coin < threshold) = threshold / 2^64 = p (to 2^-64).
std::uint64_t to_threshold(double p) {
  if (p >= 1.0) return std::numeric_limits<std::uint64_t>::max();
  if (p <= 0.0) return 0;
  return static_cast<std::uint64_t>(p * 0x1.0p64);  // < 2^64 because p < 1
}

}  // namespace

AliasTable::AliasTable(std::span<const double> weights) {
  const std::size_t n = weights.size();
  if (n == 0) throw std::invalid_argument("AliasTable: no weights");
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights[i];
    if (!std::isfinite(w) || w < 0.0)
      throw std::invalid_argument("AliasTable: weight " + std::to_string(i) + " is negative or not finite");
    sum += w;
  }
  if (!(sum > 0.0) || !std::isfinite(sum)) throw std::invalid_argument("AliasTable: weights sum to zero or overflow");

  probabilities_.resize(n);
  std::vector<double> scaled(n);  // probability * n: 1 means "exactly one column's worth"
  std::vector<std::size_t> small;
  std::vector<std::size_t> large;
  small.reserve(n);
  large.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    probabilities_[i] = weights[i] / sum;
    scaled[i] = probabilities_[i] * static_cast<double>(n);
    (scaled[i] < 1.0 ? small : large).push_back(i);
  }

  // Vose (1991): pair each under-full column with an over-full donor. The
  // work lists are processed in a fixed order, so the table (and therefore
  // every sample) is a deterministic function of the weights.
  columns_.assign(n, Column{std::numeric_limits<std::uint64_t>::max(), 0});
  while (!small.empty() && !large.empty()) {
    const std::size_t s = small.back();
    small.pop_back();
    const std::size_t l = large.back();
    large.pop_back();
    columns_[s] = Column{to_threshold(scaled[s]), l};
    // (a + b) - 1 rather than a - (1 - b): Vose's form loses less precision.
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    (scaled[l] < 1.0 ? small : large).push_back(l);
  }
  // Whatever is left is full up to rounding error: it keeps its own column.
  for (std::size_t i : large) columns_[i] = Column{std::numeric_limits<std::uint64_t>::max(), i};
  for (std::size_t i : small) columns_[i] = Column{std::numeric_limits<std::uint64_t>::max(), i};
}

LognormalParams LognormalParams::from_median_mean(double median, double mean) {
  if (!(median > 0.0) || !std::isfinite(median) || !std::isfinite(mean))
    throw std::invalid_argument("LognormalParams: median must be positive and finite");
  if (!(mean > median))
    throw std::invalid_argument("LognormalParams: mean must exceed median (got median " + std::to_string(median) +
                                ", mean " + std::to_string(mean) + ")");
  return LognormalParams{std::log(median), std::sqrt(2.0 * std::log(mean / median))};
}

}  // namespace sim
