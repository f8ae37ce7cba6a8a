#include "analysis/analytic_kernels.hpp"

#include <algorithm>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "models/pipeline/branches.hpp"

namespace scsim {

AnalyticCache::AnalyticCache() : impl_(std::make_unique<Impl>()) {}
AnalyticCache::~AnalyticCache() = default;

namespace chain {

double cdf_days(const Dist& d, double x) {
  if (x < 0) return 0.0;
  const double s = x * kDaySeconds;
  switch (d.kind) {
    case Dist::Kind::fixed: return s >= d.value ? 1.0 : 0.0;
    case Dist::Kind::exponential: return d.mean > 0 ? -std::expm1(-s / d.mean) : 1.0;
    case Dist::Kind::lognormal:
      return s > 0 ? boost::math::cdf(boost::math::lognormal_distribution<double>(d.p1_, d.p2_), s) : 0.0;
    case Dist::Kind::gamma:
      return d.p1_ > 0 ? boost::math::cdf(boost::math::gamma_distribution<double>(d.shape, d.p1_), s) : 1.0;
    case Dist::Kind::weibull:
      return d.p1_ > 0 ? boost::math::cdf(boost::math::weibull_distribution<double>(d.shape, d.p1_), s) : 1.0;
    case Dist::Kind::uniform:
      if (d.max <= d.min) return s >= d.min ? 1.0 : 0.0;
      return std::clamp((s - d.min) / (d.max - d.min), 0.0, 1.0);
  }
  return 1.0;
}

namespace {

std::string dist_key(const Dist& d) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%d:%.17g:%.17g:%.17g:%.17g:%.17g:%.17g;", static_cast<int>(d.kind), d.value, d.mean,
                d.median, d.shape, d.min, d.max);
  return buf;
}

void trim(Lattice& L) {
  double dropped = 0;
  std::size_t n = L.p.size();
  while (n > 1 && dropped + L.p[n - 1] < 1e-14) dropped += L.p[--n];
  L.p.resize(n);
  L.tail += dropped;
}

Lattice discretize(const Dist& d, std::size_t points) {
  Lattice L;
  L.p.assign(points, 0.0);
  double prev = 0;
  for (std::size_t i = 0; i < points; ++i) {
    const double c = cdf_days(d, (double(i) + 0.5) * kStep);
    L.p[i] = std::max(0.0, c - prev);
    prev = std::max(prev, c);
    if (prev >= 1.0) break;
  }
  L.tail = std::max(0.0, 1.0 - prev);
  L.mean = d.analytic_mean() / kDaySeconds;
  trim(L);
  return L;
}

/// Linear convolution truncated to n_out points: direct for a short factor,
/// FFT otherwise. Tiny negative round-off of the FFT is clipped.
std::vector<double> convolve(const std::vector<double>& a, const std::vector<double>& b, std::size_t n_out) {
  const std::size_t na = std::min(a.size(), n_out), nb = std::min(b.size(), n_out);
  if (na == 0 || nb == 0) return {};
  std::vector<double> out(std::min(n_out, na + nb - 1), 0.0);
  if (std::min(na, nb) <= 600) {
    const auto& s = na <= nb ? a : b;
    const auto& l = na <= nb ? b : a;
    const std::size_t ns = std::min(na, nb), nl = std::max(na, nb);
    for (std::size_t i = 0; i < ns; ++i) {
      if (s[i] == 0) continue;
      const std::size_t lim = std::min(nl, out.size() - i);
      for (std::size_t j = 0; j < lim; ++j) out[i + j] += s[i] * l[j];
    }
    return out;
  }
  std::size_t n = 1;
  while (n < na + nb - 1) n <<= 1;
  Eigen::FFT<double> fft;
  fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  std::vector<double> x(n, 0.0), y(n, 0.0), z(n, 0.0);
  std::copy_n(a.begin(), na, x.begin());
  std::copy_n(b.begin(), nb, y.begin());
  Spec X(n / 2 + 1), Y(n / 2 + 1);
  fft.fwd(X.data(), x.data(), static_cast<Eigen::Index>(n));
  fft.fwd(Y.data(), y.data(), static_cast<Eigen::Index>(n));
  for (std::size_t k = 0; k < X.size(); ++k) X[k] *= Y[k];
  fft.inv(z.data(), X.data(), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::max(0.0, z[i]);
  return out;
}

Lattice add(const Lattice& a, const Lattice& b, std::size_t points) {
  Lattice c;
  c.p = convolve(a.p, b.p, points);
  c.tail = std::max(0.0, 1.0 - std::accumulate(c.p.begin(), c.p.end(), 0.0));
  c.mean = a.mean + b.mean;
  trim(c);
  return c;
}

// ------------------------------------------------------------------ day kernels

Kernel day_kernel(const std::vector<double>& mass, double tail, std::size_t G) {
  Kernel K;
  K.k.assign(G, 0.0);
  double total = tail;
  for (std::size_t i = 0; i < mass.size(); ++i) {
    const double m = mass[i];
    if (m == 0) continue;
    total += m;
    const std::size_t d = i / kStepsPerDay;
    const double f = double(i % kStepsPerDay) / kStepsPerDay;
    if (d < G) K.k[d] += m * (1 - f);
    if (d + 1 < G) K.k[d + 1] += m * f;
  }
  K.total = total;
  return K;
}

Kernel day_kernel(const Lattice& L, std::size_t G) { return day_kernel(L.p, L.tail, G); }

Race make_race(const Lattice& F) {
  Race r;
  r.q.resize(F.p.size());
  r.pe.resize(F.p.size());
  double cum = 0, part = 0;
  for (std::size_t i = 0; i < F.p.size(); ++i) {
    const double y = double(i) * kStep;
    r.q[i] = cum + 0.5 * F.p[i];
    r.pe[i] = part + 0.5 * F.p[i] * y;
    cum += F.p[i];
    part += F.p[i] * y;
  }
  r.q_end = cum;
  r.pe_end = part;
  return r;
}

StayKernels make_stay(const Lattice& S, const Lattice* disposition, const Race& race, std::size_t G) {
  StayKernels k;
  k.stay = day_kernel(S, G);
  k.mean = S.mean;
  std::vector<double> before(S.p.size()), rel(S.p.size());
  double held = 0;
  for (std::size_t i = 0; i < S.p.size(); ++i) {
    const double q = race.at(race.q, i, race.q_end);
    before[i] = S.p[i] * (1 - q);
    rel[i] = S.p[i] * q;
    held += S.p[i] * (double(i) * kStep * q - race.at(race.pe, i, race.pe_end));
  }
  // The stay's tail lies beyond the grid: F has long finished by then.
  k.before = day_kernel(before, S.tail * (1 - race.q_end), G);
  k.released = day_kernel(rel, S.tail * race.q_end, G);
  k.time_held = held;
  if (disposition) {
    // P(max(S, D) <= r, F < S) = A(r) P(D <= r) with A(r) = P(F < S <= r):
    // differences of that product on the lattice are exact for ties.
    const Lattice& D = *disposition;
    const std::size_t n = std::max(S.p.size(), D.p.size());
    std::vector<double> m(n, 0.0);
    double A = 0, FD = 0, prev = 0, r_mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i < S.p.size()) A += rel[i];
      if (i < D.p.size()) FD += D.p[i];
      const double G_i = A * FD;
      m[i] = std::max(0.0, G_i - prev);
      r_mean += m[i] * double(i) * kStep;
      prev = G_i;
    }
    const double total_rel = std::accumulate(rel.begin(), rel.end(), 0.0) + S.tail * race.q_end;
    k.released_bail = day_kernel(m, std::max(0.0, total_rel - prev), G);
    k.has_bail = true;
    double f_part = 0;
    for (std::size_t i = 0; i < S.p.size(); ++i) f_part += S.p[i] * race.at(race.pe, i, race.pe_end);
    k.time_held_bail = r_mean - f_part;
  }
  return k;
}

std::string stay_key(const JailStay& j) {
  return dist_key(j.pretrial_release) + dist_key(j.dismissed) + dist_key(j.to_conviction) + dist_key(j.sentence_served);
}

std::string pipeline_key(const PipelineParams& p) {
  std::string key = dist_key(p.iafis_response) + dist_key(p.lesc_service) + dist_key(p.ice_decision_delay) +
                    dist_key(p.pickup_delay);
  for (std::size_t i = 0; i < kCustodyPaths; ++i) key += dist_key(path_duration(p, CustodyPath(i)));
  return key + dist_key(p.at_large_delay);
}

}  // namespace

std::shared_ptr<PipelineKernels> pipeline_kernels(AnalyticCache::Impl& cache, const PipelineParams& pp,
                                                  std::size_t G) {
  const std::string key = pipeline_key(pp) + std::to_string(G);
  if (auto it = cache.pipelines.find(key); it != cache.pipelines.end()) return it->second;
  auto k = std::make_shared<PipelineKernels>();
  const std::size_t pts = G * kStepsPerDay + 1;
  const FederalDelays delay = federal_delays(pp);
  k->iafis = discretize(delay.iafis, pts);
  k->lesc = discretize(delay.lesc, pts);
  k->decision = discretize(delay.decision, pts);
  k->pickup = discretize(delay.pickup, pts);
  k->A = add(k->iafis, k->lesc, pts);
  k->F = add(k->A, k->decision, pts);
  k->race = make_race(k->F);
  k->to_match = day_kernel(k->iafis, G);
  k->to_iar = day_kernel(k->A, G);
  k->to_decision = day_kernel(k->F, G);
  for (std::size_t i = 0; i < kCustodyPaths; ++i) {
    k->path[i] = discretize(path_duration(pp, CustodyPath(i)), pts);
    k->path_k[i] = day_kernel(k->path[i], G);
  }
  k->at_large = discretize(pp.at_large_delay, pts);
  k->at_large_k = day_kernel(k->at_large, G);
  cache.pipelines.emplace(key, k);
  return k;
}

std::shared_ptr<JailKernels> jail_kernels(AnalyticCache::Impl& cache, const JailStay& js, const PipelineParams& pp,
                                          const PipelineKernels& pk, std::size_t G) {
  const std::string key = stay_key(js) + "|" + pipeline_key(pp) + std::to_string(G);
  if (auto it = cache.jails.find(key); it != cache.jails.end()) return it->second;
  auto k = std::make_shared<JailKernels>();
  const std::size_t pts = G * kStepsPerDay + 1;
  const Lattice pre = discretize(js.pretrial_release, pts);
  const Lattice dis = discretize(js.dismissed, pts);
  const Lattice conv = discretize(js.to_conviction, pts);
  const Lattice served = discretize(js.sentence_served, pts);
  const Lattice convicted = add(conv, served, pts);
  // A pretrial booking whose detainer costs the bail stays until its case is
  // disposed of: the journey draws that disposition from to_conviction.
  k->normal[std::size_t(JailPath::pretrial_release)] = make_stay(pre, &conv, pk.race, G);
  k->normal[std::size_t(JailPath::dismissed)] = make_stay(dis, nullptr, pk.race, G);
  k->normal[std::size_t(JailPath::convicted)] = make_stay(convicted, nullptr, pk.race, G);
  k->post = make_stay(served, nullptr, pk.race, G);
  k->conviction = day_kernel(conv, G);
  k->mean_conviction = conv.mean;
  cache.jails.emplace(key, k);
  return k;
}

std::shared_ptr<HoldTable> hold_table(AnalyticCache::Impl& cache, const sim::Calendar& cal, sim::Duration max_hold,
                                      const Dist& pickup, const Lattice& pickup_lattice, std::size_t G) {
  const std::string key = sim::format_date(cal.epoch()) + ":" + std::to_string(max_hold) + ":" + dist_key(pickup) +
                          std::to_string(G);
  if (auto it = cache.holds.find(key); it != cache.holds.end()) return it->second;
  auto t = std::make_shared<HoldTable>();
  t->days.resize(G);
  // E[pickup; pickup <= x] on the lattice, for the time spent in the hold.
  std::vector<double> partial(pickup_lattice.p.size() + 1, 0.0);
  for (std::size_t i = 0; i < pickup_lattice.p.size(); ++i)
    partial[i + 1] = partial[i] + pickup_lattice.p[i] * double(i) * kStep;
  auto partial_at = [&](double x) {
    const auto i = static_cast<std::size_t>(std::clamp(std::floor(x / kStep + 0.5), 0.0, double(partial.size() - 1)));
    return partial[i];
  };
  for (std::size_t k = 0; k < G; ++k) {
    HoldDay& h = t->days[k];
    for (int q = 0; q < kHoldNodes; ++q) {
      const double x = (q + 0.5) / kHoldNodes;
      const auto start = static_cast<sim::Time>(std::llround((double(k) + x) * kDaySeconds));
      const double len = double(cal.add_business_time(start, max_hold) - start) / kDaySeconds;
      const double F = cdf_days(pickup, len);
      const double w = 1.0 / kHoldNodes;
      h.p_in_time += w * F;
      h.e_len += w * len;
      h.e_len_in_time += w * len * F;
      h.e_pickup_in_time += w * partial_at(len);
      const auto last = static_cast<std::size_t>(std::floor(x + len));
      if (h.custody.size() < last + 1) h.custody.resize(last + 1, 0.0);
      if (h.end_all.size() < last + 1) h.end_all.resize(last + 1, 0.0), h.end_in_time.resize(last + 1, 0.0);
      // ICE arrives on day k + m when pickup in [m - x, m + 1 - x) and pickup <= len.
      for (std::size_t m = 0; m <= last; ++m) {
        const double lo = std::max(0.0, double(m) - x), hi = std::min(double(m) + 1 - x, len);
        if (hi > lo) h.custody[m] += w * (cdf_days(pickup, hi) - cdf_days(pickup, lo));
      }
      h.end_all[last] += w;
      h.end_in_time[last] += w * F;
    }
  }
  // Releases after the grid: the average day of its last year (weekday mix and holidays).
  HoldDay& a = t->average;
  const std::size_t from = G > 364 ? G - 364 : 0;
  const double n = double(G - from);
  for (std::size_t k = from; k < G; ++k) {
    const HoldDay& h = t->days[k];
    a.p_in_time += h.p_in_time / n;
    a.e_len += h.e_len / n;
    a.e_len_in_time += h.e_len_in_time / n;
    a.e_pickup_in_time += h.e_pickup_in_time / n;
  }
  cache.holds.emplace(key, t);
  return t;
}

}  // namespace chain
}  // namespace scsim
