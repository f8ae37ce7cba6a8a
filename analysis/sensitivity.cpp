#include "analysis/sensitivity.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "sim/random.hpp"

namespace scsim::sensitivity {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ975 = 1.959963984540054;  // standard normal 97.5 % quantile

/// Residuals of b after least squares on the columns of z.
Eigen::VectorXd residuals(const Eigen::MatrixXd& z, const Eigen::VectorXd& b) {
  const Eigen::VectorXd coef = z.colPivHouseholderQr().solve(b);
  return b - z * coef;
}

double sum_sq_dev(const Eigen::VectorXd& v) { return (v.array() - v.mean()).square().sum(); }
}  // namespace

std::vector<double> ranks(std::span<const double> v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t t = i; t <= j; ++t) r[order[t]] = avg;
    i = j + 1;
  }
  return r;
}

double quantile_sorted(std::span<const double> s, double p) {
  if (s.empty()) return kNaN;
  const double h = (static_cast<double>(s.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

std::vector<Interval> prcc(std::span<const double> x, std::size_t n, std::size_t k,
                           std::span<const double> y) {
  std::vector<Interval> out(k, Interval{kNaN, kNaN, kNaN});
  if (n < k + 3) return out;
  Eigen::MatrixXd rx(n, k);
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> col(n);
    for (std::size_t i = 0; i < n; ++i) col[i] = x[i * k + j];
    const auto r = ranks(col);
    for (std::size_t i = 0; i < n; ++i) rx(long(i), long(j)) = r[i];
  }
  const auto ry_v = ranks(y);
  const Eigen::VectorXd ry = Eigen::Map<const Eigen::VectorXd>(ry_v.data(), long(n));
  const double y_spread = sum_sq_dev(ry);
  if (!(y_spread > 0)) return out;
  for (std::size_t j = 0; j < k; ++j) {
    Eigen::MatrixXd z(n, k);  // intercept and the other columns
    z.col(0).setOnes();
    for (std::size_t c = 0, to = 1; c < k; ++c)
      if (c != j) z.col(long(to++)) = rx.col(long(c));
    const Eigen::VectorXd ex = residuals(z, rx.col(long(j))), ey = residuals(z, ry);
    const double sxx = ex.squaredNorm(), syy = ey.squaredNorm();
    // A column or output the others explain entirely has no partial correlation.
    if (!(sxx > 1e-12 * sum_sq_dev(rx.col(long(j)))) || !(syy > 1e-12 * y_spread)) continue;
    const double r = std::clamp(ex.dot(ey) / std::sqrt(sxx * syy), -1.0, 1.0);
    const double z_r = std::atanh(r), se = 1.0 / std::sqrt(static_cast<double>(n - k - 2));
    out[j] = {r, std::tanh(z_r - kZ975 * se), std::tanh(z_r + kZ975 * se)};
  }
  return out;
}

std::vector<std::vector<std::uint32_t>> bootstrap_resamples(std::size_t n, std::size_t count,
                                                            std::uint64_t seed) {
  sim::Stream rng(sim::derive_seed(seed, 0, "uncertainty.bootstrap"));
  std::vector<std::vector<std::uint32_t>> out(count, std::vector<std::uint32_t>(n));
  for (auto& s : out)
    for (auto& i : s) i = static_cast<std::uint32_t>(rng.uniform_int(n));
  return out;
}

namespace {
/// First-order and total index of every factor on rows `rows` (all of them when empty).
void estimate(std::span<const double> fa, std::span<const double> fb,
              const std::vector<std::vector<double>>& fab, const std::vector<std::uint32_t>* rows,
              std::vector<double>& first, std::vector<double>& total) {
  const std::size_t n = rows ? rows->size() : fa.size();
  auto at = [&](std::size_t j) { return rows ? (*rows)[j] : j; };
  double mean = 0;
  for (std::size_t j = 0; j < n; ++j) mean += fa[at(j)] + fb[at(j)];
  mean /= 2.0 * static_cast<double>(n);
  double var = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double a = fa[at(j)] - mean, b = fb[at(j)] - mean;
    var += a * a + b * b;
  }
  var /= 2.0 * static_cast<double>(n);
  first.assign(fab.size(), kNaN);
  total.assign(fab.size(), kNaN);
  if (!(var > 0)) return;
  for (std::size_t i = 0; i < fab.size(); ++i) {
    double s1 = 0, st = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t r = at(j);
      const double a = fa[r] - mean, b = fb[r] - mean, ab = fab[i][r] - mean;
      s1 += b * (ab - a);
      st += (a - ab) * (a - ab);
    }
    first[i] = s1 / static_cast<double>(n) / var;
    total[i] = st / (2.0 * static_cast<double>(n)) / var;
  }
}
}  // namespace

SobolIndices sobol(std::span<const double> f_a, std::span<const double> f_b,
                   const std::vector<std::vector<double>>& f_ab,
                   const std::vector<std::vector<std::uint32_t>>& resamples) {
  const std::size_t k = f_ab.size();
  SobolIndices out;
  std::vector<double> first, total;
  estimate(f_a, f_b, f_ab, nullptr, first, total);
  std::vector<std::vector<double>> boot_first(k), boot_total(k);
  for (const auto& rows : resamples) {
    std::vector<double> bf, bt;
    estimate(f_a, f_b, f_ab, &rows, bf, bt);
    for (std::size_t i = 0; i < k; ++i) {
      if (!std::isnan(bf[i])) boot_first[i].push_back(bf[i]);
      if (!std::isnan(bt[i])) boot_total[i].push_back(bt[i]);
    }
  }
  auto interval = [](double est, std::vector<double>& boot) {
    if (std::isnan(est) || boot.empty()) return Interval{est, kNaN, kNaN};
    std::sort(boot.begin(), boot.end());
    return Interval{est, quantile_sorted(boot, 0.025), quantile_sorted(boot, 0.975)};
  };
  for (std::size_t i = 0; i < k; ++i) {
    out.first.push_back(interval(first[i], boot_first[i]));
    out.total.push_back(interval(total[i], boot_total[i]));
  }
  return out;
}

}  // namespace scsim::sensitivity
