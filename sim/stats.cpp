#include "sim/stats.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>

#include <stdexcept>
#include <string>

namespace sim {

namespace detail {
void throw_time_went_backwards(double t, double last) {
  throw std::invalid_argument("TimeWeighted: time " + std::to_string(t) + " precedes last update at " +
                              std::to_string(last));
}
}  // namespace detail

void Tally::merge(const Tally& other) noexcept {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(n_);
  const double nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  n_ += other.n_;
  sum_ += other.sum_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

Histogram::Histogram(double lo, double hi, std::size_t bins)
    : lo_(lo), hi_(hi), width_((hi - lo) / static_cast<double>(bins)), counts_(bins, 0) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || bins == 0 || !(width_ > 0.0))
    throw std::invalid_argument("Histogram: need finite lo < hi and at least one bin");
}

std::uint64_t Histogram::count() const noexcept {
  std::uint64_t n = underflow_ + overflow_;
  for (std::uint64_t c : counts_) n += c;
  return n;
}

double Histogram::quantile(double p) const {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("Histogram::quantile: p must be in [0,1]");
  const std::uint64_t total = count();
  if (total == 0) return detail::kNaN;
  // Rank in "observation mass": the quantile sits where the cumulative count
  // reaches p * total.
  const double target = p * static_cast<double>(total);
  double cum = static_cast<double>(underflow_);
  if (target < cum) return -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;  // an empty bin holds no mass to interpolate in
    const double k = static_cast<double>(counts_[i]);
    if (target <= cum + k) {
      double frac = (target - cum) / k;
      if (frac < 0.0) frac = 0.0;
      return lo_ + (static_cast<double>(i) + frac) * width_;
    }
    cum += k;
  }
  // Past every in-range observation: in the overflow if there is any.
  return overflow_ > 0 ? std::numeric_limits<double>::infinity() : hi_;
}

void Histogram::merge(const Histogram& other) {
  if (other.lo_ != lo_ || other.hi_ != hi_ || other.counts_.size() != counts_.size())
    throw std::invalid_argument("Histogram::merge: bin layouts differ");
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  nan_ += other.nan_;
}

double student_t_quantile(double p, double dof) {
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("student_t_quantile: p must be in (0,1)");
  if (!(dof > 0.0)) throw std::invalid_argument("student_t_quantile: dof must be positive");
  // No promotion to long double: the result then does not depend on the
  // platform's long double format (x87 80-bit vs 128-bit vs plain double).
  using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const boost::math::students_t_distribution<double, Policy> dist(dof);
  return boost::math::quantile(dist, p);
}

Estimate estimate(std::span<const double> xs) { return estimate(xs, 0.95); }

Estimate estimate(std::span<const double> xs, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0))
    throw std::invalid_argument("estimate: confidence must be in (0,1)");
  const std::size_t n = xs.size();
  if (n == 0) return Estimate{detail::kNaN, detail::kNaN, detail::kNaN, detail::kNaN, detail::kNaN, 0, confidence};
  // Two passes (mean, then squared deviations): exact enough for the few
  // hundred replications this sees, and in a fixed left-to-right order.
  double sum = 0.0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(n);
  if (n == 1) return Estimate{mean, 0.0, mean, mean, 0.0, 1, confidence};
  double ss = 0.0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  const double t = student_t_quantile(0.5 + 0.5 * confidence, static_cast<double>(n - 1));
  const double hw = t * sd / std::sqrt(static_cast<double>(n));
  return Estimate{mean, sd, mean - hw, mean + hw, hw, n, confidence};
}

Estimate paired_difference(std::span<const double> alt, std::span<const double> base) {
  return paired_difference(alt, base, 0.95);
}

Estimate paired_difference(std::span<const double> alt, std::span<const double> base, double confidence) {
  if (alt.size() != base.size())
    throw std::invalid_argument("paired_difference: " + std::to_string(alt.size()) + " alternative vs " +
                                std::to_string(base.size()) + " baseline replications");
  std::vector<double> d(alt.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = alt[i] - base[i];
  return estimate(d, confidence);
}

}  // namespace sim
