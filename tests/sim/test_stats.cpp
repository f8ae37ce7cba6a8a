// Tests for sim/stats.hpp: within-replication collectors and the
// across-replication confidence intervals.
#include "sim/stats.hpp"

#include "sim/random.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace {

double two_pass_variance(const std::vector<double>& xs) {
  double sum = 0.0;
  for (double x : xs) sum += x;
  const double mean = sum / static_cast<double>(xs.size());
  double ss = 0.0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return ss / static_cast<double>(xs.size() - 1);
}

}  // namespace

// ---------------------------------------------------------------- Counter

TEST_CASE("a counter accumulates increments", "[stats]") {
  sim::Counter c;
  CHECK(c.value() == 0.0);
  c.add();
  c.add(2.5);
  CHECK(c.value() == 3.5);
}

// ------------------------------------------------------------------ Tally

TEST_CASE("a tally reports mean, sample variance and extremes", "[stats]") {
  sim::Tally t;
  for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) t.add(x);
  CHECK(t.count() == 8u);
  CHECK(t.mean() == Approx(5.0));
  CHECK(t.variance() == Approx(32.0 / 7.0));
  CHECK(t.stddev() == Approx(std::sqrt(32.0 / 7.0)));
  CHECK(t.min() == 2.0);
  CHECK(t.max() == 9.0);
  CHECK(t.sum() == 40.0);
}

TEST_CASE("an empty tally reports NaN and a single observation has zero variance", "[stats]") {
  sim::Tally t;
  CHECK(t.count() == 0u);
  CHECK(std::isnan(t.mean()));
  CHECK(std::isnan(t.variance()));
  CHECK(std::isnan(t.min()));
  CHECK(std::isnan(t.max()));
  t.add(3.0);
  CHECK(t.mean() == 3.0);
  CHECK(t.variance() == 0.0);
}

TEST_CASE("Welford's variance stays accurate on data with a large offset", "[stats]") {
  // Classic example: 1e9 + {4, 7, 13, 16} has variance exactly 30.
  sim::Tally small;
  for (double x : {4.0, 7.0, 13.0, 16.0}) small.add(1e9 + x);
  CHECK(small.mean() == Approx(1e9 + 10.0).epsilon(1e-15));
  CHECK(small.variance() == Approx(30.0).epsilon(1e-9));

  // Many points with small noise: agree with the two-pass reference, where
  // the textbook sum-of-squares formula loses every significant digit.
  sim::Stream s(1);
  std::vector<double> xs;
  sim::Tally t;
  double sum = 0.0;
  double sumsq = 0.0;
  for (int i = 0; i < 100000; ++i) {
    const double x = 1e9 + s.uniform(-0.5, 0.5);
    xs.push_back(x);
    t.add(x);
    sum += x;
    sumsq += x * x;
  }
  const double reference = two_pass_variance(xs);
  CHECK(reference == Approx(1.0 / 12.0).epsilon(0.02));  // sanity: Var U(-1/2,1/2)
  CHECK(t.variance() == Approx(reference).epsilon(1e-6));
  const double n = static_cast<double>(xs.size());
  const double naive = (sumsq - sum * sum / n) / (n - 1.0);
  CHECK(std::abs(naive - reference) > 0.1 * reference);  // the data really is hard
}

TEST_CASE("merging tallies equals adding the observations sequentially", "[stats]") {
  sim::Stream s(2);
  sim::Tally all;
  sim::Tally parts[3];
  const int sizes[3] = {1, 1000, 3777};
  for (int p = 0; p < 3; ++p)
    for (int i = 0; i < sizes[p]; ++i) {
      const double x = s.lognormal(2.0, 0.7) + 100.0 * p;
      all.add(x);
      parts[p].add(x);
    }
  sim::Tally merged;        // merging into an empty tally
  merged.merge(parts[0]);
  merged.merge(parts[1]);
  merged.merge(parts[2]);
  merged.merge(sim::Tally{});  // and merging an empty one is a no-op
  CHECK(merged.count() == all.count());
  CHECK(merged.mean() == Approx(all.mean()).epsilon(1e-12));
  CHECK(merged.variance() == Approx(all.variance()).epsilon(1e-10));
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.sum() == Approx(all.sum()).epsilon(1e-12));
}

// ----------------------------------------------------------- TimeWeighted

TEST_CASE("a time-weighted average matches a hand-computed signal", "[stats]") {
  // Value 2 on [0,3), 5 on [3,4), 1 on [4,10), 0 on [10,12]:
  // integral = 6 + 5 + 6 + 0 = 17 over 12 time units.
  sim::TimeWeighted tw(0.0, 2.0);
  tw.update(3.0, 5.0);
  CHECK(tw.mean(4.0) == Approx(11.0 / 4.0));  // 2*3 + 5*1 over 4
  tw.update(4.0, 1.0);
  tw.update(4.0, 1.0);  // a zero-length change is allowed
  tw.add(10.0, -1.0);
  CHECK(tw.current() == 0.0);
  CHECK(tw.integral(12.0) == Approx(17.0));
  CHECK(tw.mean(12.0) == Approx(17.0 / 12.0));
  CHECK(tw.max() == 5.0);
  CHECK(tw.min() == 0.0);
}

TEST_CASE("a time-weighted average rejects time going backwards and can restart its window", "[stats]") {
  sim::TimeWeighted tw(10.0, 3.0);
  CHECK(tw.mean(10.0) == 3.0);  // empty window: the current value
  tw.update(20.0, 7.0);
  CHECK_THROWS_AS(tw.update(19.0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(tw.integral(15.0), std::invalid_argument);
  tw.reset(25.0);  // e.g. end of warm-up
  CHECK(tw.start_time() == 25.0);
  CHECK(tw.mean(30.0) == Approx(7.0));
  CHECK(tw.max() == 7.0);
}

// -------------------------------------------------------------- Histogram

TEST_CASE("histogram quantiles on evenly spread data are exact up to interpolation", "[stats]") {
  sim::Histogram h(0.0, 1.0, 100);
  const int n = 100000;
  for (int i = 0; i < n; ++i) h.add((i + 0.5) / n);
  CHECK(h.count() == static_cast<std::uint64_t>(n));
  for (std::uint64_t c : h.bins()) REQUIRE(c == 1000u);
  for (double p : {0.0, 0.01, 0.1, 0.25, 0.5, 0.9, 0.999, 1.0}) CHECK(h.quantile(p) == Approx(p).margin(1e-9));
}

TEST_CASE("histogram quantiles of uniform random data match within sampling error", "[stats]") {
  sim::Stream s(3);
  sim::Histogram h(0.0, 10.0, 50);
  const int n = 200000;
  for (int i = 0; i < n; ++i) h.add(s.uniform(0.0, 10.0));
  for (double p : {0.05, 0.5, 0.95}) {
    // Sample p-quantile of U(0,10): se = 10 sqrt(p(1-p)/n).
    const double se = 10.0 * std::sqrt(p * (1.0 - p) / n);
    INFO("p " << p << " quantile " << h.quantile(p));
    CHECK(std::abs(h.quantile(p) - 10.0 * p) < 5.0 * se + 1e-12);
  }
}

TEST_CASE("histogram tracks underflow, overflow and NaN", "[stats]") {
  sim::Histogram h(0.0, 10.0, 10);
  CHECK(std::isnan(h.quantile(0.5)));
  h.add(-1.0);
  h.add(10.0);  // hi is exclusive
  h.add(std::numeric_limits<double>::quiet_NaN());
  h.add(2.5);
  h.add(7.5);
  CHECK(h.underflow() == 1u);
  CHECK(h.overflow() == 1u);
  CHECK(h.nan_count() == 1u);
  CHECK(h.count() == 4u);
  CHECK(h.bins()[2] == 1u);
  CHECK(h.quantile(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(h.quantile(1.0) == std::numeric_limits<double>::infinity());
  CHECK(h.quantile(0.5) == Approx(3.0));  // target 2 of 4: end of the 2.5 observation's bin
  CHECK_THROWS_AS(h.quantile(1.5), std::invalid_argument);
  CHECK_THROWS_AS(sim::Histogram(1.0, 1.0, 10), std::invalid_argument);
  CHECK_THROWS_AS(sim::Histogram(0.0, 1.0, 0), std::invalid_argument);
}

TEST_CASE("merging histograms adds counts and requires the same bins", "[stats]") {
  sim::Histogram a(0.0, 1.0, 4);
  sim::Histogram b(0.0, 1.0, 4);
  a.add(0.1);
  a.add(2.0);
  b.add(0.1);
  b.add(0.9);
  b.add(-2.0);
  a.merge(b);
  CHECK(a.count() == 5u);
  CHECK(a.bins()[0] == 2u);
  CHECK(a.bins()[3] == 1u);
  CHECK(a.underflow() == 1u);
  CHECK(a.overflow() == 1u);
  CHECK_THROWS_AS(a.merge(sim::Histogram(0.0, 1.0, 5)), std::invalid_argument);
  CHECK_THROWS_AS(a.merge(sim::Histogram(0.0, 2.0, 4)), std::invalid_argument);
}

// -------------------------------------------------------------- estimates

TEST_CASE("the t quantile matches tabulated values", "[stats]") {
  // Reference values computed independently with mpmath (30 digits) by
  // inverting the regularised incomplete beta function.
  CHECK(sim::student_t_quantile(0.975, 4) == Approx(2.7764451051977943).epsilon(1e-12));
  CHECK(sim::student_t_quantile(0.995, 4) == Approx(4.6040948713499932).epsilon(1e-12));
  CHECK(sim::student_t_quantile(0.975, 1) == Approx(12.706204736174707).epsilon(1e-12));
  CHECK(sim::student_t_quantile(0.5, 9) == Approx(0.0).margin(1e-15));
  CHECK_THROWS_AS(sim::student_t_quantile(1.0, 4), std::invalid_argument);
  CHECK_THROWS_AS(sim::student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST_CASE("estimate gives the hand-computed t interval", "[stats]") {
  // mean 11, deviations -1 1 -2 0 2 -> s^2 = 10/4, hw = t_{.975,4} s / sqrt 5.
  const std::vector<double> xs{10.0, 12.0, 9.0, 11.0, 13.0};
  const double s = std::sqrt(2.5);
  const double hw = 2.7764451051977943 * s / std::sqrt(5.0);
  const sim::Estimate e = sim::estimate(xs);
  CHECK(e.n == 5u);
  CHECK(e.mean == Approx(11.0));
  CHECK(e.stddev == Approx(s));
  CHECK(e.half_width == Approx(hw));
  CHECK(e.half_width == Approx(1.9632432).epsilon(1e-7));
  CHECK(e.ci95_low == Approx(11.0 - hw));
  CHECK(e.ci95_high == Approx(11.0 + hw));
  CHECK(e.confidence == 0.95);

  const sim::Estimate e99 = sim::estimate(xs, 0.99);
  CHECK(e99.half_width == Approx(4.6040948713499932 * s / std::sqrt(5.0)));
  CHECK(e99.confidence == 0.99);
  CHECK_THROWS_AS(sim::estimate(xs, 1.0), std::invalid_argument);
}

TEST_CASE("estimate degenerates sensibly for one and zero replications", "[stats]") {
  const std::vector<double> one{4.2};
  const sim::Estimate e1 = sim::estimate(one);
  CHECK(e1.n == 1u);
  CHECK(e1.mean == 4.2);
  CHECK(e1.ci95_low == 4.2);
  CHECK(e1.ci95_high == 4.2);
  CHECK(e1.half_width == 0.0);
  CHECK(e1.stddev == 0.0);

  const sim::Estimate e0 = sim::estimate(std::vector<double>{});
  CHECK(e0.n == 0u);
  CHECK(std::isnan(e0.mean));
  CHECK(std::isnan(e0.stddev));
  CHECK(std::isnan(e0.ci95_low));
  CHECK(std::isnan(e0.ci95_high));
  CHECK(std::isnan(e0.half_width));
}

TEST_CASE("95% intervals cover the true mean about 95% of the time", "[stats]") {
  // 2000 batches of 10 normal draws. Coverage count is Binomial(2000, 0.95)
  // with sd ~0.49 percentage points, so +-1.5 points is about 3 sd; an
  // interval using z = 1.96 instead of t_9 = 2.262 would cover only ~92%.
  sim::Stream s(4);
  const double true_mean = 5.0;
  int covered = 0;
  const int batches = 2000;
  std::vector<double> xs(10);
  for (int b = 0; b < batches; ++b) {
    for (double& x : xs) x = s.normal(true_mean, 2.0);
    const sim::Estimate e = sim::estimate(xs);
    if (e.ci95_low <= true_mean && true_mean <= e.ci95_high) ++covered;
  }
  const double coverage = static_cast<double>(covered) / batches;
  INFO("coverage " << coverage);
  CHECK(std::abs(coverage - 0.95) <= 0.015);
}

TEST_CASE("a paired difference is narrower than independent intervals under positive correlation", "[stats]") {
  // Common random numbers: each replication's alt and base share a large
  // common component; alt adds a true effect of 1 and a little own noise.
  sim::Stream s(5);
  std::vector<double> base;
  std::vector<double> alt;
  for (int r = 0; r < 20; ++r) {
    const double common = s.normal(100.0, 10.0);
    base.push_back(common + s.normal(0.0, 0.5));
    alt.push_back(common + 1.0 + s.normal(0.0, 0.5));
  }
  const sim::Estimate paired = sim::paired_difference(alt, base);
  const sim::Estimate ea = sim::estimate(alt);
  const sim::Estimate eb = sim::estimate(base);
  const double independent_hw = std::sqrt(ea.half_width * ea.half_width + eb.half_width * eb.half_width);
  CHECK(paired.n == 20u);
  CHECK(paired.half_width < 0.2 * independent_hw);
  // The true effect is 1; the paired standard error is sqrt(0.5/20) ~ 0.16,
  // so the estimate is within 5 se and the interval excludes 0.
  CHECK(std::abs(paired.mean - 1.0) < 5.0 * std::sqrt(0.5 / 20.0));
  CHECK(paired.ci95_low > 0.0);

  const std::vector<double> shorter(19, 0.0);
  CHECK_THROWS_AS(sim::paired_difference(alt, shorter), std::invalid_argument);
}
