#pragma once
/// Output statistics: within-replication collectors (Counter, Tally,
/// TimeWeighted, Histogram) and across-replication estimates with Student-t
/// confidence intervals.
///
/// Every sum is a plain left-to-right loop in a fixed order, so results are
/// bit-identical from run to run whatever the thread scheduling elsewhere
/// (replications are combined in replication order by the caller). The
/// per-observation methods are inline and allocation-free: they sit on the
/// simulator's hot path.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace sim {

namespace detail {
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Out of line so the inline hot paths carry no exception-building code.
[[noreturn]] void throw_time_went_backwards(double t, double last);
}  // namespace detail

/// A running total (events, person-days, dollars).
class Counter {
 public:
  void add(double v = 1.0) noexcept { value_ += v; }
  double value() const noexcept { return value_; }

 private:
  double value_ = 0.0;
};

/// Summary of a stream of observations (e.g. each person's days in custody)
/// without storing them. Welford's update keeps the variance accurate when
/// the values sit on a large offset, where sum-of-squares formulas cancel
/// catastrophically.
class Tally {
 public:
  void add(double x) noexcept {
    ++n_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (x - mean_);
    sum_ += x;
    if (x < min_) min_ = x;
    if (x > max_) max_ = x;
  }

  std::uint64_t count() const noexcept { return n_; }
  /// NaN when empty.
  double mean() const noexcept { return n_ == 0 ? detail::kNaN : mean_; }
  /// Sample variance (divisor n-1). NaN when empty; 0 for a single
  /// observation (no spread observed), matching estimate()'s n == 1 case.
  double variance() const noexcept {
    if (n_ == 0) return detail::kNaN;
    if (n_ == 1) return 0.0;
    return m2_ / static_cast<double>(n_ - 1);
  }
  double stddev() const noexcept { return std::sqrt(variance()); }
  /// NaN when empty.
  double min() const noexcept { return n_ == 0 ? detail::kNaN : min_; }
  double max() const noexcept { return n_ == 0 ? detail::kNaN : max_; }
  double sum() const noexcept { return sum_; }

  /// Fold in another tally as if its observations had been added here
  /// (Chan, Golub & LeVeque 1979 pairwise combination). Equal to sequential
  /// adds up to rounding, not bit-for-bit; merge in a fixed order for
  /// reproducible output.
  void merge(const Tally& other) noexcept;

 private:
  std::uint64_t n_ = 0;
  double mean_ = 0.0;
  double m2_ = 0.0;  // sum of squared deviations from the running mean
  double sum_ = 0.0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

/// Time average of a piecewise-constant signal, e.g. the number of people
/// in a jail: the value holds from each update() until the next.
class TimeWeighted {
 public:
  explicit TimeWeighted(double t0 = 0.0, double v0 = 0.0) noexcept
      : t0_(t0), t_last_(t0), value_(v0), min_(v0), max_(v0) {}

  /// The signal becomes new_value at time t (t must not precede the last
  /// update; throws std::invalid_argument if it does, since a silently
  /// negative interval would corrupt the integral).
  void update(double t, double new_value) {
    if (t < t_last_) detail::throw_time_went_backwards(t, t_last_);
    integral_ += value_ * (t - t_last_);
    t_last_ = t;
    value_ = new_value;
    if (new_value < min_) min_ = new_value;
    if (new_value > max_) max_ = new_value;
  }
  /// Convenience for counts: the signal changes by delta at time t.
  void add(double t, double delta) { update(t, value_ + delta); }

  /// Integral of the signal over [start, t_now], t_now >= last update.
  double integral(double t_now) const {
    if (t_now < t_last_) detail::throw_time_went_backwards(t_now, t_last_);
    return integral_ + value_ * (t_now - t_last_);
  }
  /// Time average over [start, t_now]; the current value if the window is
  /// empty (t_now == start), where the average is otherwise undefined.
  double mean(double t_now) const {
    const double span = t_now - t0_;
    const double area = integral(t_now);
    return span > 0.0 ? area / span : value_;
  }
  double current() const noexcept { return value_; }
  /// Extremes of the values taken since the start of the window.
  double min() const noexcept { return min_; }
  double max() const noexcept { return max_; }
  double start_time() const noexcept { return t0_; }

  /// Begin a new observation window at t keeping the current value, e.g.
  /// to discard a warm-up period.
  void reset(double t) {
    if (t < t_last_) detail::throw_time_went_backwards(t, t_last_);
    t0_ = t_last_ = t;
    integral_ = 0.0;
    min_ = max_ = value_;
  }

 private:
  double t0_;
  double t_last_;
  double value_;
  double integral_ = 0.0;
  double min_;
  double max_;
};

/// Fixed-width histogram on [lo, hi) for quantiles of large samples (e.g.
/// time to removal) in constant memory. Values below lo / at or above hi are
/// counted as underflow / overflow; NaNs are counted separately and take no
/// part in count() or quantiles.
class Histogram {
 public:
  /// Requires finite lo < hi and bins > 0; throws std::invalid_argument.
  Histogram(double lo, double hi, std::size_t bins);

  void add(double x) noexcept {
    if (x < lo_) {
      ++underflow_;
    } else if (x >= hi_) {
      ++overflow_;
    } else if (!std::isnan(x)) {  // NaN fails both comparisons above
      auto i = static_cast<std::size_t>((x - lo_) / width_);
      if (i >= counts_.size()) i = counts_.size() - 1;  // x just below hi can round up
      ++counts_[i];
    } else {
      ++nan_;
    }
  }

  /// Observations including under/overflow, excluding NaN.
  std::uint64_t count() const noexcept;
  std::uint64_t underflow() const noexcept { return underflow_; }
  std::uint64_t overflow() const noexcept { return overflow_; }
  std::uint64_t nan_count() const noexcept { return nan_; }
  /// Per-bin counts; bin i covers [lo + i*width, lo + (i+1)*width).
  std::span<const std::uint64_t> bins() const noexcept { return counts_; }
  double lo() const noexcept { return lo_; }
  double hi() const noexcept { return hi_; }
  double bin_width() const noexcept { return width_; }

  /// The p-quantile (0 <= p <= 1), interpolating linearly within the bin
  /// (values assumed uniform inside a bin). If it falls among the underflow
  /// (overflow) observations the result is -inf (+inf): the histogram cannot
  /// place it, and a value clamped to lo/hi would silently understate tails.
  /// NaN when empty; throws std::invalid_argument for p outside [0,1].
  double quantile(double p) const;

  /// Add another histogram's counts; throws std::invalid_argument unless
  /// lo, hi and the number of bins are identical.
  void merge(const Histogram& other);

 private:
  double lo_;
  double hi_;
  double width_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t underflow_ = 0;
  std::uint64_t overflow_ = 0;
  std::uint64_t nan_ = 0;
};

/// A mean across replications with its Student-t confidence interval.
/// The ci95_* names are historical: they hold the bounds at `confidence`
/// (0.95 unless estimate() was asked for another level).
struct Estimate {
  double mean;
  double stddev;  // sample standard deviation across replications (n-1)
  double ci95_low;
  double ci95_high;
  double half_width;
  std::size_t n;
  double confidence = 0.95;
};

/// 95% t-interval for the mean of independent per-replication values.
/// n == 1: the interval collapses to the mean (stddev and half_width 0);
/// n == 0: every field NaN (n 0).
Estimate estimate(std::span<const double> per_replication);
/// Same at another two-sided confidence level in (0,1), e.g. 0.99; throws
/// std::invalid_argument outside that range.
Estimate estimate(std::span<const double> xs, double confidence);
/// Interval for the mean of alt[i] - base[i]: with common random numbers the
/// pairs are positively correlated and this is much narrower than comparing
/// two independent intervals. Throws std::invalid_argument if sizes differ.
Estimate paired_difference(std::span<const double> alt, std::span<const double> base);
Estimate paired_difference(std::span<const double> alt, std::span<const double> base, double confidence);

/// Quantile of Student's t with `dof` degrees of freedom (Boost.Math).
/// Throws std::invalid_argument unless 0 < p < 1 and dof > 0.
double student_t_quantile(double p, double dof);

}  // namespace sim
