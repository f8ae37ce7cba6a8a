#include "analysis/analytic.hpp"
#include "models/pipeline/branches.hpp"
#include "models/pipeline/timeline.hpp"

#include <algorithm>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <unsupported/Eigen/FFT>

namespace scsim {

namespace {

constexpr double kDaySeconds = 86400.0;
/// Lattice resolution for durations: 15 minutes. Fine enough that the races
/// between hour-scale federal delays and day-scale jail stays are resolved to
/// well under the simulator's sampling noise (midpoint masses, half-weight ties).
constexpr int kStepsPerDay = 96;
constexpr double kStep = 1.0 / kStepsPerDay;
/// Quadrature nodes within a release day for the calendar of the 48-hour hold.
constexpr int kHoldNodes = 48;

using Spec = std::vector<std::complex<double>>;

// ------------------------------------------------------------------ distributions

/// CDF of a scenario duration at x days (the same parameterisation as Dist::sample).
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

std::string dist_key(const Dist& d) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%d:%.17g:%.17g:%.17g:%.17g:%.17g:%.17g;", static_cast<int>(d.kind), d.value, d.mean,
                d.median, d.shape, d.min, d.max);
  return buf;
}

/// A duration as point masses on {0, h, 2h, ...} (h = kStep days): point i
/// carries P([(i - 1/2) h, (i + 1/2) h)), so sums of lattices stay on the
/// lattice and comparisons of two lattices are second-order accurate.
struct Lattice {
  std::vector<double> p;
  double tail = 0;  // mass beyond the last point (later than anything the grid follows)
  double mean = 0;  // days: the distribution's own mean
};

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

/// "P(a step that starts on day d lands on day d + m)", for a start time
/// uniform within its day: a lattice point at y days lands on floor(U + y),
/// i.e. on floor(y) with weight 1 - frac(y) and the next day with frac(y).
struct Kernel {
  std::vector<double> k;  // m = 0 .. G-1
  double total = 0;       // including what lands on or after day G
  mutable Spec spec;      // FFT of k for the convolver size below
  mutable std::size_t spec_n = 0;
};

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

/// Race of the federal delay F against a remaining stay at lattice point i:
/// q[i] = P(F < y_i) + P(F = y_i)/2 (the lattice stands for continuous times).
/// pe[i] = E[F; F < y_i] with the same half weight.
struct Race {
  std::vector<double> q, pe;
  double at(const std::vector<double>& v, std::size_t i, double last) const { return i < v.size() ? v[i] : last; }
  double q_end = 1, pe_end = 0;
};

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

/// Kernels of one remaining criminal stay (from the ident day) against F.
struct StayKernels {
  Kernel stay;      // release day, unconditional
  Kernel before;    // release day, released before ICE's decision arrives (F >= stay)
  Kernel released;  // release day, the detainer arrived first (F < stay)
  Kernel released_bail;  // same when the detainer also costs the bail: release = max(stay, disposition)
  bool has_bail = false;
  double mean = 0;        // E[stay]
  double time_held = 0;   // E[(stay - F); F < stay]: days in `detainer` / `notification_request`
  double time_held_bail = 0;
};

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

/// Duration kernels of the federal side of the pipeline.
struct PipelineKernels {
  Lattice iafis, lesc, decision, pickup, detention, bond, A, F;
  Race race;
  Kernel to_match, to_iar, to_decision, detention_k, bond_k;
};

/// Kernels of one jail configuration (the four stay distributions of a charge class).
struct JailKernels {
  std::array<StayKernels, kJailPaths> normal;  // from booking, by path
  StayKernels post;                            // post-conviction-only: remaining stay after the conviction
  Kernel conviction;                           // booking -> conviction
  double mean_conviction = 0;
};

/// The 48-business-hour hold for releases on one day, averaged over the time of day.
struct HoldDay {
  double p_in_time = 0;      // E[P(pickup delay <= hold length)]
  double e_len = 0;          // E[hold length] (days)
  double e_len_in_time = 0;  // E[hold length x P(pickup <= length)]
  double e_pickup_in_time = 0;  // E[pickup delay; pickup <= length]
  std::vector<double> custody;  // [m]: P(pickup <= length, ICE custody on day + m)
  std::vector<double> end_all;  // [m]: P(hold ends on day + m)
  std::vector<double> end_in_time;  // [m]: E[P(pickup <= length); hold ends on day + m]
};

struct HoldTable {
  std::vector<HoldDay> days;  // 0 .. G-1
  HoldDay average;            // over the last year of the grid, for releases after it
};

std::string stay_key(const JailStay& j) {
  return dist_key(j.pretrial_release) + dist_key(j.dismissed) + dist_key(j.to_conviction) + dist_key(j.sentence_served);
}

std::string pipeline_key(const PipelineParams& p) {
  return dist_key(p.iafis_response) + dist_key(p.lesc_service) + dist_key(p.ice_decision_delay) +
         dist_key(p.pickup_delay) + dist_key(p.ice_detention) + dist_key(p.bond_release_after);
}

}  // namespace

// ------------------------------------------------------------------ cache

struct AnalyticCache::Impl {
  std::map<std::string, std::shared_ptr<PipelineKernels>> pipelines;
  std::map<std::string, std::shared_ptr<JailKernels>> jails;
  std::map<std::string, std::shared_ptr<HoldTable>> holds;
};

AnalyticCache::AnalyticCache() : impl_(std::make_unique<Impl>()) {}
AnalyticCache::~AnalyticCache() = default;

namespace {

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
  k->detention = discretize(delay.detention, pts);
  k->bond = discretize(delay.bond, pts);
  k->A = add(k->iafis, k->lesc, pts);
  k->F = add(k->A, k->decision, pts);
  k->race = make_race(k->F);
  k->to_match = day_kernel(k->iafis, G);
  k->to_iar = day_kernel(k->A, G);
  k->to_decision = day_kernel(k->F, G);
  k->detention_k = day_kernel(k->detention, G);
  k->bond_k = day_kernel(k->bond, G);
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

// ------------------------------------------------------------------ segments (as models/pipeline.cpp builds them)

// The same rule timeline and rollout the simulator uses (models/timeline.hpp).
using Segment = RuleSegment;

/// Mean over a day of min(v0 + (v1 - v0) x, cap), x in [0, 1).
double mean_min_linear(double v0, double v1, double cap) {
  if (std::max(v0, v1) <= cap) return 0.5 * (v0 + v1);
  if (std::min(v0, v1) >= cap) return cap;
  const double x = (cap - v0) / (v1 - v0);  // where the line crosses the cap
  return v0 < v1 ? x * 0.5 * (v0 + cap) + (1 - x) * cap : x * cap + (1 - x) * 0.5 * (cap + v1);
}

// ------------------------------------------------------------------ metrics with an analytic expectation

constexpr std::array<Metric, 23> kCountMetrics{
    Metric::bookings,           Metric::fingerprints_submitted, Metric::ident_matches,
    Metric::ident_matches_level1, Metric::ident_matches_level2, Metric::ident_matches_level3,
    Metric::ident_matches_noncriminal, Metric::local_notifications, Metric::detainers_issued,
    Metric::detainers_honored,  Metric::detainers_declined,     Metric::notification_requests,
    Metric::ice_bookings,       Metric::ice_bookings_level1,    Metric::ice_bookings_level2,
    Metric::ice_bookings_level3, Metric::ice_bookings_noncriminal, Metric::removals,
    Metric::removals_level1,    Metric::removals_level2,        Metric::removals_level3,
    Metric::removals_noncriminal, Metric::us_citizens_detained};
constexpr std::size_t kCountSlots = kCountMetrics.size();
constexpr std::size_t kSlots = kCountSlots + kEndStates;

int slot_of(Metric m) {
  for (std::size_t i = 0; i < kCountSlots; ++i)
    if (kCountMetrics[i] == m) return static_cast<int>(i);
  const auto mi = static_cast<std::size_t>(m), first = static_cast<std::size_t>(Metric::end_first);
  if (mi >= first && mi < first + kEndStates) return static_cast<int>(kCountSlots + mi - first);
  return -1;
}
int slot(Metric m) { return slot_of(m); }
int end_slot(EndState e) { return static_cast<int>(kCountSlots + static_cast<std::size_t>(e)); }

// ------------------------------------------------------------------ FFT convolution on the day grid

class Convolver {
 public:
  explicit Convolver(std::size_t n) : n_(n), buf_(n, 0.0) { fft_.SetFlag(Eigen::FFT<double>::HalfSpectrum); }
  std::size_t size() const { return n_; }
  std::size_t bins() const { return n_ / 2 + 1; }
  void forward(const std::vector<double>& x, Spec& out) {
    std::fill(buf_.begin(), buf_.end(), 0.0);
    std::copy_n(x.begin(), std::min(x.size(), n_ / 2), buf_.begin());
    out.resize(bins());
    fft_.fwd(out.data(), buf_.data(), static_cast<Eigen::Index>(n_));
  }
  const Spec& kernel(const Kernel& K) {
    if (K.spec_n != n_) {
      forward(K.k, K.spec);
      K.spec_n = n_;
    }
    return K.spec;
  }
  void inverse(Spec s, std::vector<double>& out, std::size_t len) {
    std::vector<double> t(n_);
    fft_.inv(t.data(), s.data(), static_cast<Eigen::Index>(n_));
    out.assign(len, 0.0);
    for (std::size_t i = 0; i < len && i < n_; ++i) out[i] = std::max(0.0, t[i]);
  }

 private:
  std::size_t n_;
  Eigen::FFT<double> fft_;
  std::vector<double> buf_;
};

/// A series that will come out of convolutions: contributions accumulate in
/// the frequency domain, one inverse transform at the end.
struct Target {
  Spec acc;
  bool used = false;
  double total = 0;  // expected mass including what falls beyond the grid
};

struct Emit {
  Target* target;
  double factor;
};

/// Masses summed by the value of what splits them (a probability, an
/// outcome table), in the order added: when the value is the same on every
/// day, the one sum is the sum of the masses and mass x share is exact.
template <class V>
struct ByValue {
  std::vector<std::pair<V, double>> groups;
  void add(const V& v, double mass) {
    for (auto& [value, sum] : groups)
      if (value == v) {
        sum += mass;
        return;
      }
    groups.emplace_back(v, mass);
  }
  double sum() const {
    double s = 0;
    for (const auto& g : groups) s += g.second;
    return s;
  }
};

// ------------------------------------------------------------------ the engine

/// How a detainer's release is reached: honoured at lodging and the bail lost,
/// honoured at lodging and the bail kept (or not pretrial), declined at
/// lodging; no_bail when the path has no bail to lose (the lodging answer
/// then does not change the release time).
enum Variant : std::size_t { lodge_bail, lodge_kept, lodge_declined, no_bail };

struct Flows {
  std::vector<double> edge;
  std::array<double, kStages> time{};  // person-days spent in each stage (journeys followed to the end)
  explicit Flows(std::size_t edges) : edge(edges, 0.0) {}
};

class Engine {
 public:
  Engine(const Scenario& sc, const AnalyticOptions& opt, AnalyticCache::Impl& cache)
      : sc_(sc), opt_(opt), cache_(cache), cal_(sc.start), topo_(Topology::pipeline()), flows_(topo_.transitions().size()) {}

  AnalyticResult run();

 private:
  using Grid = std::vector<double>;

  void jurisdiction(std::size_t j);
  void after_ident(const StayKernels& stay, bool pretrial_bail, bool check_sharing, Node from,
                   const std::array<std::array<Grid, kLevels>, kGroups>& X);
  void emit(const Grid& x, const Kernel& K, std::initializer_list<Emit> outs);
  void emit_beyond(double x, const Kernel& K, std::initializer_list<Emit> outs);
  Grid finish(Target& t, double* beyond = nullptr);
  void flow(Node from, Node to, double m) {
    if (m == 0) return;
    const int e = topo_.edge(from, to);
    if (e < 0)
      throw std::logic_error("analytic chain uses an undeclared transition " + std::string(from.name()) + " -> " +
                             std::string(to.name()));
    flows_.edge[static_cast<std::size_t>(e)] += m;
  }
  void spend(Stage s, double person_days) { flows_.time[static_cast<std::size_t>(s)] += person_days; }
  void add_series(int slot, std::size_t day, double v) {
    if (day < days_ && v != 0) local_[static_cast<std::size_t>(slot)][day] += v;
  }
  void add_series(int slot, const Grid& g) {
    auto& dst = local_[static_cast<std::size_t>(slot)];
    for (std::size_t d = 0; d < days_ && d < g.size(); ++d) dst[d] += g[d];
  }
  const Segment& seg_on(std::size_t day) const { return segs_[seg_day_[std::min(day, G_ - 1)]]; }
  const HoldTable& hold(sim::Duration max_hold) {
    auto it = holds_.find(max_hold);
    if (it == holds_.end())
      it = holds_.emplace(max_hold, hold_table(cache_, cal_, max_hold, federal_delays(sc_.pipeline).pickup, pk_->pickup, G_))
               .first;
    return *it->second;
  }

  const Scenario& sc_;
  const AnalyticOptions& opt_;
  AnalyticCache::Impl& cache_;
  sim::Calendar cal_;
  const Topology& topo_;
  Flows flows_;
  std::size_t days_ = 0, G_ = 0, first_day_ = 0, last_day_ = 0;  // cohort booking days [first, last]
  std::shared_ptr<PipelineKernels> pk_;
  std::unique_ptr<Convolver> conv_;
  std::map<sim::Duration, std::shared_ptr<HoldTable>> holds_;
  double bookings_ = 0;

  // per jurisdiction
  std::vector<Segment> segs_;
  std::vector<std::size_t> seg_day_;  // segment index of each grid day
  std::vector<Grid> local_;           // [slot][day]: this jurisdiction's daily counts
  // release-day inputs: [level][citizen][variant][lodge-share class] per grid day, plus beyond-grid mass
  struct ReleaseInput {
    Target target;
    double beyond = 0;
    double lodge_share = 1;
  };
  std::map<std::array<std::size_t, 4>, ReleaseInput> release_;
  std::array<std::array<Target, 2>, kLevels> notified_{};  // notification-request releases by level, citizen
  std::array<std::array<double, 2>, kLevels> notified_beyond_{};
  std::array<Target, kSlots> out_{};  // this jurisdiction's convolved metric series
  std::vector<double> lodge_classes_;
  const Population* pop_ = nullptr;
  // ident-day series whose kernels do not depend on the jail stay
  Grid notices_, issued_, requested_;
  std::array<Grid, kLevels> matches_;
};

void Engine::emit(const Grid& x, const Kernel& K, std::initializer_list<Emit> outs) {
  double sx = 0;
  for (double v : x) sx += v;
  if (sx == 0) return;
  Spec X;
  conv_->forward(x, X);
  const Spec& KS = conv_->kernel(K);
  for (const Emit& o : outs) {
    if (o.factor == 0) continue;
    Target& t = *o.target;
    if (!t.used) {
      t.acc.assign(conv_->bins(), {0.0, 0.0});
      t.used = true;
    }
    for (std::size_t i = 0; i < X.size(); ++i) t.acc[i] += o.factor * X[i] * KS[i];
    t.total += o.factor * sx * K.total;
  }
}

void Engine::emit_beyond(double x, const Kernel& K, std::initializer_list<Emit> outs) {
  for (const Emit& o : outs) o.target->total += o.factor * x * K.total;
}

Engine::Grid Engine::finish(Target& t, double* beyond) {
  Grid g;
  if (t.used) conv_->inverse(t.acc, g, G_);
  else g.assign(G_, 0.0);
  if (beyond) *beyond = std::max(0.0, t.total - std::accumulate(g.begin(), g.end(), 0.0));
  t = Target{};
  return g;
}

AnalyticResult Engine::run() {
  AnalyticResult res;
  res.scopes = Scopes::build(sc_);
  res.start = sc_.start;
  const sim::Time horizon = sc_.horizon();
  days_ = static_cast<std::size_t>(horizon / sim::kDay);
  res.days = days_;
  std::size_t booking_days = days_;
  if (sc_.bookings_until) {
    const sim::Time t = cal_.to_time(*sc_.bookings_until) + sim::kDay;
    booking_days = static_cast<std::size_t>(std::clamp<sim::Time>(t / sim::kDay, 0, sim::Time(days_)));
  }
  auto day_of = [&](sim::Date d) { return cal_.to_time(d) / sim::kDay; };
  const long lo = opt_.cohort_from ? day_of(*opt_.cohort_from) : 0;
  const long hi = opt_.cohort_until ? day_of(*opt_.cohort_until) : long(booking_days) - 1;
  if (lo > hi) throw std::invalid_argument("analytic cohort: the first booking day is after the last");
  if (hi < 0 || lo >= long(booking_days))
    throw std::invalid_argument("analytic cohort: no bookings are made on those days (the period books from " +
                                sim::format_date(sc_.start) + " for " + std::to_string(booking_days) + " days)");
  first_day_ = static_cast<std::size_t>(std::max(0L, lo));
  last_day_ = static_cast<std::size_t>(std::min(long(booking_days) - 1, hi));
  G_ = days_ + static_cast<std::size_t>(std::max(0, opt_.follow_days));
  std::size_t n = 1;
  while (n < 2 * G_) n <<= 1;
  conv_ = std::make_unique<Convolver>(n);
  pk_ = pipeline_kernels(cache_, sc_.pipeline, G_);

  for (const auto& id : opt_.jurisdictions)
    if (!sc_.find_jurisdiction(id)) throw std::invalid_argument("analytic cohort: unknown jurisdiction '" + id + "'");

  const std::size_t S = res.scopes.size();
  res.series.assign(kSlots * S * days_, 0.0);
  Scopes& scopes = res.scopes;
  for (std::size_t j = 0; j < sc_.jurisdictions.size(); ++j) {
    const auto& jur = sc_.jurisdictions[j];
    if (!opt_.jurisdictions.empty() &&
        std::find(opt_.jurisdictions.begin(), opt_.jurisdictions.end(), jur.id) == opt_.jurisdictions.end())
      continue;
    jurisdiction(j);
    for (std::size_t s : {std::size_t(0), scopes.of_jurisdiction[j], scopes.of_state[j]}) {
      if (s == std::string::npos) continue;
      for (std::size_t k = 0; k < kSlots; ++k) {
        double* dst = &res.series[(k * S + s) * days_];
        const Grid& src = local_[k];
        for (std::size_t d = 0; d < days_; ++d) dst[d] += src[d];
      }
    }
  }

  // Shares: absorption from the edge flows, and as recorded at the horizon.
  res.bookings = bookings_;
  res.edge_flow = flows_.edge;
  const auto& tr = topo_.transitions();
  std::array<double, kStages> out_of{};
  std::array<double, kNodes> into{};
  for (std::size_t e = 0; e < tr.size(); ++e) {
    if (!tr[e].from.is_end) out_of[tr[e].from.index] += flows_.edge[e];
    into[tr[e].to.id()] += flows_.edge[e];
  }
  res.edge_probability.assign(tr.size(), 0.0);
  for (std::size_t e = 0; e < tr.size(); ++e)
    if (out_of[tr[e].from.index] > 0) res.edge_probability[e] = flows_.edge[e] / out_of[tr[e].from.index];
  if (bookings_ > 0) {
    for (std::size_t e = 0; e < kEndStates; ++e) res.end_share[e] = into[Node::end(EndState(e)).id()] / bookings_;
    double recorded = 0;
    for (std::size_t e = 0; e + 1 < kEndStates; ++e) {
      const double* s = &res.series[(std::size_t(end_slot(EndState(e))) * S + 0) * days_];
      double v = 0;
      for (std::size_t d = 0; d < days_; ++d) v += s[d];
      res.end_share_at_horizon[e] = v / bookings_;
      recorded += v;
    }
    const double in_system = std::max(0.0, bookings_ - recorded);
    res.end_share_at_horizon[kEndStates - 1] = in_system / bookings_;
  }
  // The simulator books whoever is still in a journey at the horizon on its last day.
  for (std::size_t s = 0; s < S; ++s) {
    double b = 0, ended = 0;
    for (std::size_t d = 0; d < days_; ++d) {
      b += res.series[(std::size_t(slot(Metric::bookings)) * S + s) * days_ + d];
      for (std::size_t e = 0; e + 1 < kEndStates; ++e) ended += res.series[(std::size_t(end_slot(EndState(e))) * S + s) * days_ + d];
    }
    if (days_ > 0)
      res.series[(std::size_t(end_slot(EndState::in_system_at_horizon)) * S + s) * days_ + days_ - 1] =
          std::max(0.0, b - ended);
  }

  // The absorbing chain.
  AbsorbingChain& ch = res.chain;
  const std::size_t T = AbsorbingChain::kTransient, A = AbsorbingChain::kAbsorbing;
  ch.Q = Eigen::MatrixXd::Zero(T, T);
  ch.R = Eigen::MatrixXd::Zero(T, A);
  for (std::size_t e = 0; e < tr.size(); ++e) {
    const auto& t = tr[e];
    if (t.from.is_end || out_of[t.from.index] <= 0) continue;
    const double p = flows_.edge[e] / out_of[t.from.index];
    if (t.to.is_end) {
      if (t.to.index < A) ch.R(t.from.index, t.to.index) += p;
    } else {
      ch.Q(t.from.index, t.to.index) += p;
    }
  }
  ch.N = (Eigen::MatrixXd::Identity(T, T) - ch.Q).inverse();
  ch.B = ch.N * ch.R;
  ch.mean_days = Eigen::VectorXd::Zero(T);
  ch.expected_days = Eigen::VectorXd::Zero(T);
  for (std::size_t s = 0; s < T; ++s) {
    const double visits = s == std::size_t(Stage::booking) ? bookings_ : into[Node::stage(Stage(s)).id()];
    if (visits > 0) ch.mean_days(s) = flows_.time[s] / visits;
  }
  for (std::size_t s = 0; s < T; ++s) ch.expected_days(s) = ch.N(std::size_t(Stage::booking), s) * ch.mean_days(s);
  return res;
}

void Engine::jurisdiction(std::size_t j) {
  const Jurisdiction& jur = sc_.jurisdictions[j];
  const PipelineParams& pp = sc_.pipeline;
  const Population& pop = jur.population;
  const Rollout rollout(jur, cal_);
  const RolloutOrder order(pop);
  const std::optional<sim::Time>& activation = rollout.activation;
  segs_ = rule_timeline(sc_, jur, cal_, rollout);
  seg_day_.assign(G_, 0);
  for (std::size_t d = 0, s = 0; d < G_; ++d) {
    const sim::Time t = sim::Time(d) * sim::kDay;
    while (s + 1 < segs_.size() && segs_[s + 1].from <= t) ++s;
    seg_day_[d] = s;
  }
  local_.assign(kSlots, Grid(days_, 0.0));
  release_.clear();
  notified_ = {};
  notified_beyond_ = {};
  out_ = {};
  pop_ = &pop;
  notices_.assign(G_, 0.0);
  issued_.assign(G_, 0.0);
  requested_.assign(G_, 0.0);
  for (auto& m : matches_) m.assign(G_, 0.0);

  // Jail configurations: charge classes with identical stays share kernels,
  // so their masses share one set of convolutions (index `kg`).
  std::array<std::shared_ptr<JailKernels>, kCharges> jk;
  std::array<std::size_t, kCharges> kg{};
  std::vector<std::shared_ptr<JailKernels>> groups;
  for (std::size_t c = 0; c < kCharges; ++c) {
    jk[c] = jail_kernels(cache_, jur.jail[c], pp, *pk_, G_);
    auto it = std::find(groups.begin(), groups.end(), jk[c]);
    kg[c] = static_cast<std::size_t>(it - groups.begin());
    if (it == groups.end()) groups.push_back(jk[c]);
  }

  double dow_sum = 0;
  for (double w : jur.day_of_week) dow_sum += w;
  std::array<double, 7> dow{};
  for (std::size_t d = 0; d < 7; ++d) dow[d] = dow_sum > 0 ? jur.day_of_week[d] * 7.0 / dow_sum : 1.0;
  const double rate = jur.bookings_per_day * sc_.volume_scale;

  // Stage 1, booking day by booking day: coverage, sharing, post-conviction-only.
  // X: ident-day masses by (charge, path) and (group, level); Y: convicted
  // bookings waiting for their conviction under post-conviction-only sharing.
  using ByClass = std::array<std::array<Grid, kLevels>, kGroups>;
  std::array<std::array<ByClass, kJailPaths>, kCharges> X;
  std::array<ByClass, kCharges> Y;
  std::array<std::array<std::array<Grid, 3>, kJailPaths>, kCharges> early;  // not activated / not shared / not convicted
  std::array<bool, kCharges> any_y{};
  std::array<std::array<bool, kJailPaths>, kCharges> any_x{};
  auto ensure = [&](Grid& g) {
    if (g.empty()) g.assign(G_ + 1, 0.0);  // index G_: beyond the grid
  };
  const int s_bookings = slot(Metric::bookings);
  for (std::size_t d = first_day_; d <= last_day_; ++d) {
    const unsigned wd = cal_.weekday_of(sim::Time(d) * sim::kDay).iso_encoding() - 1;
    const double B = rate * dow[wd];
    if (B <= 0) continue;
    const Segment& seg = seg_on(d);
    const RuleSet& r = seg.rules;
    // Coverage averaged over the day: linear within it (ramp points fall on midnights).
    const sim::Time t0 = sim::Time(d) * sim::kDay;
    double cov;
    PerGroup<PerCharge<double>> cov_g;  // share of each cell's bookings covered (rollout order, models/timeline.hpp)
    auto each_cell = [&](auto f) {
      for (std::size_t g = 0; g < kGroups; ++g)
        for (std::size_t c = 0; c < kCharges; ++c) cov_g[g][c] = f(Group(g), Charge(c));
    };
    if (activation && t0 >= *activation) {
      cov = std::min(1.0, seg.coverage_cap);
      each_cell([&](Group g, Charge c) { return p_covered(order, g, c, cov); });
    } else {
      const double v0 = rollout.ramp_at(t0), vm = rollout.ramp_at(t0 + sim::kDay / 2);
      cov = mean_min_linear(v0, 2 * vm - v0, seg.coverage_cap);
      if (order.even()) {
        each_cell([&](Group, Charge) { return cov; });
      } else {  // Simpson's rule over the day (coverage moves by well under 1e-2 a day)
        const double c0 = std::min(v0, seg.coverage_cap), cm = std::min(vm, seg.coverage_cap),
                     c1 = std::min(2 * vm - v0, seg.coverage_cap);
        each_cell([&](Group g, Charge c) {
          return (p_covered(order, g, c, c0) + 4 * p_covered(order, g, c, cm) + p_covered(order, g, c, c1)) / 6;
        });
      }
    }
    for (std::size_t c = 0; c < kCharges; ++c) {
      const auto& stays = jk[c]->normal;
      for (std::size_t g = 0; g < kGroups; ++g) {
        const ArrestEffect bias = arrest_effect(r, Group(g), Charge(c));
        const double cell = B * pop.group_mix[g] * pop.charge_mix[c] * bias.multiplier;
        if (cell <= 0) continue;
        const PerLevel<double> lv = bias.levels(pop.level_given_charge[c]);
        bookings_ += cell;
        local_[std::size_t(s_bookings)][d] += cell;
        flow(Node::stage(Stage::booking), Node::stage(Stage::iafis), cell);
        for (std::size_t p = 0; p < kJailPaths; ++p) {
          const double mp = cell * jur.jail[c].path_share[p];
          if (mp <= 0) continue;
          const double not_covered = mp * (1 - cov_g[g][c]), covered = mp * cov_g[g][c];
          auto& e = early[kg[c]][p];
          if (not_covered > 0) {
            ensure(e[0]);
            e[0][d] += not_covered;
            flow(Node::stage(Stage::iafis), Node::end(EndState::released_not_activated), not_covered);
            spend(Stage::iafis, not_covered * stays[p].mean);
          }
          if (covered <= 0) continue;
          const Sharing shared = sharing(r);
          if (shared == Sharing::never) {
            ensure(e[1]);
            e[1][d] += covered;
            flow(Node::stage(Stage::iafis), Node::end(EndState::released_not_shared), covered);
            spend(Stage::iafis, covered * stays[p].mean);
          } else if (shared == Sharing::at_conviction) {
            flow(Node::stage(Stage::iafis), Node::stage(Stage::awaiting_conviction), covered);
            if (!reaches_conviction(JailPath(p))) {
              ensure(e[2]);
              e[2][d] += covered;
              flow(Node::stage(Stage::awaiting_conviction), Node::end(EndState::released_not_convicted), covered);
              spend(Stage::awaiting_conviction, covered * stays[p].mean);
            } else {
              spend(Stage::awaiting_conviction, covered * jk[c]->mean_conviction);
              any_y[kg[c]] = true;
              for (std::size_t l = 0; l < kLevels; ++l) {
                ensure(Y[kg[c]][g][l]);
                Y[kg[c]][g][l][d] += covered * lv[l];
              }
            }
          } else {
            any_x[kg[c]][p] = true;
            for (std::size_t l = 0; l < kLevels; ++l) {
              ensure(X[kg[c]][p][g][l]);
              X[kg[c]][p][g][l][d] += covered * lv[l];
            }
          }
        }
      }
    }
  }
  for (std::size_t c = 0; c < groups.size(); ++c)
    for (std::size_t p = 0; p < kJailPaths; ++p) {
      const Kernel& K = groups[c]->normal[p].stay;
      const std::array<EndState, 3> ends{EndState::released_not_activated, EndState::released_not_shared,
                                         EndState::released_not_convicted};
      for (std::size_t i = 0; i < 3; ++i)
        if (!early[c][p][i].empty()) emit(early[c][p][i], K, {{&out_[std::size_t(end_slot(ends[i]))], 1.0}});
    }

  // Normal sharing: the ident day is the booking day.
  for (std::size_t c = 0; c < groups.size(); ++c)
    for (std::size_t p = 0; p < kJailPaths; ++p)
      if (any_x[c][p])
        after_ident(groups[c]->normal[p], p == std::size_t(JailPath::pretrial_release), false,
                    Node::stage(Stage::iafis), X[c][p]);
  // Post-conviction-only sharing: prints reach IDENT on the conviction day.
  for (std::size_t c = 0; c < groups.size(); ++c) {
    if (!any_y[c]) continue;
    ByClass Xc;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l) {
        if (Y[c][g][l].empty()) continue;
        Target t;
        Grid y(Y[c][g][l].begin(), Y[c][g][l].begin() + long(G_));
        emit(y, groups[c]->conviction, {{&t, 1.0}});
        double beyond = 0;
        Grid conv = finish(t, &beyond);
        conv.push_back(beyond);
        Xc[g][l] = std::move(conv);
      }
    after_ident(groups[c]->post, false, true, Node::stage(Stage::awaiting_conviction), Xc);
  }

  auto M = [&](Metric m) { return &out_[std::size_t(slot(m))]; };
  for (std::size_t l = 0; l < kLevels; ++l)
    emit(matches_[l], pk_->to_match,
         {{M(Metric::ident_matches), 1.0}, {M(by_level(Metric::ident_matches_level1, Level(l))), 1.0}});
  emit(notices_, pk_->to_iar, {{M(Metric::local_notifications), 1.0}});
  emit(issued_, pk_->to_decision, {{M(Metric::detainers_issued), 1.0}});
  emit(requested_, pk_->to_decision, {{M(Metric::notification_requests), 1.0}});

  // Releases of detained people: the jail honours or declines under the rules
  // of the release day; an honoured hold runs on the business-day calendar.
  std::array<std::array<Target, 2>, kLevels> custody_t{};
  std::array<std::array<Grid, 2>, kLevels> custody;
  std::array<std::array<double, 2>, kLevels> custody_beyond{};
  for (auto& row : custody)
    for (auto& g : row) g.assign(G_, 0.0);
  Grid expired(G_, 0.0);
  const int s_honored = slot(Metric::detainers_honored), s_declined = slot(Metric::detainers_declined);
  for (auto& [key, in] : release_) {
    const std::size_t l = key[0], cit = key[1], variant = key[2];
    const double a = in.lodge_share;
    double beyond = 0;
    Grid rel = finish(in.target, &beyond);
    beyond += in.beyond;
    for (std::size_t k = 0; k <= G_; ++k) {
      const double x = k < G_ ? rel[k] : beyond;
      if (x <= 0) continue;
      const RuleSet& r = seg_on(k).rules;
      const double b = p_honor(r, Level(l));
      // The answers at lodging and at release are nested (one uniform).
      const double hp = variant == no_bail ? b : p_honor_given_lodging(a, b, variant != lodge_declined);
      const double hon = x * hp, dec = x - hon;
      flow(Node::stage(Stage::detainer), Node::end(EndState::released_detainer_declined), dec);
      flow(Node::stage(Stage::detainer), Node::stage(Stage::detainer_hold), hon);
      if (k < G_) {
        add_series(s_honored, k, hon);
        add_series(s_declined, k, dec);
        add_series(end_slot(EndState::released_detainer_declined), k, dec);
      }
      if (hon <= 0) continue;
      const PickupInHold pick = pickup_in_hold(pp, r);
      const double pickup = pick.p_comes;
      const HoldTable& ht = hold(pick.max_hold);
      const HoldDay& h = k < G_ ? ht.days[k] : ht.average;
      const double picked = hon * pickup * h.p_in_time;
      flow(Node::stage(Stage::detainer_hold), Node::stage(Stage::ice_custody), picked);
      flow(Node::stage(Stage::detainer_hold), Node::end(EndState::released_hold_expired), hon - picked);
      spend(Stage::detainer_hold, hon * (pickup * h.e_pickup_in_time + h.e_len - pickup * h.e_len_in_time));
      if (k < G_) {
        for (std::size_t m = 0; m < h.custody.size(); ++m) {
          const double v = hon * pickup * h.custody[m];
          if (k + m < G_) custody[l][cit][k + m] += v;
          else custody_beyond[l][cit] += v;
        }
        for (std::size_t m = 0; m < h.end_all.size(); ++m)
          if (k + m < G_) expired[k + m] += hon * (h.end_all[m] - pickup * h.end_in_time[m]);
      } else {
        custody_beyond[l][cit] += picked;
      }
    }
  }
  add_series(end_slot(EndState::released_hold_expired), expired);

  // Notification requests: ICE meets the release or it does not (rules of the release day).
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < 2; ++cit) {
      double beyond = 0;
      Grid rel = finish(notified_[l][cit], &beyond);
      beyond += notified_beyond_[l][cit];
      const double np_beyond = p_met_at_release(pp, seg_on(G_).rules);
      ByValue<double> total;
      total.add(np_beyond, beyond);
      for (std::size_t k = 0; k < G_; ++k) {
        const double np = p_met_at_release(pp, seg_on(k).rules);
        total.add(np, rel[k]);
        custody[l][cit][k] += rel[k] * np;
        add_series(end_slot(EndState::released_no_action), k, rel[k] * (1 - np));
      }
      custody_beyond[l][cit] += beyond * np_beyond;
      for (const auto& [np, mass] : total.groups) {
        flow(Node::stage(Stage::notification_request), Node::stage(Stage::ice_custody), mass * np);
        flow(Node::stage(Stage::notification_request), Node::end(EndState::released_no_action), mass * (1 - np));
      }
    }

  // ICE custody and the outcome of proceedings (rules of the custody day).
  // Outcomes follow the detention (or bond) delay from the custody day.
  Target removals_all;
  std::array<Target, kLevels> removals_l;
  std::array<Grid, 3> after_detention;  // voluntary departure, relief granted, terminated (citizen)
  for (auto& g : after_detention) g.assign(G_, 0.0);
  Grid bond_in(G_, 0.0);
  for (std::size_t l = 0; l < kLevels; ++l) {
    Grid removed_in(G_, 0.0);
    for (std::size_t cit = 0; cit < 2; ++cit) {
      const Grid& cu = custody[l][cit];
      const bool citizen = cit == 1;
      auto outcome_on = [&](std::size_t k) { return custody_outcome(pp, seg_on(k).rules, citizen); };
      ByValue<CustodyOutcome> total;
      for (std::size_t k = 0; k < G_; ++k) total.add(outcome_on(k), cu[k]);
      total.add(outcome_on(G_), custody_beyond[l][cit]);
      if (total.sum() <= 0) continue;
      add_series(slot(Metric::ice_bookings), cu);
      add_series(slot(by_level(Metric::ice_bookings_level1, Level(l))), cu);
      if (cit) add_series(slot(Metric::us_citizens_detained), cu);
      for (const auto& [outcome, mass] : total.groups) {
        const std::array<double, 4> sh = outcome.shares();
        for (std::size_t o = 0; o < 4; ++o)
          flow(Node::stage(Stage::ice_custody), Node::end(CustodyOutcome::kOutcomes[o]), mass * sh[o]);
        flow(Node::stage(Stage::ice_custody), Node::end(EndState::terminated_citizen), mass * outcome.terminated_share());
        spend(Stage::ice_custody, mass * ((1 - sh[3]) * pk_->detention.mean + sh[3] * pk_->bond.mean));
      }
      for (std::size_t k = 0; k < G_; ++k) {
        const CustodyOutcome outcome = outcome_on(k);
        const std::array<double, 4> sh = outcome.shares();
        removed_in[k] += cu[k] * sh[0];
        after_detention[0][k] += cu[k] * sh[1];
        after_detention[1][k] += cu[k] * sh[2];
        after_detention[2][k] += cu[k] * outcome.terminated_share();
        bond_in[k] += cu[k] * sh[3];
      }
    }
    emit(removed_in, pk_->detention_k, {{&removals_l[l], 1.0}, {&removals_all, 1.0}});
    add_series(slot(by_level(Metric::removals_level1, Level(l))), finish(removals_l[l]));
  }
  const Grid rem = finish(removals_all);
  add_series(slot(Metric::removals), rem);
  add_series(end_slot(EndState::removed), rem);
  const std::array<EndState, 3> after{EndState::voluntary_departure, EndState::relief_granted,
                                      EndState::terminated_citizen};
  for (std::size_t i = 0; i < 3; ++i) emit(after_detention[i], pk_->detention_k, {{&out_[std::size_t(end_slot(after[i]))], 1.0}});
  emit(bond_in, pk_->bond_k, {{&out_[std::size_t(end_slot(EndState::released_on_bond))], 1.0}});
  for (std::size_t k = 0; k < kSlots; ++k)
    if (out_[k].used) add_series(static_cast<int>(k), finish(out_[k]));
}

void Engine::after_ident(const StayKernels& stay, bool pretrial_bail, bool check_sharing, Node from,
                         const std::array<std::array<Grid, kLevels>, kGroups>& X) {
  const PipelineParams& pp = sc_.pipeline;
  Grid no_match(G_, 0.0), no_action(G_, 0.0), before(G_, 0.0), not_shared(G_, 0.0);
  Grid& fingerprints = local_[std::size_t(slot(Metric::fingerprints_submitted))];
  Grid& notices = notices_;
  Grid& issued = issued_;
  Grid& requested = requested_;
  auto& matches = matches_;
  double no_match_b = 0, no_action_b = 0, before_b = 0, not_shared_b = 0;
  const bool bail = pretrial_bail && stay.has_bail;
  // Detained releases: inputs by (level, citizen, variant, lodge-share class).
  struct In {
    Grid g;
    double beyond = 0;
    double a = 1;
  };
  std::map<std::array<std::size_t, 4>, In> rel;
  std::array<std::array<Grid, 2>, kLevels> notif;
  std::array<std::array<double, 2>, kLevels> notif_b{};
  for (auto& row : notif)
    for (auto& g : row) g.assign(G_, 0.0);
  auto lodge_class = [&](double a) {
    for (std::size_t i = 0; i < lodge_classes_.size(); ++i)
      if (lodge_classes_[i] == a) return i;
    lodge_classes_.push_back(a);
    return lodge_classes_.size() - 1;
  };
  auto put = [&](std::size_t l, std::size_t cit, std::size_t v, double a, std::size_t k, double m) {
    if (m <= 0) return;
    In& in = rel[{l, cit, v, lodge_class(a)}];
    in.a = a;
    if (in.g.empty()) in.g.assign(G_, 0.0);
    if (k < G_) in.g[k] += m;
    else in.beyond += m;
  };

  for (std::size_t k = 0; k <= G_; ++k) {
    double tot = 0;
    for (std::size_t g = 0; g < kGroups; ++g)
      for (std::size_t l = 0; l < kLevels; ++l)
        if (!X[g][l].empty()) tot += X[g][l][k];
    if (tot <= 0) continue;
    const RuleSet& r = seg_on(k).rules;
    const bool in_grid = k < G_;
    if (check_sharing && !shares_at_conviction(r)) {
      flow(from, Node::end(EndState::released_not_shared), tot);
      spend(Stage::awaiting_conviction, tot * stay.mean);
      (in_grid ? not_shared[k] : not_shared_b) += tot;
      continue;
    }
    flow(from, Node::stage(Stage::ident), tot);
    if (k < days_) fingerprints[k] += tot;
    for (std::size_t g = 0; g < kGroups; ++g) {
      const bool citizen = is_citizen(Group(g));
      for (std::size_t l = 0; l < kLevels; ++l) {
        if (X[g][l].empty()) continue;
        const double x = X[g][l][k];
        if (x <= 0) continue;
        const double p_in = p_match(*pop_, Group(g));
        const double nm = x * (1 - p_in), m = x * p_in;
        flow(Node::stage(Stage::ident), Node::end(EndState::released_no_match), nm);
        spend(Stage::ident, nm * stay.mean);
        (in_grid ? no_match[k] : no_match_b) += nm;
        if (m <= 0) continue;
        flow(Node::stage(Stage::ident), Node::stage(Stage::lesc), m);
        flow(Node::stage(Stage::lesc), Node::stage(Stage::ice_decision), m);
        spend(Stage::ident, m * pk_->iafis.mean);
        spend(Stage::lesc, m * pk_->lesc.mean);
        if (in_grid) {
          matches[l][k] += m;
          if (notifies_jail(r)) notices[k] += m;
        }
        const IceAction ice = ice_action(pp, r, Level(l), citizen);
        const double detected = m * ice.recognised, dm = m - detected;
        const double pd = ice.detainer_share(), pn = ice.notification_share();
        const double none_taken = detected + dm * ice.none_share();
        const double det = dm * pd, req = dm * pn;
        flow(Node::stage(Stage::ice_decision), Node::end(EndState::released_no_action), none_taken);
        flow(Node::stage(Stage::ice_decision), Node::stage(Stage::detainer), det);
        flow(Node::stage(Stage::ice_decision), Node::stage(Stage::notification_request), req);
        spend(Stage::ice_decision,
              none_taken * std::max(0.0, stay.mean - pk_->A.mean) + (det + req) * pk_->decision.mean);
        (in_grid ? no_action[k] : no_action_b) += none_taken;
        if (in_grid) {
          issued[k] += det;
          requested[k] += req;
        }
        (in_grid ? before[k] : before_b) += det + req;
        const double p_before = stay.before.total;
        flow(Node::stage(Stage::detainer), Node::end(EndState::released_before_ice_action), det * p_before);
        flow(Node::stage(Stage::notification_request), Node::end(EndState::released_before_ice_action),
             req * p_before);
        const std::size_t cit = citizen ? 1 : 0;
        if (det > 0) {
          const double a = p_honor(r, Level(l));
          if (bail) {
            const double lost = a * p_bail_lost(pp, r);
            put(l, cit, lodge_bail, a, k, det * lost);
            put(l, cit, lodge_kept, a, k, det * (a - lost));
            put(l, cit, lodge_declined, a, k, det * (1 - a));
            spend(Stage::detainer, det * (lost * stay.time_held_bail + (1 - lost) * stay.time_held));
          } else {
            put(l, cit, no_bail, 1.0, k, det);
            spend(Stage::detainer, det * stay.time_held);
          }
        }
        if (req > 0) {
          (in_grid ? notif[l][cit][k] : notif_b[l][cit]) += req;
          spend(Stage::notification_request, req * stay.time_held);
        }
      }
    }
  }
  auto O = [&](EndState e) { return &out_[std::size_t(end_slot(e))]; };
  emit(no_match, stay.stay, {{O(EndState::released_no_match), 1.0}});
  emit(no_action, stay.stay, {{O(EndState::released_no_action), 1.0}});
  emit(before, stay.before, {{O(EndState::released_before_ice_action), 1.0}});
  emit(not_shared, stay.stay, {{O(EndState::released_not_shared), 1.0}});
  emit_beyond(no_match_b, stay.stay, {{O(EndState::released_no_match), 1.0}});
  emit_beyond(no_action_b, stay.stay, {{O(EndState::released_no_action), 1.0}});
  emit_beyond(before_b, stay.before, {{O(EndState::released_before_ice_action), 1.0}});
  emit_beyond(not_shared_b, stay.stay, {{O(EndState::released_not_shared), 1.0}});
  for (auto& [key, in] : rel) {
    ReleaseInput& dst = release_[key];
    dst.lodge_share = in.a;
    const Kernel& K = key[2] == lodge_bail ? stay.released_bail : stay.released;
    emit(in.g, K, {{&dst.target, 1.0}});
    dst.beyond += in.beyond * K.total;
  }
  for (std::size_t l = 0; l < kLevels; ++l)
    for (std::size_t cit = 0; cit < 2; ++cit) {
      emit(notif[l][cit], stay.released, {{&notified_[l][cit], 1.0}});
      notified_beyond_[l][cit] += notif_b[l][cit] * stay.released.total;
    }
}

}  // namespace

// ------------------------------------------------------------------ public

bool AnalyticResult::supports(Metric m) { return slot_of(m) >= 0; }

double AnalyticResult::daily(std::size_t scope, Metric m, std::size_t day) const {
  const int s = slot_of(m);
  if (s < 0) throw std::invalid_argument("metric '" + metric_name(m) + "' has no analytic expectation");
  if (scope >= scopes.size() || day >= days) return 0.0;
  return series[(std::size_t(s) * scopes.size() + scope) * days + day];
}

double AnalyticResult::count(std::size_t scope, Metric m, sim::Date from, sim::Date to) const {
  const sim::Calendar cal(start);
  const long a = std::max<long>(0, cal.to_time(from) / sim::kDay);
  const long b = std::min<long>(long(days) - 1, cal.to_time(to) / sim::kDay);
  double v = 0;
  for (long d = a; d <= b; ++d) v += daily(scope, m, std::size_t(d));
  return v;
}

double AnalyticResult::cumulative(std::size_t scope, Metric m, sim::Date as_of) const {
  return count(scope, m, start, as_of);
}

AnalyticResult analyze(const Scenario& sc, const AnalyticOptions& opt, AnalyticCache* cache) {
  AnalyticCache local;
  Engine e(sc, opt, (cache ? *cache : local).impl());
  return e.run();
}

std::vector<double> edge_probabilities(const Scenario& sc, std::string_view jurisdiction, sim::Date from,
                                       sim::Date to) {
  AnalyticOptions opt;
  opt.cohort_from = from;
  opt.cohort_until = to;
  if (!jurisdiction.empty()) opt.jurisdictions.emplace_back(jurisdiction);
  return analyze(sc, opt).edge_probability;
}

}  // namespace scsim
